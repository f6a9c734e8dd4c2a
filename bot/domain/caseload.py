"""The nurse's day as pure rules: risk levels, what a home visit assesses and which risks it names,
where a calendar item stands, which patronage visit a home visit stands for, finding a family by
phone digits, a support plan's progress, and fitting a family card into one Telegram message.

No I/O and no texts: labels live with the keyboards and views, in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from bot.domain.calendar import CareStatus

K = TypeVar("K")


class RiskLevel(StrEnum):
    """Universal patronage for every family; progressive means more frequent check-ins and visits."""

    UNIVERSAL = "universal"
    PROGRESSIVE = "progressive"


# What a nurse looks at during a home visit (short codes: they travel in callback data).
ASSESSED = ("mother", "baby", "feeding", "development", "safety", "mood", "family", "parenting")
# The risks a home visit can name (universal progressive patronage model).
RISKS = ("social", "depression", "violence", "habits", "care", "child_dev")

# What a nurse can set an appointment for; "other" is typed.
APPOINTMENT_KINDS = ("antenatal", "ultrasound", "lab", "vaccination", "home_visit", "other")
OTHER = "other"

MAX_NOTE = 1000  # the nurse's free-text note on a family
MAX_GOAL = 200  # a support-plan goal, and its next step (the columns are String(200))
MAX_VISIT_NOTE = 1000
VISIT_DAYS_BACK = 365  # a visit can be recorded up to a year after it happened
EARLY_VISIT = timedelta(days=14)  # a visit this close before a window counts for it


def toggle(selected: Iterable[str], code: str, allowed: Sequence[str], on: bool | None = None) -> list[str]:
    """A multi-select button pressed: the code goes in (`on`) or out (not `on`; None: the other way round);
    the result keeps `allowed`'s order. The same press twice leaves it as asked.

    An unknown code (an old or forged button) changes nothing."""
    chosen = set(selected) & set(allowed)
    if code in allowed and (on is None or (code in chosen) != on):
        chosen ^= {code}
    return [c for c in allowed if c in chosen]


def known(codes: Iterable[str], allowed: Sequence[str]) -> list[str]:
    """Only codes we know, once each, in `allowed`'s order (what is saved comes from FSM data)."""
    chosen = set(codes)
    return [c for c in allowed if c in chosen]


def text_problem(text: str, limit: int) -> str | None:
    """None if a typed text can be saved; else "empty", "command" or "too_long"."""
    if not text.strip():
        return "empty"
    if text.lstrip().startswith("/"):
        return "command"
    if len(text) > limit:
        return "too_long"
    return None


# --- where a calendar item stands ---------------------------------------------------------------

class Standing(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"  # she said it is not for her
    UPCOMING = "upcoming"  # its window is open or still to come
    MISSED = "missed"  # its window closed and it was not done


def standing(status: CareStatus | None, closes: date, today: date) -> Standing:
    """Where an item stands from what she said (care_states.status) and its window."""
    if status == CareStatus.DONE:
        return Standing.DONE
    if status == CareStatus.NOT_FOR_ME:
        return Standing.SKIPPED
    return Standing.UPCOMING if closes >= today else Standing.MISSED


# --- which patronage visit a home visit stands for ----------------------------------------------

@dataclass(frozen=True, slots=True)
class VisitSlot(Generic[K]):
    """A patronage home visit of the calendar that is not done yet, and its window."""

    key: K
    opens: date
    closes: date


def visit_slot(slots: Sequence[VisitSlot[K]], visited_on: date) -> VisitSlot[K] | None:
    """The calendar visit a home visit on `visited_on` stands for.

    The earliest one whose window holds the date; else the nearest of the one that closed last
    before it (a late visit) and one opening within EARLY_VISIT after it (an early visit); else
    none: an extra visit (progressive patronage) leaves the calendar's visits as they are.
    """
    open_now = [s for s in slots if s.opens <= visited_on <= s.closes]
    if open_now:
        return min(open_now, key=lambda s: (s.opens, s.closes))
    late = max((s for s in slots if s.closes < visited_on), key=lambda s: s.closes, default=None)
    early = min((s for s in slots if visited_on < s.opens <= visited_on + EARLY_VISIT), key=lambda s: s.opens, default=None)
    if late is None or early is None:
        return late or early
    return late if (visited_on - late.closes) <= (early.opens - visited_on) else early


# --- finding a family ----------------------------------------------------------------------------

MIN_PHONE_DIGITS = 3
MAX_QUERY = 64
_PHONE_TYPED = re.compile(r"\+?[0-9\s().\-]+")


def phone_fragment(text: str) -> str | None:
    """Digits to look for in her phone, if what was typed is a (part of a) phone number.

    Spaces and punctuation are ignored, and so are the +7 and 8 prefixes: "+7 701 123", "8701123"
    and "701 123" all look for "701123". None if it is not a number, or has fewer than 3 digits."""
    stripped = text.strip()
    if len(stripped) > MAX_QUERY or not _PHONE_TYPED.fullmatch(stripped):
        return None
    digits = re.sub(r"[^0-9]", "", stripped)
    if stripped.startswith("+") and digits.startswith("7"):
        digits = digits[1:]  # the country code
    elif len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]  # a whole number with its country code or trunk prefix
    elif digits.startswith("87"):
        digits = digits[1:]  # the trunk prefix before a mobile code (7xx)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def name_variants(text: str) -> tuple[str, ...]:
    """Spellings of a typed part of a name to look for, as typed and in the usual cases.

    SQLite folds case for ASCII only; names are mostly Cyrillic, so the search looks for each
    form ("айгерим" → "айгерим", "Айгерим", "АЙГЕРИМ")."""
    query = " ".join(text.split())[:MAX_QUERY]
    if not query:
        return ()
    forms = (query, query.lower(), query.capitalize(), query.title(), query.upper())
    return tuple(dict.fromkeys(forms))


# --- a support plan's progress -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int


def progress(done_flags: Iterable[bool]) -> Progress:
    flags = list(done_flags)
    return Progress(sum(flags), len(flags))


# --- fitting a card into one message -------------------------------------------------------------

CARD_LIMIT = 4000  # Telegram takes 4,096 characters: room for what HTML parsing does not remove


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji is often two)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list on a card; when the card is too long, its tail becomes "and N more"."""

    heading: str | None
    lines: tuple[str, ...]
    keep: int = 1  # lines never cut away (while there is room for them)
    hidden: int = 0  # more lines left out already (a list shown only in part)


def fit_card(
    head: Sequence[str], sections: Sequence[Section], more: Callable[[int], str], limit: int = CARD_LIMIT
) -> str:
    """The card as one text within `limit`: the longest lists are shortened first, each with a line
    saying how many more there are. If even that is too long, whole lines go from the end."""
    shown = [len(s.lines) for s in sections]

    def build() -> list[str]:
        lines = list(head)
        for section, count in zip(sections, shown, strict=True):
            if not section.lines:
                continue
            lines.append("")
            if section.heading:
                lines.append(section.heading)
            lines.extend(section.lines[:count])
            if count < len(section.lines) or section.hidden:
                lines.append(more(len(section.lines) - count + section.hidden))
        return lines

    lines = build()
    while utf16_len("\n".join(lines)) > limit:
        cuttable = [i for i, s in enumerate(sections) if shown[i] > min(s.keep, len(s.lines))]
        if not cuttable:
            break
        longest = max(cuttable, key=lambda i: (shown[i], i))
        shown[longest] -= 1
        lines = build()
    while len(lines) > 1 and utf16_len("\n".join(lines)) > limit:
        lines.pop()
    return "\n".join(lines)

"""Weekly pregnancy guidance and child-age guidance, read from ``guidance.toml`` next to this file.

One short message per pregnancy week 4–42, per child month 1–24 and then every three months
27, 30, …, 60 — each in Kazakh, Russian and English. The file is loaded once and validated on load;
a broken file raises ``GuidanceContentError`` naming the entry at fault, so a bad edit fails at
startup instead of in a conversation.

Weeks are completed weeks of pregnancy (as ``bot.domain.pregnancy`` counts them) and months are
completed months of age (as ``bot.domain.children`` counts them).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

from bot.content.common import LANGUAGES, ContentError, pick_language, read_packaged
from bot.domain.calendar import Track

__all__ = [
    "CHILD_MONTHS",
    "LANGUAGES",
    "MAX_CHARS",
    "MIN_CHARS",
    "PREGNANCY_WEEKS",
    "Guidance",
    "GuidanceContentError",
    "Stage",
    "all_guidance",
    "child_guidance",
    "load_guidance",
    "parse_guidance",
    "pregnancy_guidance",
]

Stage = Literal[Track.PREGNANCY, Track.CHILD]  # the tracks with a message a week or a month

GUIDANCE_FILE = "guidance.toml"

PREGNANCY_WEEKS: tuple[int, ...] = tuple(range(4, 43))  # 4..42
CHILD_MONTHS: tuple[int, ...] = (*range(1, 25), *range(27, 61, 3))  # 1..24, then 27, 30, ..., 60

MIN_CHARS = 150
MAX_CHARS = 900
# The bot sends messages with HTML parse mode and formats some texts with str.format: these
# characters would be read as markup or placeholders ("&" would start an HTML entity).
_FORBIDDEN = ("<", ">", "&", "{", "}")

# stage -> (the key holding the number, the numbers that must be present)
_STAGES: dict[Stage, tuple[str, tuple[int, ...]]] = {
    Track.PREGNANCY: ("week", PREGNANCY_WEEKS),
    Track.CHILD: ("month", CHILD_MONTHS),
}


class GuidanceContentError(ContentError):
    """The guidance file is missing something or contradicts itself."""


@dataclass(frozen=True)
class Guidance:
    stage: Stage
    number: int  # the pregnancy week or the child's age in completed months
    texts: Mapping[str, str] = field(hash=False, compare=True)

    def text(self, lang: str) -> str:
        """The text in ``lang`` ("kk", "ru", "en"); unknown languages fall back en → ru → kk."""
        return pick_language(self.texts, lang)


def _check_text(value: Any, where: str, lang: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GuidanceContentError(f"{where}: missing or empty text in {lang!r}")
    text = value.strip()
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        raise GuidanceContentError(
            f"{where}: text in {lang!r} is {len(text)} characters; allowed {MIN_CHARS}–{MAX_CHARS}"
        )
    for char in _FORBIDDEN:
        if char in text:
            raise GuidanceContentError(
                f"{where}: text in {lang!r} contains {char!r}; plain text only "
                "(no '<', '>', '&', '{' or '}')"
            )
    return text


def _parse_entry(entry: Any, stage: Stage, index: int) -> Guidance:
    key, allowed = _STAGES[stage]
    where = f"{GUIDANCE_FILE}: {stage}[{index}]"
    if not isinstance(entry, dict):
        raise GuidanceContentError(f"{where}: expected a table")
    number = entry.get(key)
    # bool is an int subclass: "week = true" must not pass as week 1.
    if not isinstance(number, int) or isinstance(number, bool):
        raise GuidanceContentError(f"{where}: {key!r} must be a whole number, got {number!r}")
    where = f"{GUIDANCE_FILE}: {stage} {key} {number}"
    if number not in allowed:
        raise GuidanceContentError(f"{where}: no such {key}; allowed {_describe(stage)}")
    unknown = sorted(set(entry) - {key, *LANGUAGES})
    if unknown:
        raise GuidanceContentError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
    texts = {lang: _check_text(entry.get(lang), where, lang) for lang in LANGUAGES}
    return Guidance(stage=stage, number=number, texts=MappingProxyType(texts))


def _describe(stage: Stage) -> str:
    return "weeks 4–42" if stage == Track.PREGNANCY else "months 1–24 and 27–60 in steps of 3"


def parse_guidance(text: str) -> tuple[Guidance, ...]:
    """Parse and validate the file's text. Raises ``GuidanceContentError``.

    The result lists pregnancy weeks in ascending order, then child months in ascending order.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GuidanceContentError(f"{GUIDANCE_FILE}: not valid TOML: {exc}") from exc

    for name, value in doc.items():
        if name not in _STAGES and not isinstance(value, str):
            raise GuidanceContentError(
                f"{GUIDANCE_FILE}: unknown table or array {name!r} (expected [[pregnancy]] and [[child]])"
            )

    result: list[Guidance] = []
    for stage, (key, required) in _STAGES.items():
        raw = doc.get(stage)
        if not isinstance(raw, list):
            raise GuidanceContentError(
                f"{GUIDANCE_FILE}: '{stage}': expected an array of tables ([[{stage}]])"
            )
        seen: dict[int, Guidance] = {}
        for index, entry in enumerate(raw):
            item = _parse_entry(entry, stage, index)
            if item.number in seen:
                raise GuidanceContentError(
                    f"{GUIDANCE_FILE}: {stage} {key} {item.number}: duplicate entry"
                )
            seen[item.number] = item
        missing = [n for n in required if n not in seen]
        if missing:
            raise GuidanceContentError(
                f"{GUIDANCE_FILE}: {stage}: missing {key}(s) {', '.join(map(str, missing))}"
            )
        result.extend(seen[n] for n in required)
    return tuple(result)


def _read() -> str:
    return read_packaged(GUIDANCE_FILE, GuidanceContentError)


@cache
def load_guidance() -> tuple[Guidance, ...]:
    """The packaged guidance, loaded and validated once."""
    return parse_guidance(_read())


@cache
def _by_key() -> dict[tuple[Stage, int], Guidance]:
    return {(g.stage, g.number): g for g in load_guidance()}


def all_guidance() -> tuple[Guidance, ...]:
    """Every message: pregnancy weeks 4–42, then child months 1–24, 27, 30, …, 60."""
    return load_guidance()


def pregnancy_guidance(week: int) -> Guidance | None:
    """The message for completed pregnancy week ``week`` (4–42); None for any other week."""
    return _by_key().get((Track.PREGNANCY, week))


def child_guidance(age_months: int) -> Guidance | None:
    """The message for a child aged ``age_months`` completed months.

    Months 1–24 each have a message; from 25 to 60 only every third month (27, 30, …, 60) does.
    Any other age (0, 25, 26, 28, 61, …) gives None.
    """
    return _by_key().get((Track.CHILD, age_months))

"""The console's lists (Step 9): the filters of the families line list and the sort of the nurses table,
read from a query string or a form. Every value is checked against a fixed list: anything else is
ignored (a forged or stale link shows the list without that filter), never passed on. Pure rules, no I/O.

Two definitions the lists count by, written once here:

- "missed checks": a scheduled self-check whose nudge went out between MISSED_WINDOW and MISSED_AFTER
  ago and that no scheduled check she started since answers (the family card names each one);
- "overdue home visit" (a simple rule, not the calendar's windows, so that a database can filter a
  million families by it): a family with an active pregnancy or a child under one year whose last home
  visit, or when never visited her registration, is more than VISIT_EVERY[risk] days ago.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from bot.domain.caseload import RiskLevel, name_variants, phone_fragment
from bot.domain.overview import median as median_of
from bot.domain.today import MISSED_WITHIN

PAGE_SIZE = 50
COUNT_CAP = 10_000  # a count stops here ("10,000+"): counting a million rows costs more than it tells
MAX_PAGE = COUNT_CAP // PAGE_SIZE
EXPORT_CAP = 100_000  # rows in one export
MAX_QUERY = 64
REASON_MIN, REASON_MAX = 5, 200

MISSED_AFTER = timedelta(days=1)  # as the family card (bot.services.caseload.MISSED_AFTER)
MISSED_WINDOW = MISSED_WITHIN  # the same two weeks as a nurse's day (bot/domain/today.py)
VISIT_EVERY: Mapping[RiskLevel, int] = {RiskLevel.UNIVERSAL: 60, RiskLevel.PROGRESSIVE: 30}
BABY_DAYS = 365  # "a child under one year"
NURSE_WINDOW = timedelta(days=30)  # the nurses table's medians look this far back


class Stage(StrEnum):
    """Where a family is, one per family: an active pregnancy first, then a child, then planning."""

    PREGNANT = "pregnant"
    CHILD = "child"
    PLANNING = "planning"


FLAGS = ("missed", "overdue", "alert", "no_nurse")


@dataclass(frozen=True, slots=True)
class LineFilters:
    stage: Stage | None = None
    risk: RiskLevel | None = None
    missed: bool = False  # missed checks
    overdue: bool = False  # overdue home visit
    alert: bool = False  # an open alert
    no_nurse: bool = False
    q: str = ""  # what she typed to find a family (name or phone digits)
    names: tuple[str, ...] = field(default=(), compare=False)
    phone: str | None = field(default=None, compare=False)

    def params(self) -> list[tuple[str, str]]:
        """The filters as a query string's pairs (links to other pages keep them; the page is not here)."""
        pairs: list[tuple[str, str]] = []
        if self.stage is not None:
            pairs.append(("stage", self.stage.value))
        if self.risk is not None:
            pairs.append(("risk", self.risk.value))
        pairs += [(flag, "1") for flag in FLAGS if getattr(self, flag)]
        if self.q:
            pairs.append(("q", self.q))
        return pairs

    def codes(self) -> dict[str, str]:
        """For the audit log: the filters as codes; what she searched for is not written, only by what."""
        found = {name: value for name, value in self.params() if name != "q"}
        if self.q:
            found["q"] = "phone" if self.phone is not None else "name"
        return found

    @property
    def any(self) -> bool:
        return bool(self.params())


def _one(query: Mapping[str, str], name: str) -> str:
    value = query.get(name, "")
    return value if isinstance(value, str) else ""


def parse_filters(query: Mapping[str, str]) -> LineFilters:
    """The filters from a query string or a form; unknown values are ignored."""
    stage = _one(query, "stage")
    risk = _one(query, "risk")
    typed = " ".join(_one(query, "q").split())[:MAX_QUERY]
    phone = phone_fragment(typed) if typed else None
    names: tuple[str, ...] = ()
    if typed and phone is None:
        names = () if any(ch.isdigit() for ch in typed) else name_variants(typed)
        if not names:
            typed = ""  # digits too few to be a phone, mixed with letters: nothing to look for
    return LineFilters(
        stage=Stage(stage) if stage in {s.value for s in Stage} else None,
        risk=RiskLevel(risk) if risk in {r.value for r in RiskLevel} else None,
        missed=_one(query, "missed") == "1",
        overdue=_one(query, "overdue") == "1",
        alert=_one(query, "alert") == "1",
        no_nurse=_one(query, "no_nurse") == "1",
        q=typed,
        names=names,
        phone=phone,
    )


_DIGITS = re.compile(r"[0-9]{1,6}")


def parse_page(query: Mapping[str, str]) -> int:
    """The page asked for, from 1 (anything else: the first)."""
    value = _one(query, "page")
    if not _DIGITS.fullmatch(value):
        return 1
    return min(max(int(value), 1), MAX_PAGE)


def pages(total: int) -> int:
    return max(1, -(-min(total, COUNT_CAP) // PAGE_SIZE))


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def parse_format(query: Mapping[str, str]) -> ExportFormat | None:
    value = _one(query, "format")
    return ExportFormat(value) if value in {f.value for f in ExportFormat} else None


def clean_reason(typed: str) -> str | None:
    """Why she exports personal data, as she typed it (spaces folded); None if too short or too long."""
    reason = " ".join(typed.split())
    return reason if REASON_MIN <= len(reason) <= REASON_MAX else None


# --- the nurses table ------------------------------------------------------------------------------

class NurseColumn(StrEnum):
    NAME = "name"
    POLYCLINIC = "polyclinic"
    FAMILIES = "families"
    PROGRESSIVE = "progressive"
    OPEN_ALERTS = "open_alerts"
    TAKE_MEDIAN = "take_median"
    QUESTIONS = "questions"
    ANSWER_MEDIAN = "answer_median"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class NurseSort:
    column: NurseColumn = NurseColumn.NAME
    descending: bool = False


def parse_sort(query: Mapping[str, str]) -> NurseSort:
    column = _one(query, "sort")
    direction = _one(query, "dir")
    return NurseSort(
        NurseColumn(column) if column in {c.value for c in NurseColumn} else NurseColumn.NAME,
        direction == "desc",
    )


def median(values: list[timedelta]) -> timedelta | None:
    """The overview's median (bot.domain.overview.median), of durations."""
    middle = median_of([value.total_seconds() for value in values])
    return None if middle is None else timedelta(seconds=middle)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet must not run as a formula: one starting with = + - @ (or a tab or a
    carriage return) gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value

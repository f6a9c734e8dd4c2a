"""Pregnancy dating: gestational age from the expected due date.

Everything is kept as a due date (280 days after the first day of the last menstrual period,
LMP). Gestational age on a day is ``280 − (due − today)`` days; the week shown to a woman is the
number of completed weeks ("week 12" = 12 weeks + 0–6 days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "FULL_TERM_DAYS",
    "MAX_WEEK",
    "MIN_WEEK",
    "DatingError",
    "DatingMethod",
    "DatingValidationError",
    "LifeEventKind",
    "PregnancyDating",
    "PregnancyStatus",
    "date_from_due",
    "date_from_lmp",
    "date_from_week",
    "parse_week",
]

FULL_TERM_DAYS = 280  # 40 weeks from LMP to the expected due date
MIN_WEEK = 1  # a number she may type at all
FIRST_WEEK = 4  # the earliest week we accept: before it a pregnancy is rarely confirmed and cannot be dated
MAX_WEEK = 42
DUE_MAX_PAST_DAYS = 14  # a due date at most 2 weeks ago is still accepted
DUE_MAX_AHEAD_DAYS = 42 * 7
LMP_MAX_AGO_DAYS = 44 * 7


class DatingMethod(StrEnum):
    DUE_DATE = "due_date"
    LMP = "lmp"
    WEEK = "week"


class PregnancyStatus(StrEnum):
    """pregnancies.status: a woman has at most one active pregnancy."""

    ACTIVE = "active"
    BORN = "born"
    LOST = "lost"


class LifeEventKind(StrEnum):
    """life_events.kind: how a pregnancy ended, which her nurse hears once."""

    BIRTH = "birth"
    PREGNANCY_LOST = "pregnancy_lost"


class DatingError(StrEnum):
    DUE_TOO_FAR_IN_PAST = "due_too_far_in_past"  # due date more than 2 weeks ago
    DUE_TOO_FAR_AHEAD = "due_too_far_ahead"  # more than 42 weeks ahead
    LMP_IN_FUTURE = "lmp_in_future"
    LMP_TOO_LONG_AGO = "lmp_too_long_ago"  # more than 44 weeks ago
    WEEK_OUT_OF_RANGE = "week_out_of_range"  # allowed 1–42
    TOO_EARLY = "too_early"  # before week 4: too early to confirm or date a pregnancy


class DatingValidationError(ValueError):
    def __init__(self, error: DatingError) -> None:
        super().__init__(error.value)
        self.error = error


@dataclass(frozen=True)
class PregnancyDating:
    due_date: date
    method: DatingMethod
    # The LMP she typed; None when dated by due date or by week (nothing she reported).
    lmp_date: date | None

    def gestational_days(self, today: date) -> int:
        """Days since the (estimated) LMP. Can be negative or beyond 294 at the far edges."""
        return FULL_TERM_DAYS - (self.due_date - today).days

    def week(self, today: date) -> int:
        """Completed weeks of pregnancy (never below 0)."""
        return max(self.gestational_days(today), 0) // 7

    def day_of_week(self, today: date) -> int:
        """Days past the completed weeks, 0–6 (0 before the pregnancy has started)."""
        return max(self.gestational_days(today), 0) % 7

    def trimester(self, today: date) -> int:
        """1 for weeks 0–13, 2 for weeks 14–27, 3 from week 28."""
        week = self.week(today)
        if week < 14:
            return 1
        if week < 28:
            return 2
        return 3


def date_from_due(due: date, today: date) -> PregnancyDating:
    """Dating from the due date her doctor gave. Raises ``DatingValidationError``."""
    ahead = (due - today).days
    if ahead < -DUE_MAX_PAST_DAYS:
        raise DatingValidationError(DatingError.DUE_TOO_FAR_IN_PAST)
    if ahead > DUE_MAX_AHEAD_DAYS:
        raise DatingValidationError(DatingError.DUE_TOO_FAR_AHEAD)
    _not_too_early(FULL_TERM_DAYS - ahead)
    return PregnancyDating(due_date=due, method=DatingMethod.DUE_DATE, lmp_date=None)


def _not_too_early(gestation_days: int) -> None:
    if gestation_days < FIRST_WEEK * 7:
        raise DatingValidationError(DatingError.TOO_EARLY)


def date_from_lmp(lmp: date, today: date) -> PregnancyDating:
    """Dating from the first day of the last period: due = LMP + 280 days."""
    if lmp > today:
        raise DatingValidationError(DatingError.LMP_IN_FUTURE)
    if (today - lmp).days > LMP_MAX_AGO_DAYS:
        raise DatingValidationError(DatingError.LMP_TOO_LONG_AGO)
    _not_too_early((today - lmp).days)
    return PregnancyDating(
        due_date=lmp + timedelta(days=FULL_TERM_DAYS), method=DatingMethod.LMP, lmp_date=lmp
    )


def date_from_week(week: int, today: date) -> PregnancyDating:
    """Dating from the week she says she is in; today counts as day 0 of that week."""
    if not MIN_WEEK <= week <= MAX_WEEK:
        raise DatingValidationError(DatingError.WEEK_OUT_OF_RANGE)
    _not_too_early(7 * week)
    lmp = today - timedelta(days=7 * week)
    return PregnancyDating(
        due_date=lmp + timedelta(days=FULL_TERM_DAYS), method=DatingMethod.WEEK, lmp_date=None
    )


# A number, optionally followed by a word for "week(s)" in Kazakh, Russian or English:
# "12", "12 weeks", "12w", "12 апта", "12-апта", "12 недель", "12 неделя", "12 нед.".
_WEEK_TEXT = re.compile(
    r"([0-9]{1,3})\s*-?\s*"
    r"(?:weeks?|wks?|w|апта(?:да|сы|м)?|недел[яиьюе]|недель|нед\.?|н\.?)?",
    re.IGNORECASE,
)


def parse_week(text: str) -> int | None:
    """The week number in "12", " 12 ", "12 weeks", "12 апта", "12 недель", "12 нед"; else None.

    The range is not checked here (``date_from_week`` does that).
    """
    if len(text) > 40:
        return None
    match = _WEEK_TEXT.fullmatch(text.strip())
    if match is None:
        return None
    return int(match.group(1))

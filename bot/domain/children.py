"""Children: birth-date checks and a calendar-correct age.

Age convention: a month (or year) is completed on the same day-of-month as the birth; if that day
does not exist in the month (born 31 Jan → February; born 29 Feb → a common year), it is completed
on the 1st of the following month. So a child born 31 Jan is 0 months 28 days old on 28 Feb and
1 month 0 days on 1 Mar, and a child born 29 Feb 2024 turns 1 on 1 Mar 2025. With this rule the
age never skips or repeats a day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["MAX_AGE_YEARS", "MAX_CHILDREN", "BirthDateError", "ChildAge", "Sex", "child_age", "validate_birth_date"]

MAX_AGE_YEARS = 6  # the programme covers children under six
MAX_CHILDREN = 10  # children under five a family can hold: keeps every list and summary within one message


class Sex(StrEnum):
    GIRL = "girl"
    BOY = "boy"


class BirthDateError(StrEnum):
    IN_FUTURE = "in_future"
    TOO_OLD = "too_old"  # 6 years or older


@dataclass(frozen=True)
class ChildAge:
    years: int
    months: int  # 0–11, after the years
    days: int  # after the years and months
    total_days: int
    total_months: int  # years * 12 + months


def _month_anniversary(birth: date, months: int) -> date:
    """The day on which ``months`` full months since ``birth`` are completed."""
    year_offset, month_index = divmod(birth.month - 1 + months, 12)
    year, month = birth.year + year_offset, month_index + 1
    if birth.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, birth.day)
    # The day does not exist in that month: completed on the 1st of the next month.
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def child_age(birth: date, today: date) -> ChildAge:
    """Age on ``today`` of a child born on ``birth``. Raises ``ValueError`` if born after today."""
    if birth > today:
        raise ValueError(f"birth date {birth} is after {today}")
    total_months = (today.year - birth.year) * 12 + (today.month - birth.month)
    anniversary = _month_anniversary(birth, total_months)
    if anniversary > today:
        total_months -= 1
        anniversary = _month_anniversary(birth, total_months)
    years, months = divmod(total_months, 12)
    return ChildAge(
        years=years,
        months=months,
        days=(today - anniversary).days,
        total_days=(today - birth).days,
        total_months=total_months,
    )


def validate_birth_date(birth: date, today: date) -> BirthDateError | None:
    """None if ``birth`` is a possible birth date of a child under six on ``today``."""
    if birth > today:
        return BirthDateError.IN_FUTURE
    if child_age(birth, today).years >= MAX_AGE_YEARS:
        return BirthDateError.TOO_OLD
    return None

"""The rules of a nurse's day (/today and the console's "My day"): which newborns she is to visit this
week and which home visits are overdue. Pure: dates in, yes or no out; the local date is the caller's
(app.today()), never the UTC one."""

from __future__ import annotations

from datetime import date, timedelta

WEEK = timedelta(days=6)  # "this week": today and the six days after it
NEWBORN_DAYS = 28  # a newborn: the first 28 days of life (the neonatal period)
JUST_BORN_DAYS = 7  # born within the last week: on her list even before a visit window opens
OVERDUE_WITHIN = 30  # a visit whose window closed longer ago than this is history, not today's work
MISSED_WITHIN = timedelta(days=14)  # checks nudged within the last two weeks and never answered


def week_of(today: date) -> tuple[date, date]:
    return today, today + WEEK


def is_newborn(born: date, today: date) -> bool:
    return 0 <= (today - born).days <= NEWBORN_DAYS


def just_born(born: date, today: date) -> bool:
    return 0 <= (today - born).days <= JUST_BORN_DAYS


def due_this_week(opens: date, closes: date, today: date) -> bool:
    """A visit not done yet whose window is open on some day of this week."""
    first, last = week_of(today)
    return opens <= last and closes >= first


def overdue(closes: date, today: date, registered: date) -> bool:
    """A visit not done whose window closed (before today) within the last OVERDUE_WITHIN days and after
    the day she registered (a window that closed before the bot followed her was never hers to miss)."""
    return registered < closes < today and (today - closes).days <= OVERDUE_WITHIN

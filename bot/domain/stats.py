"""Statistics for admins: the figures of one place, how they add up, and the periods they cover.

Counts only: nothing here (or in what is built from it) names a person. Periods are local days:
"the last 7 days" is today and the 6 days before it, in the programme's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo

SHORT_DAYS = 7
LONG_DAYS = 30  # also the length of the daily series and of the questions' period


@dataclass(frozen=True, slots=True)
class Figures:
    """What is counted for a polyclinic, a region or the whole scope. Every field adds up."""

    registered: int = 0
    pregnant: int = 0  # an active pregnancy
    planning: int = 0
    parents: int = 0  # at least one child
    paused: int = 0  # /stop, and still reachable
    unreachable: int = 0  # blocked the bot (whether paused or not)
    without_nurse: int = 0
    new_short: int = 0  # registered in the last 7 days
    new_long: int = 0  # ... 30 days
    reminders_short: int = 0  # care and appointment reminders sent
    reminders_long: int = 0
    done_short: int = 0  # calendar items she marked done
    done_long: int = 0
    tips_short: int = 0  # weekly or monthly guidance sent
    tips_long: int = 0
    announcements_short: int = 0  # broadcast messages delivered
    announcements_long: int = 0
    delivered_short: int = 0  # every message the bot delivered to families
    delivered_long: int = 0
    asked: int = 0  # questions (messages from families) in the last 30 days
    answered: int = 0  # ... of which answered

    @property
    def active(self) -> int:
        return self.registered - self.paused - self.unreachable

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)))


def total(figures: Iterable[Figures]) -> Figures:
    result = Figures()
    for one in figures:
        result = result + one
    return result


@dataclass(frozen=True, slots=True)
class Periods:
    """The UTC instants the queries compare with."""

    short_since: datetime
    long_since: datetime
    day_starts: tuple[datetime, ...]  # the start of each of the last 30 local days, and of tomorrow
    days: tuple[date, ...]  # those 30 days, oldest first


def local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def periods(today: date, tz: tzinfo, *, short: int = SHORT_DAYS, long: int = LONG_DAYS) -> Periods:
    days = tuple(today - timedelta(days=n) for n in range(long - 1, -1, -1))
    starts = tuple(local_midnight(day, tz) for day in (*days, today + timedelta(days=1)))
    return Periods(
        short_since=local_midnight(today - timedelta(days=short - 1), tz),
        long_since=starts[0],
        day_starts=starts,
        days=days,
    )


def middle_median(middle: Sequence[float]) -> float | None:
    """The median from the one (odd count) or two (even count) middle values, as SQL hands them back."""
    if not middle:
        return None
    return sum(middle) / len(middle)


@dataclass(frozen=True, slots=True)
class Duration:
    days: int
    hours: int
    minutes: int


def split_duration(seconds: float) -> Duration:
    """Rounded to the minute; under a minute counts as one, so an answer is never "0 min"."""
    minutes = max(1, round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return Duration(days, hours, minutes)

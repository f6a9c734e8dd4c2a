"""The console's overview (Step 9): the figures of one scope, how they add up, and the small statistics
they need (median, 90th percentile, shares, week buckets). Pure: no I/O, counts only, never a person.

Definitions, kept with the /stats and broadcast rules they share:

- Trimesters and child age bands are the broadcast audience's (bot.domain.audience): trimester by
  completed weeks as PregnancyDating.trimester, age bands by completed years (0–1, 1–2, 2–3, 3–5).
- Periods are /stats' local days (bot.domain.stats.periods): "the last 7 days" is today and the 6 before.
- The median of an even count is the mean of its two middle values; the 90th percentile is the
  nearest rank (the value at rank ⌈0.9·n⌉ of the sorted values), so it is always a time that occurred.
- Weeks start on Monday (local midnight); the trend has this week (so far) and the 25 before it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from bot.domain.audience import AGE_BANDS, TRIMESTERS

TREND_WEEKS = 26  # six months
P90 = 0.9
BANDS = ("urgent", "high")  # the bands an alert has
TIERS = (0, 1, 2, 3)  # bot.domain.questions.Tier: nurse, polyclinic, region, national
AGE_BAND_NAMES: tuple[str, ...] = tuple(AGE_BANDS)
TRIMESTER_NUMBERS: tuple[int, ...] = TRIMESTERS


# --- statistics ----------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile_rank(total: int, q: float) -> int:
    """The 1-based rank of the q-th quantile by the nearest-rank method (0 for no values)."""
    if total <= 0:
        return 0
    return min(total, max(1, math.ceil(round(q * total, 9))))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[percentile_rank(len(ordered), q) - 1]


def median_ranks(total: int) -> tuple[int, int]:
    """The 1-based ranks whose mean is the median: one rank twice for an odd count."""
    return (total + 1) // 2, (total + 2) // 2


def share(part: int, whole: int) -> float | None:
    """part / whole, None when there is nothing to divide."""
    return part / whole if whole > 0 else None


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage, rounded half up (None when whole is 0)."""
    if whole <= 0:
        return None
    return math.floor(100 * part / whole + 0.5)


# --- weeks ---------------------------------------------------------------------------------------

def week_starts(today: date, weeks: int = TREND_WEEKS) -> tuple[date, ...]:
    """The Mondays of the last `weeks` weeks (this week last), and the Monday after this week (the end)."""
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    return tuple(first + timedelta(weeks=n) for n in range(weeks + 1))


# --- the figures ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlaceCounts:
    """Families of a polyclinic, a region or the whole scope. Every field adds up."""

    registered: int = 0
    pregnant: int = 0  # an active pregnancy
    planning: int = 0
    parents: int = 0  # at least one child
    paused: int = 0  # /stop, and still reachable
    unreachable: int = 0  # blocked the bot (paused or not)
    without_nurse: int = 0

    @property
    def active(self) -> int:
        return self.registered - self.paused - self.unreachable

    def __add__(self, other: PlaceCounts) -> PlaceCounts:
        return PlaceCounts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(PlaceCounts)))


Place = tuple[str, str | None]  # (region, polyclinic)


def total(counts: Iterable[PlaceCounts]) -> PlaceCounts:
    result = PlaceCounts()
    for one in counts:
        result = result + one
    return result


def by_region(places: Mapping[Place, PlaceCounts]) -> dict[str, PlaceCounts]:
    regions: dict[str, PlaceCounts] = {}
    for (region, _polyclinic), counts in places.items():
        regions[region] = regions.get(region, PlaceCounts()) + counts
    return regions


@dataclass(frozen=True, slots=True)
class AlertBandFigures:
    band: str
    last_short: int = 0  # raised in the last 7 days
    last_long: int = 0  # ... 30 days
    taken: int = 0  # of the 30 days' alerts: acknowledged by someone
    within_limit: int = 0  # ... within the band's wait limit
    median_seconds: float | None = None  # time to take, over the 30 days' taken alerts
    p90_seconds: float | None = None

    @property
    def within_percent(self) -> int | None:
        """Of the 30 days' alerts (taken or not), the share taken within the limit."""
        return percent(self.within_limit, self.last_long)


@dataclass(frozen=True, slots=True)
class SelfCheckFigures:
    questionnaire: str
    started: int = 0  # begun in the last 30 days
    completed: int = 0  # ... and finished
    positive: int = 0  # ... finished with a positive result

    @property
    def completion_percent(self) -> int | None:
        return percent(self.completed, self.started)

    @property
    def positive_percent(self) -> int | None:
        return percent(self.positive, self.completed)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Patronage home visits: recorded (at most as many per family as are due) against due."""

    due: int = 0
    covered: int = 0  # visits recorded, counted up to the family's visits due
    recorded: int = 0  # every home visit recorded for these families

    @property
    def percent(self) -> int | None:
        return percent(self.covered, self.due)


@dataclass(frozen=True, slots=True)
class Trend:
    weeks: tuple[date, ...]  # each week's Monday
    registrations: tuple[int, ...]
    alerts: tuple[int, ...]
    checks: tuple[int, ...]  # self-checks completed


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: datetime  # UTC
    total: PlaceCounts
    places: dict[Place, PlaceCounts]
    trimesters: dict[int, int]  # trimester → pregnant women
    ages: dict[str, int]  # age band → children
    alerts: tuple[AlertBandFigures, ...]  # urgent, high
    tiers: dict[int, int]  # tier reached → alerts of the last 30 days
    self_checks: tuple[SelfCheckFigures, ...]
    reminders_delivered: int  # last 30 days
    reminders_done: int  # calendar items marked done in the last 30 days
    coverage: Coverage
    trend: Trend

    @property
    def alerts_short(self) -> int:
        return sum(band.last_short for band in self.alerts)

    @property
    def alerts_long(self) -> int:
        return sum(band.last_long for band in self.alerts)


def alert_figures(
    counts: Mapping[str, Mapping[str, int]], middles: Mapping[str, Sequence[float]], p90: Mapping[str, float]
) -> tuple[AlertBandFigures, ...]:
    """Both bands, in order, from the database's counts and ranked take times (missing: zeros)."""
    result = []
    for band in BANDS:
        found = counts.get(band, {})
        middle = middles.get(band, ())
        result.append(
            AlertBandFigures(
                band=band,
                last_short=found.get("last_short", 0),
                last_long=found.get("last_long", 0),
                taken=found.get("taken", 0),
                within_limit=found.get("within_limit", 0),
                median_seconds=sum(middle) / len(middle) if middle else None,
                p90_seconds=p90.get(band),
            )
        )
    return tuple(result)

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
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    first, second = median_ranks(len(ordered))
    return (ordered[first - 1] + ordered[second - 1]) / 2


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


# --- one count for every scope -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Programme:
    """Everything the overview counts, per place (region, polyclinic): counted once for the whole
    programme, it gives the overview of any region or polyclinic without counting again. Every figure
    adds up across places; times to take an alert are kept one by one (a month's alerts, bounded by how
    many alerts there are), so any set of places has its own median and 90th percentile."""

    as_of: datetime
    weeks: tuple[date, ...]  # the trend's Mondays (this week last)
    places: Mapping[Place, PlaceCounts]
    trimesters: Mapping[Place, Mapping[int, int]]
    ages: Mapping[Place, Mapping[str, int]]
    raised: Mapping[Place, Mapping[tuple[str, int], Mapping[str, int]]]  # (band, tier) → counts
    take_times: Mapping[Place, Mapping[str, Sequence[float]]]  # band → seconds
    checks: Mapping[Place, Mapping[str, tuple[int, int, int]]]  # questionnaire → started, completed, positive
    reminders: Mapping[Place, tuple[int, int]]  # delivered, marked done
    coverage: Mapping[Place, tuple[int, int, int]]  # due, covered, recorded
    registrations: Mapping[Place, Sequence[int]]  # per week
    alerts_per_week: Mapping[Place, Sequence[int]]
    checks_per_week: Mapping[Place, Sequence[int]]


def _add_weeks(into: list[int], more: Sequence[int]) -> None:
    for index, value in enumerate(more[: len(into)]):
        into[index] += value


def overview_of(programme: Programme, keep: Callable[[Place], bool]) -> Overview:
    """The overview of the places `keep` accepts (a polyclinic, a region, all)."""
    chosen = {place for group in (programme.places, programme.trimesters, programme.ages, programme.raised,
                                  programme.take_times, programme.checks, programme.reminders, programme.coverage,
                                  programme.registrations, programme.alerts_per_week, programme.checks_per_week)
              for place in group if keep(place)}
    trimesters = dict.fromkeys(TRIMESTER_NUMBERS, 0)
    ages = dict.fromkeys(AGE_BAND_NAMES, 0)
    by_band: dict[str, dict[str, int]] = {band: {} for band in BANDS}
    tiers = dict.fromkeys(TIERS, 0)
    times: dict[str, list[float]] = {band: [] for band in BANDS}
    checks: dict[str, list[int]] = {}
    delivered = done = due = covered = recorded = 0
    span = len(programme.weeks)
    registrations, raised_weekly, completed_weekly = [0] * span, [0] * span, [0] * span
    for place in chosen:
        for trimester, count in programme.trimesters.get(place, {}).items():
            trimesters[trimester] = trimesters.get(trimester, 0) + count
        for band_name, count in programme.ages.get(place, {}).items():
            ages[band_name] = ages.get(band_name, 0) + count
        for (band, tier), counts in programme.raised.get(place, {}).items():
            into = by_band.setdefault(band, {})
            for name, value in counts.items():
                into[name] = into.get(name, 0) + value
            tiers[tier] = tiers.get(tier, 0) + counts.get("last_long", 0)
        for band, seconds in programme.take_times.get(place, {}).items():
            times.setdefault(band, []).extend(seconds)
        for questionnaire, counted in programme.checks.get(place, {}).items():
            sums = checks.setdefault(questionnaire, [0, 0, 0])
            for index, value in enumerate(counted):
                sums[index] += value
        sent, marked = programme.reminders.get(place, (0, 0))
        delivered, done = delivered + sent, done + marked
        place_due, place_covered, place_recorded = programme.coverage.get(place, (0, 0, 0))
        due, covered, recorded = due + place_due, covered + place_covered, recorded + place_recorded
        _add_weeks(registrations, programme.registrations.get(place, ()))
        _add_weeks(raised_weekly, programme.alerts_per_week.get(place, ()))
        _add_weeks(completed_weekly, programme.checks_per_week.get(place, ()))
    places = {place: counts for place, counts in programme.places.items() if keep(place)}
    middles = {band: [m] for band, values in times.items() if (m := median(values)) is not None}
    p90 = {band: p for band, values in times.items() if (p := percentile(values, P90)) is not None}
    return Overview(
        as_of=programme.as_of,
        total=total(places.values()),
        places=places,
        trimesters=trimesters,
        ages=ages,
        alerts=alert_figures(by_band, middles, p90),
        tiers=tiers,
        self_checks=tuple(SelfCheckFigures(q, *sums) for q, sums in sorted(checks.items())),
        reminders_delivered=delivered,
        reminders_done=done,
        coverage=Coverage(due=due, covered=covered, recorded=recorded),
        trend=Trend(weeks=programme.weeks, registrations=tuple(registrations), alerts=tuple(raised_weekly),
                    checks=tuple(completed_weekly)),
    )

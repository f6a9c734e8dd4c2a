"""Statistics for admins, within their scope: a national admin counts everything (and sees it per
region), a regional admin only the families of her own region. The scope is the admin's own staff
row (`Actor.region`, as the database says now), never anything a button carries.

Each use case checks the role itself, reads in one connection (aggregate queries, db/stats.py) and
writes one audit line: "stats_viewed" for the message, "stats_exported" for the CSV and the chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.stats import Figures, Periods, middle_median, periods, total
from bot.logging_setup import log_event
from bot.services import staff as staff_service
from db import staff as staff_db
from db import stats as queries
from db.stats import Place


@dataclass(frozen=True, slots=True)
class DayCounts:
    day: date  # local
    registrations: int
    delivered: int  # messages delivered to families


@dataclass(frozen=True, slots=True)
class Report:
    region: str | None  # the scope: None for national
    as_of: datetime  # UTC
    periods: Periods
    total: Figures
    regions: dict[str, Figures]  # region code → figures (one entry for a regional admin)
    polyclinics: dict[Place, Figures]
    languages: dict[str, int]
    announcements_short: int  # broadcasts that reached a family in scope in the last 7 days
    announcements_long: int  # ... 30 days
    median_seconds: float | None  # time to answer a question, over the last 30 days
    # Only in the export (the CSV): medians per region and per polyclinic, and the daily series.
    region_medians: dict[str, float | None] = field(default_factory=dict)
    polyclinic_medians: dict[Place, float | None] = field(default_factory=dict)
    days: tuple[DayCounts, ...] = ()


async def _refused(app: AppContext, actor: Actor) -> bool:
    if actor.is_admin:
        return False
    await staff_service.refuse(app, actor.user_id, "stats")
    return True


async def _audit(app: AppContext, actor: Actor, action: str, **details: str | None) -> None:
    async with app.database.transaction() as conn:
        await staff_db.audit(conn, app.clock.now(), actor.user_id, action, family_id=None, staff_id=None, region=actor.region, **details)
    log_event(action, user_id=actor.user_id)


def _periods(app: AppContext) -> Periods:
    return periods(app.today(), app.settings.tz)


def _figures_by_place(*groups: dict[Place, dict[str, int]]) -> dict[Place, Figures]:
    merged: dict[Place, dict[str, int]] = {}
    for group in groups:
        for place, counts in group.items():
            merged.setdefault(place, {}).update(counts)
    return {place: Figures(**counts) for place, counts in merged.items()}


async def _medians(conn: AsyncConnection, region: str | None, since: datetime, depth: int) -> dict[tuple[Any, ...], float | None]:
    middles = await queries.answer_medians(conn, region, since, depth)
    return {key: middle_median(values) for key, values in middles.items()}


async def _report(app: AppContext, region: str | None, *, export: bool) -> Report:
    span = _periods(app)
    short, long = span.short_since, span.long_since
    async with app.database.reading() as conn:
        polyclinics = _figures_by_place(
            await queries.family_counts(conn, region, short, long),
            await queries.delivery_counts(conn, region, short, long),
            await queries.done_counts(conn, region, short, long),
            await queries.question_counts(conn, region, long),
        )
        languages = await queries.language_counts(conn, region)
        announcements = await queries.announcement_counts(conn, region, short, long)
        median = (await _medians(conn, region, long, 0)).get(())
        region_medians: dict[str, float | None] = {}
        polyclinic_medians: dict[Place, float | None] = {}
        days: tuple[DayCounts, ...] = ()
        if export:
            region_medians = {key[0]: value for key, value in (await _medians(conn, region, long, 1)).items()}
            polyclinic_medians = {(key[0], key[1]): value for key, value in (await _medians(conn, region, long, 2)).items()}
            days = await _days(conn, region, span)
    regions: dict[str, Figures] = {}
    for (code, _polyclinic), figures in polyclinics.items():
        regions[code] = regions.get(code, Figures()) + figures
    return Report(
        region=region,
        as_of=app.clock.now(),
        periods=span,
        total=total(regions.values()),
        regions=regions,
        polyclinics=polyclinics,
        languages=languages,
        announcements_short=announcements[0],
        announcements_long=announcements[1],
        median_seconds=median,
        region_medians=region_medians,
        polyclinic_medians=polyclinic_medians,
        days=days,
    )


async def _days(conn: AsyncConnection, region: str | None, span: Periods) -> tuple[DayCounts, ...]:
    registrations = await queries.registrations_per_day(conn, region, span.day_starts)
    delivered = await queries.deliveries_per_day(conn, region, span.day_starts)
    return tuple(DayCounts(day, r, d) for day, r, d in zip(span.days, registrations, delivered, strict=True))


async def overview(app: AppContext, actor: Actor) -> Report | None:
    """The figures of /stats; None (refused and written down) for anyone but an admin."""
    if await _refused(app, actor):
        return None
    report = await _report(app, actor.region, export=False)
    await _audit(app, actor, "stats_viewed")
    return report


async def export(app: AppContext, actor: Actor) -> Report | None:
    """Everything, with medians per place and the daily series of the last 30 days: the CSV."""
    if await _refused(app, actor):
        return None
    report = await _report(app, actor.region, export=True)
    await _audit(app, actor, "stats_exported", format="csv")
    return report


async def daily(app: AppContext, actor: Actor) -> tuple[DayCounts, ...] | None:
    """Registrations and messages delivered per local day, the last 30 days: the chart."""
    if await _refused(app, actor):
        return None
    span = _periods(app)
    async with app.database.reading() as conn:
        days = await _days(conn, actor.region, span)
    await _audit(app, actor, "stats_exported", format="png")
    return days

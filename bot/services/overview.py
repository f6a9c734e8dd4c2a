"""The console's overview (Step 9): the figures of her scope (a polyclinic head's polyclinic, a regional
admin's region, everything for a national admin), read in one connection with aggregate queries
(db/overview.py) and kept per scope (bot/services/snapshots.py), so a page reloaded by several people costs one
computation a minute, however many families there are.

The scope comes from her staff row as the database says now (bot.services.caseload.scope_of); the
page checks her role before it calls this (console.viewer.require), and so does this service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.overview import Overview, Place, Programme, overview_of, week_starts
from bot.domain.stats import local_midnight, periods
from bot.logging_setup import log_event
from bot.services.caseload import scope_of
from bot.services.snapshots import snapshots
from db import overview as queries
from db.caseload import Scope


def may_see(actor: Actor) -> bool:
    """Polyclinic heads and admins; a nurse has her own day instead."""
    return actor.is_head or actor.is_admin


PROGRAMME = Scope()  # one count of every place serves every scope


def _keeps(scope: Scope) -> Callable[[Place], bool]:
    """Which places a scope covers: a polyclinic, a region, or all of them."""
    if scope.polyclinic is not None:
        return lambda place: place[1] == scope.polyclinic
    if scope.region is not None:
        return lambda place: place[0] == scope.region
    return lambda place: True


async def overview(app: AppContext, actor: Actor) -> Overview | None:
    """The figures of her scope, sliced from the latest count of the whole programme (at most a minute
    old while people look, bot/services/snapshots.py); None for a nurse."""
    if not may_see(actor):
        return None
    counted = await programme(app)
    return overview_of(counted, _keeps(scope_of(actor)))


async def programme(app: AppContext) -> Programme:
    now = app.clock.now()
    counted, _ = await snapshots(app.database, "overview").get(PROGRAMME, now, lambda: compute(app, now))
    assert isinstance(counted, Programme)
    return counted


async def compute(app: AppContext, now: datetime) -> Programme:
    """Every figure of the overview for every place, in one connection: grouped queries (db/overview.py)."""
    today, tz = app.today(), app.settings.tz
    span = periods(today, tz)
    weeks = week_starts(today)
    limits = {
        "urgent": timedelta(minutes=app.settings.alert_wait_urgent_minutes),
        "high": timedelta(minutes=app.settings.alert_wait_high_minutes),
    }
    scope = PROGRAMME
    async with app.database.reading() as conn:
        places = await queries.place_counts(conn, scope)
        trimesters = await queries.trimester_counts(conn, scope, today)
        ages = await queries.age_counts(conn, scope, today)
        raised = await queries.alert_counts(conn, scope, span.short_since, span.long_since, limits)
        times = await queries.take_times(conn, scope, span.long_since)
        checks = await queries.self_check_counts(conn, scope, span.long_since)
        reminders = await queries.reminder_counts(conn, scope, span.long_since)
        coverage = await queries.visit_coverage(conn, scope, today)
        registrations, alerts, completed = await queries.weekly_counts(conn, scope, [local_midnight(day, tz) for day in weeks])
    log_event("console_overview_counted", places=len(places))
    return Programme(
        as_of=now, weeks=weeks[:-1], places=places, trimesters=trimesters, ages=ages, raised=raised, take_times=times,
        checks=checks, reminders=reminders, coverage=coverage, registrations=registrations, alerts_per_week=alerts,
        checks_per_week=completed,
    )

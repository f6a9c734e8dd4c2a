"""The console's overview (Step 9): the figures of her scope (a polyclinic head's polyclinic, a regional
admin's region, everything for a national admin), read in one connection with aggregate queries
(db/overview.py) and kept per scope (bot/services/snapshots.py), so a page reloaded by several people costs one
computation a minute, however many families there are.

The scope comes from her staff row as the database says now (bot.services.caseload.scope_of); the
page checks her role before it calls this (console.viewer.require), and so does this service."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.overview import (
    BANDS,
    P90,
    TIERS,
    Coverage,
    Overview,
    SelfCheckFigures,
    Trend,
    alert_figures,
    total,
    week_starts,
)
from bot.domain.stats import local_midnight, periods
from bot.services.caseload import scope_of
from bot.services.snapshots import snapshots
from db import overview as queries
from db.caseload import Scope


def may_see(actor: Actor) -> bool:
    """Polyclinic heads and admins; a nurse has her own day instead."""
    return actor.is_head or actor.is_admin


async def overview(app: AppContext, actor: Actor) -> Overview | None:
    """The figures of her scope, at most a minute old; None for a nurse."""
    if not may_see(actor):
        return None
    scope = scope_of(actor)
    now = app.clock.now()
    figures, _ = await snapshots(app.database, "overview").get(scope, now, lambda: compute(app, scope, now))
    assert isinstance(figures, Overview)
    return figures


async def compute(app: AppContext, scope: Scope, now: datetime) -> Overview:
    today, tz = app.today(), app.settings.tz
    span = periods(today, tz)
    weeks = week_starts(today)
    limits = {
        "urgent": timedelta(minutes=app.settings.alert_wait_urgent_minutes),
        "high": timedelta(minutes=app.settings.alert_wait_high_minutes),
    }
    async with app.database.reading() as conn:
        places = await queries.place_counts(conn, scope)
        trimesters = await queries.trimester_counts(conn, scope, today)
        ages = await queries.age_counts(conn, scope, today)
        raised = await queries.alert_counts(conn, scope, span.short_since, span.long_since, limits)
        middles, quantiles = await queries.take_time_ranks(conn, scope, span.long_since, P90)
        checks = await queries.self_check_counts(conn, scope, span.long_since)
        delivered, done = await queries.reminder_counts(conn, scope, span.long_since)
        due, covered, recorded = await queries.visit_coverage(conn, scope, today)
        registrations, alerts, completed = await queries.weekly_counts(conn, scope, [local_midnight(day, tz) for day in weeks])
    by_band: dict[str, dict[str, int]] = {band: {} for band in BANDS}
    tiers = dict.fromkeys(TIERS, 0)
    for (band, tier), counts in raised.items():
        into = by_band.setdefault(band, {})
        for name, value in counts.items():
            into[name] = into.get(name, 0) + value
        tiers[tier] = tiers.get(tier, 0) + counts["last_long"]
    return Overview(
        as_of=now,
        total=total(places.values()),
        places=places,
        trimesters=trimesters,
        ages=ages,
        alerts=alert_figures(by_band, middles, quantiles),
        tiers=tiers,
        self_checks=tuple(SelfCheckFigures(q, *counts) for q, counts in sorted(checks.items())),
        reminders_delivered=delivered,
        reminders_done=done,
        coverage=Coverage(due=due, covered=covered, recorded=recorded),
        trend=Trend(weeks=weeks[:-1], registrations=tuple(registrations), alerts=tuple(alerts), checks=tuple(completed)),
    )

"""APScheduler runs only periodic sweeps; anything that must be sent lives in the database.

Every job reads "now" from the injected Clock, never from the system, so tests and the sandbox
can move days ahead by calling the job directly after advancing the clock.
"""

from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import AppContext
from scheduler.jobs import plan_calendars, purge_abandoned_flows


def build_scheduler(app: AppContext) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    scheduler.add_job(
        plan_calendars,
        "interval",
        minutes=1,
        args=[app],
        id="plan_calendars",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=300,
    )
    scheduler.add_job(
        purge_abandoned_flows,
        "interval",
        hours=6,
        args=[app],
        id="purge_abandoned_flows",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    return scheduler

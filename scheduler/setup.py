"""APScheduler runs only periodic sweeps; anything that must be sent lives in the database.

Every job reads "now" from the injected Clock, never from the system, so tests and the sandbox
can move days ahead by calling the job directly after advancing the clock.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import AppContext
from scheduler.jobs import plan_calendars, purge_abandoned_flows

# job, how often, how late it may still run after a pause (e.g. the machine slept)
JOBS = (
    (plan_calendars, timedelta(minutes=1), timedelta(minutes=5)),
    (purge_abandoned_flows, timedelta(hours=6), timedelta(hours=1)),
)


def build_scheduler(app: AppContext) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    for job, every, grace in JOBS:
        scheduler.add_job(
            job,
            "interval",
            seconds=every.total_seconds(),
            args=[app],
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(grace.total_seconds()),
        )
    return scheduler

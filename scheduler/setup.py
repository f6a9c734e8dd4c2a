"""APScheduler runs only periodic sweeps; anything that must be sent lives in the database.

Every job reads "now" from the injected Clock, never from the system, so tests and the sandbox
can move days ahead by calling the job directly after advancing the clock.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import AppContext
from scheduler.jobs import (
    abandon_screenings,
    count_console_figures,
    escalate_alerts,
    follow_up_questions,
    plan_calendars,
    purge_abandoned_flows,
    show_broadcast_progress,
)

# job, how often, how late it may still run after a pause (e.g. the machine slept)
JOBS = (
    (escalate_alerts, timedelta(minutes=1), timedelta(minutes=5)),
    (plan_calendars, timedelta(minutes=1), timedelta(minutes=5)),
    (purge_abandoned_flows, timedelta(hours=6), timedelta(hours=1)),
    (follow_up_questions, timedelta(minutes=1), timedelta(minutes=5)),
    (abandon_screenings, timedelta(minutes=10), timedelta(minutes=10)),
    (show_broadcast_progress, timedelta(seconds=5), timedelta(seconds=30)),
    (count_console_figures, timedelta(minutes=5), timedelta(minutes=5)),
)


def build_scheduler(app: AppContext, bot: Bot) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    for job, every, grace in JOBS:
        scheduler.add_job(
            job,
            "interval",
            seconds=every.total_seconds(),
            args=[app, bot],
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(grace.total_seconds()),
        )
    return scheduler

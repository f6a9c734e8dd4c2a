"""APScheduler runs only periodic sweeps; anything that must be sent lives in the database.

Every job reads "now" from the injected Clock, never from the system, so tests and the sandbox
can move days ahead by calling the job directly after advancing the clock.

Where each runs when there are several workers (Step 10): most run in one place at a time
(scheduler/one_place.py); the planner runs in every worker, which share the due families row by row
(SKIP LOCKED); the console's figures are counted by the process that serves the console.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import AppContext
from scheduler.jobs import (
    abandon_screenings,
    count_console_figures,
    escalate_alerts,
    follow_up_questions,
    forget_old_runs,
    plan_calendars,
    purge_abandoned_flows,
    show_broadcast_progress,
)
from scheduler.one_place import run_in_one_place

# job, how often, how late it may still run after a pause (e.g. the machine slept)
JOBS = (
    (escalate_alerts, timedelta(minutes=1), timedelta(minutes=5)),
    (plan_calendars, timedelta(minutes=1), timedelta(minutes=5)),
    (purge_abandoned_flows, timedelta(hours=6), timedelta(hours=1)),
    (follow_up_questions, timedelta(minutes=1), timedelta(minutes=5)),
    (abandon_screenings, timedelta(minutes=10), timedelta(minutes=10)),
    (show_broadcast_progress, timedelta(seconds=5), timedelta(seconds=30)),
    (count_console_figures, timedelta(minutes=5), timedelta(minutes=5)),
    (forget_old_runs, timedelta(hours=1), timedelta(hours=1)),
)
# Run in every worker: the planner's batches are claimed row by row, so workers share a big re-plan.
IN_EVERY_WORKER = frozenset({plan_calendars})
# Fill this process's own memory: only where the console is served.
WHERE_THE_CONSOLE_IS = frozenset({count_console_figures})


def build_scheduler(app: AppContext, bot: Bot, *, role: Literal["all", "bot", "console"] = "all") -> AsyncIOScheduler:
    """`role`: "all" in a single process; "bot" in a webhook worker (no console there); "console" in the
    console's own process (only what fills its memory)."""
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    for job, every, grace in JOBS:
        if (role == "bot" and job in WHERE_THE_CONSOLE_IS) or (role == "console" and job not in WHERE_THE_CONSOLE_IS):
            continue
        local = job in IN_EVERY_WORKER or job in WHERE_THE_CONSOLE_IS
        scheduler.add_job(
            job if local else run_in_one_place,
            "interval",
            seconds=every.total_seconds(),
            args=[app, bot] if local else [job, every, app, bot],
            id=job.__name__,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(grace.total_seconds()),
        )
    return scheduler

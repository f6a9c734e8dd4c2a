"""A periodic job that must run in one place at a time, whichever of the workers ticks first (Step 10).

APScheduler 3 keeps its schedule per process, so every worker ticks every job; the job itself runs only
where it takes the job's database lock (db/jobs.py) and only if no worker started it within its interval.
A worker that dies mid-run loses its connection and with it the lock: the next tick anywhere takes over,
within the job's interval (a minute for the minute jobs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram import Bot

from bot.context import AppContext
from bot.logging_setup import log_event
from db import jobs

Job = Callable[[AppContext, Bot], Awaitable[int]]
# A run started this much of an interval ago counts as this interval's run (ticks of several workers drift).
SAME_TICK = 0.9


async def run_in_one_place(job: Job, every: timedelta, app: AppContext, bot: Bot) -> int | None:
    """Run `job` unless another worker is running it or ran it within `every`; None when skipped."""
    name = job.__name__
    async with app.database.engine.connect() as lock:  # held for the run: the lock lives and dies with it
        if not await jobs.try_lock(lock, name):
            return None
        try:
            now = app.clock.now()
            async with app.database.reading() as conn:
                last = await jobs.last_started(conn, name)
            if last is not None and now - last < every * SAME_TICK:
                return None
            async with app.database.transaction() as conn:
                run_id = await jobs.begin_run(conn, name, app.settings.worker_id, now)
            try:
                return await job(app, bot)
            finally:
                async with app.database.transaction() as conn:
                    await jobs.end_run(conn, run_id, app.clock.now())
        except Exception as exc:
            log_event("job_failed", job=name, error=type(exc).__name__)
            raise
        finally:
            await jobs.unlock(lock, name)

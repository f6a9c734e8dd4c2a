"""The periodic jobs: each a thin call into a service."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot

from bot.context import AppContext
from bot.logging_setup import log_event
from bot.services import alerts, broadcasts, calendar, console_figures, questions, screening
from db import inbox
from db import jobs as job_runs

# An unfinished registration holds a name and a phone number without a finished consent to keep
# them for long: after 30 days without a word it is dropped.
ABANDONED_AFTER = timedelta(days=30)


async def plan_calendars(app: AppContext, bot: Bot) -> int:
    """Every minute: plan the families whose plan is due (the delivery loop then sends)."""
    return await calendar.sweep(app)


async def purge_abandoned_flows(app: AppContext, bot: Bot) -> int:
    removed = await app.fsm_storage.purge_older_than(app.clock.now() - ABANDONED_AFTER)
    log_event("abandoned_flows_purged", count=removed)
    return removed


async def follow_up_questions(app: AppContext, bot: Bot) -> int:
    """Every minute: questions unanswered for 24 hours remind the nurse, then go to her colleagues."""
    return await questions.follow_up(app)


async def show_broadcast_progress(app: AppContext, bot: Bot) -> int:
    """Every few seconds: the live progress message of each broadcast being sent."""
    return await broadcasts.show_progress(app, bot)


async def escalate_alerts(app: AppContext, bot: Bot) -> int:
    """Every minute: alerts nobody took within their wait go to the next tier."""
    return await alerts.escalate(app)


async def abandon_screenings(app: AppContext, bot: Bot) -> int:
    """Every ten minutes: self-checks untouched for 24 hours are abandoned."""
    return await screening.abandon_stale(app)


async def count_console_figures(app: AppContext, bot: Bot) -> int:
    """The console's overview and nurses table, counted again while someone looks (bot/services/console_figures.py)."""
    return int(await console_figures.count_again(app))


async def forget_old_runs(app: AppContext, bot: Bot) -> int:
    """Hourly: the record of job runs older than two days, and the ids of webhook updates handled over a
    day ago (kept only so an update Telegram posts again is not handled twice)."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        removed = await job_runs.purge_runs(conn, now - timedelta(days=2))
        removed += await inbox.purge_handled(conn, now - timedelta(days=1))
    return removed

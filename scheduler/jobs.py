"""The periodic jobs: each a thin call into a service."""

from __future__ import annotations

from datetime import timedelta

from bot.context import AppContext
from bot.logging_setup import log_event
from bot.services import calendar

# An unfinished registration holds a name and a phone number without a finished consent to keep
# them for long: after 30 days without a word it is dropped.
ABANDONED_AFTER = timedelta(days=30)


async def plan_calendars(app: AppContext) -> int:
    """Every minute: plan the families whose plan is due (the delivery loop then sends)."""
    return await calendar.sweep(app)


async def purge_abandoned_flows(app: AppContext) -> int:
    removed = await app.fsm_storage.purge_older_than(app.clock.now() - ABANDONED_AFTER)
    log_event("abandoned_flows_purged", count=removed)
    return removed

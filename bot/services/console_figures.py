"""The console's figures that cost seconds at national size, counted for the whole programme at once
(the overview per place, the nurses table per nurse; every scope is a slice of them), kept counted in
the background: when the console starts, and every few minutes while someone has looked in the last
hour (scheduler/jobs.py: count_console_figures), so no coordinator waits for a count."""

from __future__ import annotations

from datetime import timedelta

from bot.context import AppContext
from bot.logging_setup import log_event
from bot.services import line_list, overview
from bot.services.snapshots import snapshots
from db.caseload import Scope

EVERY = timedelta(minutes=5)
WHILE_LOOKED_AT = timedelta(hours=1)


async def count_again(app: AppContext, *, only_if_looked_at: bool = True) -> bool:
    """Count both again now; by default only if a page asked for them within the last hour."""
    now = app.clock.now()
    counts = snapshots(app.database, "overview"), snapshots(app.database, "nurses")
    if only_if_looked_at and not any(c.asked_at is not None and now - c.asked_at < WHILE_LOOKED_AT for c in counts):
        return False
    await counts[0].refresh(overview.PROGRAMME, now, lambda: overview.compute(app, now))
    await counts[1].refresh(Scope(), now, lambda: line_list.count_nurses(app, Scope(), now))
    log_event("console_figures_counted")
    return True

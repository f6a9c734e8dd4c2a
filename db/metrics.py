"""What an operator's dashboard reads at each scrape (Step 10): the outbox's backlog and the open alerts.
Index ranges only (ix_outbox_due, ix_alerts_unresolved): the cost follows the backlog, not the families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from db import inbox
from db.board import UNRESOLVED
from db.migrate import alembic_config
from db.schema import alerts, outbox


@dataclass(frozen=True, slots=True)
class Backlog:
    pending_by_priority: dict[int, int]
    oldest_due: datetime | None  # the earliest due_at of a pending row that is due now
    open_alerts_by_band: dict[str, int]  # not closed (taken or not)
    oldest_untaken: datetime | None  # created_at of the oldest alert nobody has taken
    inbox_waiting: int = 0  # webhook updates kept and not handled yet


async def backlog(conn: AsyncConnection, now: datetime) -> Backlog:
    pending = await conn.execute(
        select(outbox.c.priority, func.count()).where(outbox.c.status == "pending").group_by(outbox.c.priority)
    )
    oldest_due = (
        await conn.execute(select(func.min(outbox.c.due_at)).where(outbox.c.status == "pending", outbox.c.due_at <= now))
    ).scalar_one()
    open_alerts = await conn.execute(select(alerts.c.band, func.count()).where(UNRESOLVED).group_by(alerts.c.band))
    oldest_untaken = (
        await conn.execute(select(func.min(alerts.c.created_at)).where(UNRESOLVED, alerts.c.acknowledged_at.is_(None)))
    ).scalar_one()
    return Backlog(
        {int(priority): int(count) for priority, count in pending},
        oldest_due,
        {str(band): int(count) for band, count in open_alerts},
        oldest_untaken,
        await inbox.waiting_count(conn),
    )


async def reachable(conn: AsyncConnection) -> bool:
    return bool((await conn.execute(text("SELECT 1"))).scalar_one() == 1)


async def at_head(conn: AsyncConnection) -> bool:
    """The database's migration is the newest this code knows."""

    def check(sync_conn: Connection) -> bool:
        current = MigrationContext.configure(sync_conn).get_current_heads()
        return set(current) == set(ScriptDirectory.from_config(alembic_config()).get_heads())

    return bool(await conn.run_sync(check))

"""The live board of alerts for the console (Step 9): what is open in her scope right now, how long
each has waited, the tier it reached, who has it, and whether it is past its band's wait limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.escalation import wait_for
from bot.domain.questions import Tier
from bot.services.caseload import scope_of
from db import board
from db.board import BoardRow

LIMIT = 500  # more open alerts than this in one scope is a crisis: the oldest are shown


@dataclass(frozen=True, slots=True)
class BoardEntry:
    row: BoardRow
    waited: timedelta  # until taken, or until now
    overdue: bool  # nobody took it within its band's wait limit
    tier: Tier

    @property
    def taken(self) -> bool:
        return self.row.acknowledged_at is not None


@dataclass(frozen=True, slots=True)
class Board:
    entries: list[BoardEntry]
    at: datetime

    @property
    def waiting(self) -> int:
        return sum(1 for entry in self.entries if not entry.taken)

    @property
    def overdue(self) -> int:
        return sum(1 for entry in self.entries if entry.overdue)


def entry_of(row: BoardRow, now: datetime, urgent_wait: timedelta, high_wait: timedelta) -> BoardEntry:
    until = row.acknowledged_at or now
    waited = max(until - row.created_at, timedelta(0))
    limit = wait_for(row.band, urgent_wait, high_wait)
    return BoardEntry(row, waited, waited > limit, Tier(min(max(row.tier, 0), Tier.NATIONAL)))


async def open_alerts(app: AppContext, actor: Actor) -> Board:
    now = app.clock.now()
    async with app.database.reading() as conn:
        rows = await board.open_alerts(conn, scope_of(actor), limit=LIMIT)
    settings = app.settings
    urgent, high = timedelta(minutes=settings.alert_wait_urgent_minutes), timedelta(minutes=settings.alert_wait_high_minutes)
    return Board([entry_of(row, now, urgent, high) for row in rows], now)

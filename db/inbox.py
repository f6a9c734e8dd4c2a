"""The webhook's inbox (Step 10): an update is written here before Telegram hears "ok", handled in order per
chat by whichever worker holds that chat's lock, then stripped to its id (Telegram may post it again)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from db.schema import inbox

WAITING = inbox.c.handled_at.is_(None)


@dataclass(frozen=True, slots=True)
class Waiting:
    update_id: int
    payload: str
    attempts: int = 1  # this one included: 2 or more, a worker that took it before died before noting it done

    @property
    def again(self) -> bool:
        return self.attempts > 1


async def journal(conn: AsyncConnection, update_id: int, chat_id: int, payload: str, now: datetime) -> bool:
    """Keep the update; False when it was here already (Telegram posted it again)."""
    insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    result = await conn.execute(
        insert(inbox)
        .values(update_id=update_id, chat_id=chat_id, payload=payload, received_at=now)
        .on_conflict_do_nothing(index_elements=[inbox.c.update_id])
    )
    return result.rowcount == 1


async def next_of(conn: AsyncConnection, chat_id: int) -> Waiting | None:
    """The chat's oldest update not handled yet (Telegram numbers updates in the order they happened),
    counted as taken once more, in one statement. Call it holding the chat's turn."""
    oldest = (
        select(inbox.c.update_id).where(WAITING, inbox.c.chat_id == chat_id).order_by(inbox.c.update_id).limit(1)
    ).scalar_subquery()
    row = (
        await conn.execute(
            update(inbox)
            .where(inbox.c.update_id == oldest)
            .values(attempts=inbox.c.attempts + 1)
            .returning(inbox.c.update_id, inbox.c.payload, inbox.c.attempts)
        )
    ).first()
    return None if row is None else Waiting(row.update_id, row.payload, row.attempts)


async def mark_handled(conn: AsyncConnection, update_id: int, now: datetime) -> None:
    await conn.execute(
        update(inbox).where(inbox.c.update_id == update_id).values(handled_at=now, chat_id=None, payload=None)
    )


async def waiting_chats(conn: AsyncConnection, limit: int) -> list[int]:
    """Chats with updates nobody has handled yet (their worker may have died)."""
    rows = await conn.execute(select(inbox.c.chat_id).where(WAITING).group_by(inbox.c.chat_id).limit(limit))
    return [row.chat_id for row in rows]


async def waiting_count(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(inbox).where(WAITING))).scalar_one())


async def purge_handled(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(delete(inbox).where(inbox.c.handled_at < before))
    return result.rowcount or 0

"""Queries of the outbox: enqueue, claim, mark. The delivery engine (bot/delivery) drives them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.outbox import OutboxKind
from db.schema import outbox


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its moment: the engine claims only these
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of attempts
    UNREACHABLE = "unreachable"  # she blocked the bot
    # A broadcast's rows only (db/broadcasts.py); her log still says what became of each:
    HELD = "held"  # its broadcast is paused
    CANCELLED = "cancelled"  # its broadcast was cancelled before this one went


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    chat_id: int
    priority: int
    kind: OutboxKind
    message_key: str
    params: dict[str, Any]
    due_at: datetime
    unique_key: str | None = None
    about: int | None = None  # to staff: the family it is about (see RenderContext.subject)
    batch_id: int | None = None  # a broadcast's id


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    chat_id: int
    priority: int
    kind: str  # an OutboxKind, as the row says
    message_key: str
    params: dict[str, Any]
    attempts: int
    unique_key: str | None
    about: int | None = None
    batch_id: int | None = None


async def enqueue(conn: AsyncConnection, messages: list[OutgoingMessage], now: datetime) -> int:
    """Write messages to send; one whose unique key exists already is skipped. Returns how many were new."""
    if not messages:
        return 0
    rows = [
        {
            "chat_id": m.chat_id,
            "priority": m.priority,
            "kind": m.kind,
            "message_key": m.message_key,
            "params": json.dumps(m.params, ensure_ascii=False, sort_keys=True),
            "due_at": m.due_at,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "unique_key": m.unique_key,
            "created_at": now,
            "about": m.about,
            "batch_id": m.batch_id,
        }
        for m in messages
    ]
    insert = sqlite_insert if conn.dialect.name == "sqlite" else pg_insert
    # RETURNING counts what was new on SQLite and PostgreSQL alike (asyncpg's executemany reports no
    # row count); SQLAlchemy sends the rows as batched multi-row INSERTs.
    statement = insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.unique_key]).returning(outbox.c.id)
    result = await conn.execute(statement, rows)
    return len(result.all())


async def claim_due(conn: AsyncConnection, now: datetime, limit: int, worker: str = "main") -> list[ClaimedMessage]:
    """Mark the most urgent due messages as being sent by `worker` (its lease starts now) and return them."""
    due = (
        select(outbox.c.id)
        .where(outbox.c.status == OutboxStatus.PENDING, outbox.c.due_at <= now)
        .order_by(outbox.c.priority, outbox.c.due_at, outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)  # several workers can share the work
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, claimed_at=now, claimed_by=worker)
        .returning(
            outbox.c.id,
            outbox.c.chat_id,
            outbox.c.priority,
            outbox.c.kind,
            outbox.c.message_key,
            outbox.c.params,
            outbox.c.attempts,
            outbox.c.unique_key,
            outbox.c.about,
            outbox.c.batch_id,
        )
    )
    claimed = [
        ClaimedMessage(
            id=row.id,
            chat_id=row.chat_id,
            priority=row.priority,
            kind=row.kind,
            message_key=row.message_key,
            params=json.loads(row.params),
            attempts=row.attempts,
            unique_key=row.unique_key,
            about=row.about,
            batch_id=row.batch_id,
        )
        for row in result
    ]
    claimed.sort(key=lambda m: (m.priority, m.id))
    return claimed


@dataclass(frozen=True, slots=True)
class Sent:
    id: int
    at: datetime
    telegram_message_id: int | None


@dataclass(frozen=True, slots=True)
class Released:
    """Back to the queue (a flood wait, a transient error, her night, her previous message a moment ago)."""

    id: int
    due_at: datetime
    error: str | None
    count_attempt: bool


@dataclass(frozen=True, slots=True)
class Discarded:
    """Must not go (she paused, or it is no longer true): forgotten, so that planning can write it
    again if it becomes true again."""

    id: int


@dataclass(frozen=True, slots=True)
class Failed:
    id: int
    error: str


Outcome = Sent | Released | Discarded | Failed

# Built once; each runs as one executemany for a whole group of outcomes.
_MARK_SENT = (
    update(outbox)
    .where(outbox.c.id == bindparam("o_id"))
    .values(status=OutboxStatus.SENT, sent_at=bindparam("o_at"), telegram_message_id=bindparam("o_tg"), last_error=None)
)
_RELEASE = (
    update(outbox)
    .where(outbox.c.id == bindparam("o_id"))
    .values(
        status=OutboxStatus.PENDING,
        due_at=bindparam("o_due"),
        claimed_at=None,
        last_error=bindparam("o_error"),
        attempts=outbox.c.attempts + bindparam("o_inc"),
    )
)
_MARK_FAILED = (
    update(outbox)
    .where(outbox.c.id == bindparam("o_id"))
    .values(status=OutboxStatus.FAILED, last_error=bindparam("o_error"), attempts=outbox.c.attempts + 1)
)


async def record_outcomes(conn: AsyncConnection, outcomes: list[Outcome]) -> None:
    """What became of claimed messages, written together: one statement per kind of outcome."""
    sent = [{"o_id": o.id, "o_at": o.at, "o_tg": o.telegram_message_id} for o in outcomes if isinstance(o, Sent)]
    released = [
        {"o_id": o.id, "o_due": o.due_at, "o_error": o.error, "o_inc": int(o.count_attempt)}
        for o in outcomes
        if isinstance(o, Released)
    ]
    failed = [{"o_id": o.id, "o_error": o.error[:200]} for o in outcomes if isinstance(o, Failed)]
    discarded = [o.id for o in outcomes if isinstance(o, Discarded)]
    if sent:
        await conn.execute(_MARK_SENT, sent)
    if released:
        await conn.execute(_RELEASE, released)
    if failed:
        await conn.execute(_MARK_FAILED, failed)
    if discarded:
        await conn.execute(delete(outbox).where(outbox.c.id.in_(discarded)))


async def mark_chat_unreachable(conn: AsyncConnection, chat_id: int, message_id: int) -> int:
    """She blocked the bot: this message and everything still queued for her stop here."""
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.chat_id == chat_id, outbox.c.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
        .values(status=OutboxStatus.UNREACHABLE, last_error="blocked")
    )
    return int(result.rowcount or 0)


async def recover_in_flight(conn: AsyncConnection, worker: str = "main", now: datetime | None = None,
                            lease: timedelta | None = None) -> int:
    """Messages claimed but never marked go back to the queue (each at most once too many): this worker's own
    (it is starting again after a crash), unowned ones, and another worker's whose lease has run out (it
    died). A live worker's rows are never touched. Without `lease`: every one (one process, as before)."""
    mine_or_lost = [outbox.c.claimed_by == worker, outbox.c.claimed_by.is_(None)]
    if lease is not None and now is not None:
        mine_or_lost.append(outbox.c.claimed_at < now - lease)
    condition = outbox.c.status == OutboxStatus.SENDING
    if lease is not None:
        condition = and_(condition, or_(*mine_or_lost))
    result = await conn.execute(
        update(outbox).where(condition).values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
    )
    return int(result.rowcount or 0)


async def drop_pending(conn: AsyncConnection, chat_id: int, kinds: tuple[OutboxKind, ...] | None = None) -> int:
    """Forget messages not yet sent (re-planning writes them again if still true)."""
    conditions = [outbox.c.chat_id == chat_id, outbox.c.status == OutboxStatus.PENDING]
    if kinds is not None:
        conditions.append(outbox.c.kind.in_(kinds))
    result = await conn.execute(delete(outbox).where(and_(*conditions)))
    return int(result.rowcount or 0)


async def sent_copies(conn: AsyncConnection, key_prefix: str) -> list[tuple[int, int]]:
    """(chat id, Telegram message id) of every sent message whose unique key starts with the prefix,
    e.g. every copy of one alert ("alert:17:r"), so they can all be edited at once."""
    rows = await conn.execute(
        select(outbox.c.chat_id, outbox.c.telegram_message_id).where(
            outbox.c.unique_key.startswith(key_prefix, autoescape=True),
            outbox.c.status == OutboxStatus.SENT,
            outbox.c.telegram_message_id.is_not(None),
        )
    )
    return [(int(row.chat_id), int(row.telegram_message_id)) for row in rows]


async def sent_about(conn: AsyncConnection, family_id: int, since: datetime) -> list[tuple[int, int]]:
    """(chat, message) of what was sent to staff about her since `since` (alerts, questions, notices)."""
    rows = await conn.execute(
        select(outbox.c.chat_id, outbox.c.telegram_message_id).where(
            outbox.c.about == family_id, outbox.c.status == OutboxStatus.SENT, outbox.c.telegram_message_id.is_not(None),
            outbox.c.sent_at >= since,
        )
    )
    return [(int(row.chat_id), int(row.telegram_message_id)) for row in rows]


async def forget_chat(conn: AsyncConnection, chat_id: int) -> None:
    """/delete_me: the record of what was sent to her goes too, and what staff were sent about her."""
    await conn.execute(delete(outbox).where(outbox.c.chat_id == chat_id))
    await conn.execute(delete(outbox).where(outbox.c.about == chat_id))


async def next_due_at(conn: AsyncConnection) -> datetime | None:
    due_at: datetime | None = (
        await conn.execute(select(func.min(outbox.c.due_at)).where(outbox.c.status == OutboxStatus.PENDING))
    ).scalar_one_or_none()
    return due_at


async def history(conn: AsyncConnection, chat_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """What was sent to her, newest first: "did she get it?"."""
    rows = await conn.execute(
        select(outbox.c.kind, outbox.c.message_key, outbox.c.status, outbox.c.due_at, outbox.c.sent_at, outbox.c.last_error)
        .where(outbox.c.chat_id == chat_id)
        .order_by(outbox.c.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


async def count_by_status(conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {row[0]: int(row[1]) for row in rows}

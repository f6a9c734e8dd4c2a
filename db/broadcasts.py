"""Queries of announcements: who they go to, the `broadcasts` rows, and their outbox rows (batch_id).

The recipients' query is built from a `Selection` (bot/domain/audience.py): the count an admin
sees before sending and the rows written on confirm come from the same query.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, exists, false, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.audience import DateRange, Selection
from bot.domain.pregnancy import PregnancyStatus
from db.outbox import OutboxStatus
from db.schema import broadcasts, children, outbox, pregnancies, staff, users

# A broadcast's rows in the outbox: paused ones wait as `held` (the engine claims only `pending`); a
# cancelled broadcast's unsent rows stay as `cancelled`, so her log still says what became of it.
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.HELD)


class BroadcastStatus(StrEnum):
    SENDING = "sending"  # its rows are being written, or waiting in the outbox
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"  # every row went (or could not)


ACTIVE = (BroadcastStatus.SENDING, BroadcastStatus.PAUSED)
# The names bot/keyboards/broadcast.py, bot/views/broadcasts.py and handlers/broadcast.py import:


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    created_by: int  # Telegram id of the admin
    region: str | None  # her scope when she sent it (None: national)
    audience: dict[str, Any]  # the filters (Audience.to_json) and the draft it came from
    texts: dict[str, str]  # language → text, or "*" → one text for all
    photo_file_id: str | None
    status: BroadcastStatus
    total: int  # recipients written; 0 while they are still being written
    progress_chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class BatchCounts:
    """What became of a broadcast's rows so far."""

    sent: int = 0
    blocked: int = 0  # she blocked the bot (unreachable)
    failed: int = 0
    waiting: int = 0  # pending, being sent, or held while paused
    cancelled: int = 0

    @property
    def rows(self) -> int:
        return self.sent + self.blocked + self.failed + self.waiting + self.cancelled


def _record(row: Any) -> BroadcastRecord:
    m = row._mapping
    return BroadcastRecord(
        id=m["id"],
        created_by=m["created_by"],
        region=m["region"],
        audience=json.loads(m["audience"]),
        texts=json.loads(m["texts"]),
        photo_file_id=m["photo_file_id"],
        status=BroadcastStatus(m["status"]),
        total=m["total"],
        progress_chat_id=m["progress_chat_id"],
        progress_message_id=m["progress_message_id"],
        created_at=m["created_at"],
        finished_at=m["finished_at"],
    )


# --- recipients ----------------------------------------------------------------------------------

def _in_range(column: Any, dates: DateRange) -> ColumnElement[bool]:
    conditions = []
    if dates.after is not None:
        conditions.append(column > dates.after)
    if dates.until is not None:
        conditions.append(column <= dates.until)
    return and_(true(), *conditions)


def _active_pregnancy(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(pregnancies.c.user_id == users.c.id, pregnancies.c.status == PregnancyStatus.ACTIVE, *conditions)


def _conditions(selection: Selection) -> list[ColumnElement[bool]]:
    """Registered (she consented), not paused, reachable, and in the audience."""
    conditions: list[ColumnElement[bool]] = [
        users.c.consent_at.is_not(None),
        users.c.paused == false(),
        users.c.unreachable_at.is_(None),
    ]
    if selection.languages:
        conditions.append(users.c.language.in_(selection.languages))
    if selection.regions:
        conditions.append(users.c.region.in_(selection.regions))
    if selection.polyclinics:
        conditions.append(users.c.polyclinic.in_(selection.polyclinics))
    if not selection.everyone:
        stages: list[ColumnElement[bool]] = []
        if selection.pregnant is not None:
            stages.append(_active_pregnancy(or_(*(_in_range(pregnancies.c.due_date, r) for r in selection.pregnant))))
        if selection.planning:
            stages.append(and_(users.c.planning == true(), ~_active_pregnancy()))
        if selection.children is not None:
            stages.append(
                exists().where(
                    children.c.user_id == users.c.id,
                    _in_range(children.c.birth_date, selection.children_born),
                    or_(*(_in_range(children.c.birth_date, r) for r in selection.children)),
                )
            )
        conditions.append(or_(false(), *stages))
    return conditions


async def count_recipients(conn: AsyncConnection, selection: Selection) -> dict[str, int]:
    """How many families fit, by language."""
    rows = await conn.execute(
        select(users.c.language, func.count()).where(*_conditions(selection)).group_by(users.c.language)
    )
    return {row[0]: int(row[1]) for row in rows}


async def recipients(conn: AsyncConnection, selection: Selection, after_id: int, limit: int) -> list[tuple[int, str]]:
    """The next families that fit (id, language), in id order after `after_id`."""
    rows = await conn.execute(
        select(users.c.id, users.c.language)
        .where(*_conditions(selection), users.c.id > after_id)
        .order_by(users.c.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


# --- broadcasts ----------------------------------------------------------------------------------

async def insert_broadcast(
    conn: AsyncConnection,
    *,
    created_by: int,
    region: str | None,
    audience: dict[str, Any],
    texts: dict[str, str],
    photo_file_id: str | None,
    progress_chat_id: int,
    now: datetime,
) -> int:
    result = await conn.execute(
        insert(broadcasts)
        .values(
            created_by=created_by,
            region=region,
            audience=json.dumps(audience, ensure_ascii=False, sort_keys=True),
            texts=json.dumps(texts, ensure_ascii=False, sort_keys=True),
            photo_file_id=photo_file_id,
            status=BroadcastStatus.SENDING,
            total=0,
            progress_chat_id=progress_chat_id,
            created_at=now,
        )
        .returning(broadcasts.c.id)
    )
    return int(result.scalar_one())


async def get_broadcast(conn: AsyncConnection, broadcast_id: int) -> BroadcastRecord | None:
    row = (await conn.execute(select(broadcasts).where(broadcasts.c.id == broadcast_id))).first()
    return _record(row) if row else None


async def recent_by(conn: AsyncConnection, created_by: int, limit: int = 20) -> list[BroadcastRecord]:
    rows = await conn.execute(
        select(broadcasts).where(broadcasts.c.created_by == created_by).order_by(broadcasts.c.id.desc()).limit(limit)
    )
    return [_record(row) for row in rows]


async def active_broadcasts(conn: AsyncConnection) -> list[BroadcastRecord]:
    """Being sent or paused: the ones whose progress is shown."""
    rows = await conn.execute(select(broadcasts).where(broadcasts.c.status.in_(ACTIVE)).order_by(broadcasts.c.id))
    return [_record(row) for row in rows]


async def update_broadcast(conn: AsyncConnection, broadcast_id: int, **values: Any) -> None:
    await conn.execute(update(broadcasts).where(broadcasts.c.id == broadcast_id).values(**values))


async def set_status(
    conn: AsyncConnection, broadcast_id: int, status: BroadcastStatus, *, expected: Sequence[BroadcastStatus], **values: Any
) -> bool:
    """Change the status only from one of `expected` (two admins pressing at once: one wins)."""
    result = await conn.execute(
        update(broadcasts)
        .where(broadcasts.c.id == broadcast_id, broadcasts.c.status.in_(expected))
        .values(status=status, **values)
    )
    return result.rowcount == 1


def _scope(region: str | None) -> list[ColumnElement[bool]]:
    return [broadcasts.c.region == region] if region is not None else []


async def list_broadcasts(conn: AsyncConnection, region: str | None, *, limit: int, offset: int) -> list[BroadcastRecord]:
    """Newest first; a regional admin's (region given) only those sent within her region."""
    rows = await conn.execute(
        select(broadcasts).where(*_scope(region)).order_by(broadcasts.c.id.desc()).limit(limit).offset(offset)
    )
    return [_record(row) for row in rows]


async def count_broadcasts(conn: AsyncConnection, region: str | None) -> int:
    return int((await conn.execute(select(func.count()).select_from(broadcasts).where(*_scope(region)))).scalar_one())


async def staff_names(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, str]:
    """Who sent them: each Telegram id's latest staff name (she may have left since)."""
    if not user_ids:
        return {}
    rows = await conn.execute(
        select(staff.c.user_id, staff.c.name).where(staff.c.user_id.in_(set(user_ids))).order_by(staff.c.id)
    )
    return {row[0]: row[1] for row in rows}


# --- its rows in the outbox ------------------------------------------------------------------------

_COUNTED = {  # the BatchCounts field each final status is counted in
    OutboxStatus.SENT: "sent",
    OutboxStatus.UNREACHABLE: "blocked",
    OutboxStatus.FAILED: "failed",
    OutboxStatus.CANCELLED: "cancelled",
}


async def batch_counts(conn: AsyncConnection, broadcast_ids: Sequence[int]) -> dict[int, BatchCounts]:
    if not broadcast_ids:
        return {}
    rows = await conn.execute(
        select(outbox.c.batch_id, outbox.c.status, func.count())
        .where(outbox.c.batch_id.in_(set(broadcast_ids)))
        .group_by(outbox.c.batch_id, outbox.c.status)
    )
    counts: dict[int, dict[str, int]] = {broadcast_id: {} for broadcast_id in broadcast_ids}
    for batch_id, status, count in rows:
        name = "waiting" if status in WAITING else _COUNTED.get(status, "failed")
        counts[batch_id][name] = counts[batch_id].get(name, 0) + int(count)
    return {broadcast_id: BatchCounts(**values) for broadcast_id, values in counts.items()}


async def count_rows(conn: AsyncConnection, broadcast_id: int) -> int:
    return int((await conn.execute(select(func.count()).select_from(outbox).where(outbox.c.batch_id == broadcast_id))).scalar_one())


async def _move(conn: AsyncConnection, broadcast_id: int, from_statuses: Sequence[OutboxStatus], to: OutboxStatus) -> int:
    result = await conn.execute(
        update(outbox).where(outbox.c.batch_id == broadcast_id, outbox.c.status.in_(from_statuses)).values(status=to)
    )
    return int(result.rowcount or 0)


async def hold(conn: AsyncConnection, broadcast_id: int) -> int:
    """Pause: rows not yet claimed wait (a row already being sent finishes)."""
    return await _move(conn, broadcast_id, (OutboxStatus.PENDING,), OutboxStatus.HELD)


async def release(conn: AsyncConnection, broadcast_id: int) -> int:
    """Resume: held rows go back to the queue, with their original moment (so: now)."""
    return await _move(conn, broadcast_id, (OutboxStatus.HELD,), OutboxStatus.PENDING)


async def cancel_rows(conn: AsyncConnection, broadcast_id: int) -> int:
    return await _move(conn, broadcast_id, (OutboxStatus.PENDING, OutboxStatus.HELD), OutboxStatus.CANCELLED)

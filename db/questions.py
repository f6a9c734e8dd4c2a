"""Queries on `family_messages`: a family's questions and what staff wrote to her, open questions
for the nurses' lists and for the follow-up, and the staff notices about them still in the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.outbox import OutboxKind
from db.families import _record
from db.outbox import OutboxStatus
from db.schema import assignments, family_messages, outbox, users

IN, OUT = "in", "out"  # from the family | from staff
NOTICE_KIND = OutboxKind.QUESTION  # the notices to staff about a question

fm = family_messages


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: int
    user_id: int
    direction: str
    staff_id: int | None  # out: the author; in: the staff member it was addressed to (her nurse then)
    text: str | None
    photo_file_id: str | None
    reply_to: int | None
    created_at: datetime
    answered_at: datetime | None
    answered_by: int | None
    reminded_at: datetime | None
    escalated_at: datetime | None


_COLUMNS = [fm.c[name] for name in MessageRecord.__dataclass_fields__]
_OPEN = and_(fm.c.direction == IN, fm.c.answered_at.is_(None))  # the prefix of ix_family_messages_open


async def insert_message(
    conn: AsyncConnection,
    *,
    user_id: int,
    direction: str,
    staff_id: int | None,
    text: str | None,
    photo_file_id: str | None,
    reply_to: int | None,
    now: datetime,
) -> int:
    result = await conn.execute(
        insert(fm).values(
            user_id=user_id, direction=direction, staff_id=staff_id, text=text, photo_file_id=photo_file_id,
            reply_to=reply_to, created_at=now,
        ).returning(fm.c.id)
    )
    return int(result.scalar_one())


async def get_message(conn: AsyncConnection, message_id: int) -> MessageRecord | None:
    row = (await conn.execute(select(*_COLUMNS).where(fm.c.id == message_id))).first()
    return _record(MessageRecord, row) if row else None


async def open_thread(conn: AsyncConnection, user_id: int, up_to: int) -> list[MessageRecord]:
    """Her questions still open up to (and including) this one, oldest first: what an answer answers."""
    rows = await conn.execute(
        select(*_COLUMNS)
        .where(fm.c.user_id == user_id, fm.c.direction == IN, fm.c.answered_at.is_(None), fm.c.id <= up_to)
        .order_by(fm.c.id)
    )
    return [_record(MessageRecord, row) for row in rows]


async def close_questions(conn: AsyncConnection, user_id: int, up_to: int, staff_id: int, now: datetime) -> int:
    """An answer closes her open questions up to this one (a conversation, not tickets)."""
    result = await conn.execute(
        update(fm)
        .where(fm.c.user_id == user_id, fm.c.direction == IN, fm.c.answered_at.is_(None), fm.c.id <= up_to)
        .values(answered_at=now, answered_by=staff_id)
    )
    return int(result.rowcount or 0)


# --- open questions for staff ------------------------------------------------------------------

def _visible(*, nurse_id: int | None, polyclinic: str | None, region: str | None) -> Any:
    """Open questions a nurse sees (her families', and her polyclinic's escalated or nurseless
    ones), or an admin (her region's; None: everywhere)."""
    if nurse_id is not None:
        colleagues = and_(
            users.c.polyclinic == polyclinic, or_(fm.c.escalated_at.is_not(None), assignments.c.staff_id.is_(None))
        )
        return or_(assignments.c.staff_id == nurse_id, colleagues) if polyclinic else assignments.c.staff_id == nurse_id
    return users.c.region == region if region is not None else None


def _open_query(*columns: Any, nurse_id: int | None, polyclinic: str | None, region: str | None) -> Any:
    query = (
        select(*columns)
        .select_from(
            fm.join(users, users.c.id == fm.c.user_id).outerjoin(assignments, assignments.c.user_id == fm.c.user_id)
        )
        .where(_OPEN)
    )
    visible = _visible(nurse_id=nurse_id, polyclinic=polyclinic, region=region)
    return query.where(visible) if visible is not None else query


async def open_questions(
    conn: AsyncConnection,
    *,
    nurse_id: int | None = None,
    polyclinic: str | None = None,
    region: str | None = None,
    limit: int = 10,
    offset: int = 0,
) -> tuple[int, list[MessageRecord]]:
    """(how many, a page of them oldest first): a nurse's (nurse_id, polyclinic) or an admin's (region)."""
    total = int((await conn.execute(_open_query(func.count(), nurse_id=nurse_id, polyclinic=polyclinic, region=region))).scalar_one())
    page = _open_query(*_COLUMNS, nurse_id=nurse_id, polyclinic=polyclinic, region=region)
    rows = await conn.execute(page.order_by(fm.c.created_at, fm.c.id).limit(limit).offset(offset))
    return total, [_record(MessageRecord, row) for row in rows]


# --- the follow-up -----------------------------------------------------------------------------

async def due_reminders(conn: AsyncConnection, asked_before: datetime, limit: int) -> list[MessageRecord]:
    """Open questions asked at or before the bound and not reminded yet (an index range)."""
    rows = await conn.execute(
        select(*_COLUMNS)
        .where(_OPEN, fm.c.created_at <= asked_before, fm.c.reminded_at.is_(None), fm.c.escalated_at.is_(None))
        .order_by(fm.c.created_at, fm.c.id)
        .limit(limit)
    )
    return [_record(MessageRecord, row) for row in rows]


async def due_escalations(
    conn: AsyncConnection, asked_before: datetime, reminded_before: datetime, limit: int
) -> list[MessageRecord]:
    rows = await conn.execute(
        select(*_COLUMNS)
        .where(
            _OPEN,
            fm.c.created_at <= asked_before,
            fm.c.reminded_at <= reminded_before,
            fm.c.escalated_at.is_(None),
        )
        .order_by(fm.c.created_at, fm.c.id)
        .limit(limit)
    )
    return [_record(MessageRecord, row) for row in rows]


async def mark_reminded(conn: AsyncConnection, message_id: int, now: datetime) -> bool:
    """Once: False if it was reminded (or answered) meanwhile."""
    result = await conn.execute(
        update(fm).where(fm.c.id == message_id, _OPEN, fm.c.reminded_at.is_(None)).values(reminded_at=now)
    )
    return result.rowcount == 1


async def mark_escalated(conn: AsyncConnection, message_id: int, now: datetime) -> bool:
    result = await conn.execute(
        update(fm).where(fm.c.id == message_id, _OPEN, fm.c.escalated_at.is_(None)).values(escalated_at=now)
    )
    return result.rowcount == 1


async def misaddressed(conn: AsyncConnection, limit: int) -> list[tuple[MessageRecord, int | None]]:
    """Open questions addressed to someone who is not her nurse now (deactivated, or she was
    reassigned, or she had none and has one now), with her nurse now (None: nobody).

    Reads every open question (the index's prefix): they are what nurses have not answered yet."""
    rows = await conn.execute(
        select(*_COLUMNS, assignments.c.staff_id.label("nurse_now"))
        .select_from(fm.outerjoin(assignments, assignments.c.user_id == fm.c.user_id))
        .where(_OPEN, fm.c.staff_id.is_distinct_from(assignments.c.staff_id))
        .order_by(fm.c.created_at, fm.c.id)
        .limit(limit)
    )
    return [(_record(MessageRecord, row), row.nurse_now) for row in rows]


async def readdress(conn: AsyncConnection, message_id: int, old: int | None, new: int | None) -> bool:
    """To her nurse now; False if someone else moved or answered it meanwhile."""
    still = fm.c.staff_id.is_(None) if old is None else fm.c.staff_id == old
    result = await conn.execute(update(fm).where(fm.c.id == message_id, _OPEN, still).values(staff_id=new))
    return result.rowcount == 1


async def drop_pending_notices(conn: AsyncConnection, family_id: int, up_to: int) -> int:
    """Notices to staff about her questions up to this one that are still waiting (e.g. for a
    nurse's morning): they are answered now, so they must not go."""
    rows = await conn.execute(
        select(outbox.c.id, outbox.c.params).where(
            outbox.c.about == family_id, outbox.c.kind == NOTICE_KIND, outbox.c.status == OutboxStatus.PENDING
        )
    )
    stale = [row.id for row in rows if int(json.loads(row.params).get("question", 0)) <= up_to]
    if stale:
        await conn.execute(delete(outbox).where(outbox.c.id.in_(stale)))
    return len(stale)

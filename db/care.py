"""Queries of the care calendar: what she said about items, her appointments, when to plan next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, bindparam, column, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.calendar import CareStatus, Track
from db.schema import appointments, care_states, plan_state


@dataclass(frozen=True, slots=True)
class CareStateRecord:
    track: Track
    ref_id: int
    item_id: str
    status: CareStatus
    snoozed_until: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    id: int
    user_id: int
    what: str
    on_date: date
    at_time: str | None
    place: str | None
    care_item: str | None  # "track:ref:item" when it stands for a calendar item


def _upsert(conn: AsyncConnection) -> Any:
    return sqlite_insert if conn.dialect.name == "sqlite" else pg_insert


_STATES = select(
    care_states.c.user_id,
    care_states.c.track,
    care_states.c.ref_id,
    care_states.c.item_id,
    care_states.c.status,
    care_states.c.snoozed_until,
    care_states.c.updated_at,
)


async def states_of(conn: AsyncConnection, user_id: int) -> list[CareStateRecord]:
    rows = await conn.execute(_STATES.where(care_states.c.user_id == user_id))
    return [care_state(row) for row in rows]


async def states_of_families(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, list[CareStateRecord]]:
    """What each of several families said about her items, in one query (a planner's batch, a page of
    families): every one asked is answered."""
    found: dict[int, list[CareStateRecord]] = {user_id: [] for user_id in user_ids}
    if found:
        for row in await conn.execute(_STATES.where(care_states.c.user_id.in_(list(found)))):
            found[int(row.user_id)].append(care_state(row))
    return found


def care_state(row: Row[*tuple[Any, ...]]) -> CareStateRecord:
    """A row with care_states' columns (and maybe more)."""
    return CareStateRecord(Track(row.track), row.ref_id, row.item_id, CareStatus(row.status), row.snoozed_until, row.updated_at)


async def set_state(
    conn: AsyncConnection,
    user_id: int,
    track: Track,
    ref_id: int,
    item_id: str,
    status: CareStatus,
    now: datetime,
    snoozed_until: datetime | None = None,
) -> None:
    values = {"status": status, "snoozed_until": snoozed_until, "updated_at": now}
    stmt = _upsert(conn)(care_states).values(user_id=user_id, track=track, ref_id=ref_id, item_id=item_id, **values)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[care_states.c.user_id, care_states.c.track, care_states.c.ref_id, care_states.c.item_id],
            set_=values,
        )
    )


async def clear_state(conn: AsyncConnection, user_id: int, track: Track, ref_id: int, item_id: str) -> None:
    await conn.execute(
        delete(care_states).where(
            care_states.c.user_id == user_id,
            care_states.c.track == track,
            care_states.c.ref_id == ref_id,
            care_states.c.item_id == item_id,
        )
    )


_APPOINTMENT_COLUMNS = (
    appointments.c.id,
    appointments.c.user_id,
    appointments.c.what,
    appointments.c.on_date,
    appointments.c.at_time,
    appointments.c.place,
    appointments.c.care_item,
)


async def appointments_of(conn: AsyncConnection, user_id: int, from_date: date | None = None) -> list[AppointmentRecord]:
    return (await appointments_of_families(conn, [user_id], from_date)).get(user_id, [])


async def appointments_of_families(
    conn: AsyncConnection, user_ids: Sequence[int], from_date: date | None = None
) -> dict[int, list[AppointmentRecord]]:
    """Each family's appointments not cancelled (from a day on), in her order, in one query."""
    query = select(*_APPOINTMENT_COLUMNS).where(appointments.c.user_id.in_(user_ids), appointments.c.cancelled.is_(False))
    if from_date is not None:
        query = query.where(appointments.c.on_date >= from_date)
    rows = await conn.execute(query.order_by(appointments.c.on_date, appointments.c.at_time, appointments.c.id))
    found: dict[int, list[AppointmentRecord]] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append(AppointmentRecord(**row._mapping))
    return found


async def add_appointment(
    conn: AsyncConnection,
    user_id: int,
    what: str,
    on_date: date,
    at_time: str | None,
    place: str | None,
    care_item: str | None,
    now: datetime,
    set_by: int | None = None,
) -> int:
    """Hers, or (`set_by`: a staff id) set for her by her nurse."""
    result = await conn.execute(
        insert(appointments)
        .values(
            user_id=user_id, what=what, on_date=on_date, at_time=at_time, place=place, care_item=care_item, created_at=now,
            set_by=set_by,
        )
        .returning(appointments.c.id)
    )
    return int(result.scalar_one())


async def update_appointment(conn: AsyncConnection, user_id: int, appointment_id: int, **values: Any) -> bool:
    # Her own only: the user id in the WHERE clause is the scope check.
    result = await conn.execute(
        update(appointments)
        .where(appointments.c.id == appointment_id, appointments.c.user_id == user_id)
        .values(**values)
    )
    return result.rowcount > 0


async def get_appointment(conn: AsyncConnection, user_id: int, appointment_id: int) -> AppointmentRecord | None:
    row = (
        await conn.execute(
            select(*_APPOINTMENT_COLUMNS).where(
                appointments.c.id == appointment_id,
                appointments.c.user_id == user_id,  # her own only
                appointments.c.cancelled.is_(False),
            )
        )
    ).first()
    return AppointmentRecord(**row._mapping) if row else None


async def plan_due(conn: AsyncConnection, now: datetime, limit: int) -> list[int]:
    """Families whose plan is due: an index range scan, whatever the number of families."""
    rows = await conn.execute(
        select(plan_state.c.user_id).where(plan_state.c.next_plan_at <= now).order_by(plan_state.c.next_plan_at).limit(limit)
    )
    return [int(row.user_id) for row in rows]


async def claim_due(conn: AsyncConnection, now: datetime, limit: int, lease_until: datetime) -> list[int]:
    """Take up to `limit` due families for planning: their next_plan_at moves to `lease_until` in the
    same statement, so no other sweep takes them, and a worker that dies leaves them due again when the
    lease runs out. PostgreSQL: rows another worker is claiming are skipped (SKIP LOCKED), never waited
    for; SQLite has one writer at a time anyway. Commit before planning."""
    due = select(plan_state.c.user_id).where(plan_state.c.next_plan_at <= now).order_by(plan_state.c.next_plan_at).limit(limit)
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await conn.execute(
        update(plan_state)
        .where(plan_state.c.user_id.in_(due.scalar_subquery()))
        .values(next_plan_at=lease_until)
        .returning(plan_state.c.user_id)
    )
    return [int(row.user_id) for row in result]


async def set_next_plans(conn: AsyncConnection, plans: Sequence[tuple[int, datetime]], lease_until: datetime) -> set[int]:
    """When each claimed family is next due, in one statement; only rows still holding this claim's
    lease change (one re-planned meanwhile, or claimed again after the lease ran out, is someone
    else's now; an erased one is gone). Returns the user ids written: plan only those."""
    if not plans:
        return set()
    if conn.dialect.name == "postgresql":  # two arrays, unnested: one cached statement whatever the batch
        given = (
            func.unnest(bindparam("user_ids", type_=ARRAY(BigInteger)), bindparam("ats", type_=ARRAY(DateTime(timezone=True))))
            .table_valued(column("user_id", BigInteger), column("at", DateTime(timezone=True)))
            .render_derived(name="given")
        )
        statement = (
            update(plan_state)
            .where(plan_state.c.user_id == given.c.user_id, plan_state.c.next_plan_at == lease_until)
            .values(next_plan_at=given.c.at)
        )
        result = await conn.execute(
            statement.returning(plan_state.c.user_id),
            {"user_ids": [user_id for user_id, _ in plans], "ats": [at.astimezone(UTC) for _, at in plans]},
        )
        return {int(row.user_id) for row in result}
    # SQLite (no arrays): which rows still hold the lease, in a statement that takes the write lock at once
    # (a read first could meet another connection's commit before its write), then the new times as one
    # executemany. Both keep one shape whatever the batch (a CASE of the pairs would be a new statement,
    # cached anew, for every batch).
    mine = await conn.execute(
        update(plan_state)
        .where(plan_state.c.user_id.in_([user_id for user_id, _ in plans]), plan_state.c.next_plan_at == lease_until)
        .values(next_plan_at=plan_state.c.next_plan_at)
        .returning(plan_state.c.user_id)
    )
    ours = {int(row.user_id) for row in mine}
    if ours:
        await conn.execute(
            update(plan_state).where(plan_state.c.user_id == bindparam("uid")).values(next_plan_at=bindparam("at")),
            [{"uid": user_id, "at": at} for user_id, at in plans if user_id in ours],
        )
    return ours


async def set_next_plan(conn: AsyncConnection, user_id: int, at: datetime) -> None:
    stmt = _upsert(conn)(plan_state).values(user_id=user_id, next_plan_at=at)
    await conn.execute(stmt.on_conflict_do_update(index_elements=[plan_state.c.user_id], set_={"next_plan_at": at}))

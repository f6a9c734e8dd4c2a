"""Queries of the nurse's day: families in a scope (and finding them), what the nurse decided about a
family (risk level, note), home visits, support-plan goals, appointments she set and the mother's
answers, open questions, and life events her nurse must hear about."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.pregnancy import LifeEventKind
from db.care import _APPOINTMENT_COLUMNS as _CARE_APPOINTMENT_COLUMNS
from db.care import AppointmentRecord, CareStateRecord, _upsert, states_of_families
from db.outbox import OutboxStatus
from db.schema import (
    appointments,
    assignments,
    family_care,
    family_messages,
    home_visits,
    life_events,
    outbox,
    support_goals,
    users,
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose families: a nurse's own (staff_id), a polyclinic's, a region's, or (none) everyone's."""

    staff_id: int | None = None
    region: str | None = None
    polyclinic: str | None = None


@dataclass(frozen=True, slots=True)
class FamilyCareRecord:
    risk_level: str
    note: str | None
    updated_by: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: int
    user_id: int
    staff_id: int
    visited_on: date
    assessed: tuple[str, ...]
    risks: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class GoalRecord:
    id: int
    user_id: int
    staff_id: int
    goal: str
    next_step: str
    due_on: date
    done_at: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True, slots=True)
class SetAppointmentRecord(AppointmentRecord):
    """An appointment as staff see it: who set it and what she answered."""

    set_by: int | None
    response: str | None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class LifeEventRecord:
    id: int
    user_id: int
    kind: LifeEventKind
    pregnancy_id: int | None
    occurred_on: date
    staff_notified_at: datetime | None


# --- families in a scope -------------------------------------------------------------------------

def _in_scope(query: Any, scope: Scope) -> Any:
    if scope.staff_id is not None:
        return query.select_from(users.join(assignments, assignments.c.user_id == users.c.id)).where(
            assignments.c.staff_id == scope.staff_id
        )
    if scope.polyclinic is not None:
        return query.where(users.c.polyclinic == scope.polyclinic)
    if scope.region is not None:
        return query.where(users.c.region == scope.region)
    return query


def _matching(query: Any, names: Sequence[str], phone: str | None) -> Any:
    if phone is not None:
        return query.where(users.c.phone.contains(phone, autoescape=True))
    if names:
        return query.where(or_(*(users.c.name.contains(name, autoescape=True) for name in names)))
    return query


async def families_page(
    conn: AsyncConnection,
    scope: Scope,
    *,
    limit: int,
    offset: int,
    names: Sequence[str] = (),
    phone: str | None = None,
) -> tuple[int, list[int]]:
    """(how many families match, the ids of one page of them by name)."""
    count = _matching(_in_scope(select(func.count(users.c.id)), scope), names, phone)
    ids = _matching(_in_scope(select(users.c.id), scope), names, phone)
    total = int((await conn.execute(count)).scalar_one())
    rows = await conn.execute(ids.order_by(users.c.name, users.c.id).limit(limit).offset(offset))
    return total, [int(row[0]) for row in rows]


async def risk_levels(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, str]:
    """Families with a decided risk level (the rest are universal)."""
    if not user_ids:
        return {}
    rows = await conn.execute(
        select(family_care.c.user_id, family_care.c.risk_level).where(family_care.c.user_id.in_(list(user_ids)))
    )
    return {int(row.user_id): row.risk_level for row in rows}


async def care_states_of(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, list[CareStateRecord]]:
    """What each family said about her calendar items, for a page of families in one query."""
    return await states_of_families(conn, user_ids)


_APPOINTMENT_COLUMNS = (*_CARE_APPOINTMENT_COLUMNS, appointments.c.set_by, appointments.c.response)


async def coming_appointments(
    conn: AsyncConnection, user_ids: Sequence[int], from_date: date
) -> dict[int, list[SetAppointmentRecord]]:
    """Coming appointments (not cancelled) of each family, soonest first."""
    found: dict[int, list[SetAppointmentRecord]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return found
    rows = await conn.execute(
        select(*_APPOINTMENT_COLUMNS)
        .where(
            appointments.c.user_id.in_(list(user_ids)),
            appointments.c.cancelled.is_(False),
            appointments.c.on_date >= from_date,
        )
        .order_by(appointments.c.on_date, appointments.c.at_time, appointments.c.id)
    )
    for row in rows:
        found[int(row.user_id)].append(SetAppointmentRecord(**row._mapping))
    return found


async def get_appointment(conn: AsyncConnection, appointment_id: int, *, cancelled: bool = False) -> SetAppointmentRecord | None:
    """Any family's appointment, not cancelled (or, with `cancelled`, also one she cancelled): the
    caller checks who may see it."""
    query = select(*_APPOINTMENT_COLUMNS, appointments.c.cancelled).where(appointments.c.id == appointment_id)
    if not cancelled:
        query = query.where(appointments.c.cancelled.is_(False))
    row = (await conn.execute(query)).first()
    return SetAppointmentRecord(**row._mapping) if row else None


async def set_response(conn: AsyncConnection, user_id: int, appointment_id: int, response: str, now: datetime) -> bool:
    """Her answer to an appointment her nurse set. Her own only, and only one set by staff."""
    result = await conn.execute(
        update(appointments)
        .where(
            appointments.c.id == appointment_id,
            appointments.c.user_id == user_id,
            appointments.c.set_by.is_not(None),
            appointments.c.cancelled.is_(False),
        )
        .values(response=response, responded_at=now)
    )
    return result.rowcount > 0


async def move_appointment(conn: AsyncConnection, appointment_id: int, on_date: date, at_time: str | None, staff_id: int) -> None:
    """Staff gave another date: her earlier answer was about the old one."""
    await conn.execute(
        update(appointments)
        .where(appointments.c.id == appointment_id)
        .values(on_date=on_date, at_time=at_time, set_by=staff_id, response=None, responded_at=None)
    )


# --- risk level and note -------------------------------------------------------------------------

async def get_family_care(conn: AsyncConnection, user_id: int) -> FamilyCareRecord | None:
    row = (
        await conn.execute(
            select(family_care.c.risk_level, family_care.c.note, family_care.c.updated_by, family_care.c.updated_at).where(
                family_care.c.user_id == user_id
            )
        )
    ).first()
    return FamilyCareRecord(**row._mapping) if row else None


async def save_family_care(conn: AsyncConnection, user_id: int, staff_id: int, now: datetime, **values: Any) -> None:
    """Set her risk level or the note (whichever is given); the row is made on first use."""
    changes = {**values, "updated_by": staff_id, "updated_at": now}
    stmt = _upsert(conn)(family_care).values(user_id=user_id, **changes)
    await conn.execute(stmt.on_conflict_do_update(index_elements=[family_care.c.user_id], set_=changes))


# --- home visits ---------------------------------------------------------------------------------

async def insert_visit(
    conn: AsyncConnection,
    *,
    user_id: int,
    staff_id: int,
    visited_on: date,
    assessed: Sequence[str],
    risks: Sequence[str],
    note: str | None,
    now: datetime,
) -> int:
    result = await conn.execute(
        insert(home_visits)
        .values(
            user_id=user_id, staff_id=staff_id, visited_on=visited_on, assessed=json.dumps(list(assessed)),
            risks=json.dumps(list(risks)), note=note, created_at=now,
        )
        .returning(home_visits.c.id)
    )
    return int(result.scalar_one())


async def last_visit(conn: AsyncConnection, user_id: int) -> VisitRecord | None:
    row = (
        await conn.execute(
            select(home_visits)
            .where(home_visits.c.user_id == user_id)
            .order_by(home_visits.c.visited_on.desc(), home_visits.c.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return VisitRecord(
        id=row.id, user_id=row.user_id, staff_id=row.staff_id, visited_on=row.visited_on,
        assessed=tuple(json.loads(row.assessed)), risks=tuple(json.loads(row.risks)), note=row.note,
    )


async def count_visits(conn: AsyncConnection, user_id: int) -> int:
    return int((await conn.execute(select(func.count()).where(home_visits.c.user_id == user_id))).scalar_one())


# --- support plan --------------------------------------------------------------------------------

_GOAL_COLUMNS = (
    support_goals.c.id,
    support_goals.c.user_id,
    support_goals.c.staff_id,
    support_goals.c.goal,
    support_goals.c.next_step,
    support_goals.c.due_on,
    support_goals.c.done_at,
)


async def insert_goal(
    conn: AsyncConnection, *, user_id: int, staff_id: int, goal: str, next_step: str, due_on: date, now: datetime
) -> int:
    result = await conn.execute(
        insert(support_goals)
        .values(user_id=user_id, staff_id=staff_id, goal=goal, next_step=next_step, due_on=due_on, created_at=now)
        .returning(support_goals.c.id)
    )
    return int(result.scalar_one())


async def goals_of(conn: AsyncConnection, user_id: int) -> list[GoalRecord]:
    """Her plan (without removed goals), by date."""
    rows = await conn.execute(
        select(*_GOAL_COLUMNS)
        .where(support_goals.c.user_id == user_id, support_goals.c.removed.is_(False))
        .order_by(support_goals.c.due_on, support_goals.c.id)
    )
    return [GoalRecord(**row._mapping) for row in rows]


async def get_goal(conn: AsyncConnection, goal_id: int, user_id: int | None = None) -> GoalRecord | None:
    """A goal still in a plan; with `user_id`, only if it is in hers."""
    conditions = [support_goals.c.id == goal_id, support_goals.c.removed.is_(False)]
    if user_id is not None:
        conditions.append(support_goals.c.user_id == user_id)
    row = (await conn.execute(select(*_GOAL_COLUMNS).where(and_(*conditions)))).first()
    return GoalRecord(**row._mapping) if row else None


async def update_goal(conn: AsyncConnection, goal_id: int, **values: Any) -> None:
    await conn.execute(update(support_goals).where(support_goals.c.id == goal_id).values(**values))


async def mark_goal_done(conn: AsyncConnection, user_id: int, goal_id: int, now: datetime) -> bool:
    """She ticked it off: her own goal only, once."""
    result = await conn.execute(
        update(support_goals)
        .where(
            support_goals.c.id == goal_id,
            support_goals.c.user_id == user_id,
            support_goals.c.removed.is_(False),
            support_goals.c.done_at.is_(None),
        )
        .values(done_at=now)
    )
    return result.rowcount > 0


# --- questions and life events -------------------------------------------------------------------

async def open_questions(conn: AsyncConnection, user_id: int) -> int:
    """Her questions no nurse has answered yet."""
    query = select(func.count()).where(
        family_messages.c.user_id == user_id, family_messages.c.direction == "in", family_messages.c.answered_at.is_(None)
    )
    return int((await conn.execute(query)).scalar_one())


async def life_events_of(conn: AsyncConnection, user_id: int, *, unnotified: bool = False) -> list[LifeEventRecord]:
    query = select(
        life_events.c.id,
        life_events.c.user_id,
        life_events.c.kind,
        life_events.c.pregnancy_id,
        life_events.c.occurred_on,
        life_events.c.staff_notified_at,
    ).where(life_events.c.user_id == user_id)
    if unnotified:
        query = query.where(life_events.c.staff_notified_at.is_(None))
    rows = await conn.execute(query.order_by(life_events.c.id))
    return [
        LifeEventRecord(row.id, row.user_id, LifeEventKind(row.kind), row.pregnancy_id, row.occurred_on, row.staff_notified_at)
        for row in rows
    ]


async def mark_life_event_notified(conn: AsyncConnection, event_id: int, now: datetime) -> None:
    await conn.execute(update(life_events).where(life_events.c.id == event_id).values(staff_notified_at=now))


# --- the outbox ----------------------------------------------------------------------------------

async def drop_pending_message(conn: AsyncConnection, unique_key: str) -> int:
    """A planned message that is no longer true (a goal ticked off or moved) is not sent."""
    result = await conn.execute(delete(outbox).where(outbox.c.unique_key == unique_key, outbox.c.status == OutboxStatus.PENDING))
    return int(result.rowcount or 0)

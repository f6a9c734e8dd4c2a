"""Queries of a nurse's day (Step 9: /today and the console's "My day"): her families, the alerts she
must act on, her families' appointments on a day, names of families, and the scheduled checks her
families did not answer — each for all her families in one query (or one per few hundred), never
one per family."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.escalation import AlertOutcome
from bot.domain.outbox import OutboxKind
from db.outbox import OutboxStatus
from db.schema import alert_recipients, alerts, appointments, assignments, outbox, screenings, users
from db.screenings import ScreeningStatus

# SQLite allows 32,766 bound values; a few hundred per query keeps each statement small.
PER_QUERY = 500


def _chunks(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start : start + PER_QUERY]) for start in range(0, len(ids), PER_QUERY)]


async def family_ids(conn: AsyncConnection, staff_id: int) -> list[int]:
    """The families assigned to her (ix_assignments_staff_id)."""
    rows = await conn.execute(select(assignments.c.user_id).where(assignments.c.staff_id == staff_id).order_by(assignments.c.user_id))
    return [int(row[0]) for row in rows]


async def names_of(conn: AsyncConnection, user_ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(list(dict.fromkeys(user_ids))):
        rows = await conn.execute(select(users.c.id, users.c.name).where(users.c.id.in_(chunk)))
        found.update({int(row.id): str(row.name) for row in rows})
    return found


# --- alerts ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DayAlert:
    id: int
    user_id: int
    name: str
    band: str
    created_at: datetime
    taken: bool  # taken by her, no outcome yet (else: nobody has taken it)


def _hers(staff_id: int) -> ColumnElement[bool]:
    """Alerts nobody has taken, of her families or sent to her; and those she took without an outcome."""
    sent_to_her = select(alert_recipients.c.alert_id).where(
        alert_recipients.c.alert_id == alerts.c.id, alert_recipients.c.staff_id == staff_id
    )
    untaken = and_(alerts.c.acknowledged_at.is_(None), or_(assignments.c.staff_id == staff_id, sent_to_her.exists()))
    taken_by_her = and_(alerts.c.acknowledged_at.is_not(None), alerts.c.acknowledged_by == staff_id)
    # Not closed yet ("could not reach her" is an attempt, not an outcome): ix_alerts_unresolved's rows.
    unresolved = or_(alerts.c.outcome.is_(None), alerts.c.outcome == AlertOutcome.UNREACHED)
    return and_(unresolved, or_(untaken, taken_by_her))


async def open_alerts(conn: AsyncConnection, staff_id: int, limit: int) -> tuple[int, list[DayAlert]]:
    """(how many, the first `limit`): nobody's yet first, then hers; oldest first."""
    source = alerts.join(users, users.c.id == alerts.c.user_id).outerjoin(assignments, assignments.c.user_id == alerts.c.user_id)
    condition = _hers(staff_id)
    total = int((await conn.execute(select(func.count()).select_from(source).where(condition))).scalar_one())
    rows = await conn.execute(
        select(alerts.c.id, alerts.c.user_id, users.c.name, alerts.c.band, alerts.c.created_at, alerts.c.acknowledged_at)
        .select_from(source)
        .where(condition)
        .order_by(alerts.c.acknowledged_at.is_not(None), alerts.c.created_at, alerts.c.id)
        .limit(limit)
    )
    return total, [
        DayAlert(int(r.id), int(r.user_id), str(r.name), str(r.band), r.created_at, r.acknowledged_at is not None) for r in rows
    ]


# --- appointments on a day ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DayAppointment:
    id: int
    user_id: int
    name: str
    what: str
    at_time: str | None  # "HH:MM" local
    place: str | None
    set_by: int
    response: str | None  # "coming" | "other_time" | None: no answer yet


async def appointments_on(conn: AsyncConnection, staff_id: int, day: date, limit: int) -> tuple[int, list[DayAppointment]]:
    """Her families' appointments set by staff on `day` (not cancelled): (how many, the first `limit`
    by time, those without a time last)."""
    source = appointments.join(assignments, assignments.c.user_id == appointments.c.user_id).join(
        users, users.c.id == appointments.c.user_id
    )
    condition = and_(
        assignments.c.staff_id == staff_id,
        appointments.c.on_date == day,
        appointments.c.cancelled.is_(False),
        appointments.c.set_by.is_not(None),
    )
    total = int((await conn.execute(select(func.count()).select_from(source).where(condition))).scalar_one())
    rows = await conn.execute(
        select(
            appointments.c.id, appointments.c.user_id, users.c.name, appointments.c.what, appointments.c.at_time,
            appointments.c.place, appointments.c.set_by, appointments.c.response,
        )
        .select_from(source)
        .where(condition)
        .order_by(appointments.c.at_time.is_(None), appointments.c.at_time, users.c.name, appointments.c.id)
        .limit(limit)
    )
    return total, [
        DayAppointment(int(r.id), int(r.user_id), str(r.name), str(r.what), r.at_time, r.place, int(r.set_by), r.response)
        for r in rows
    ]


# --- checks she did not answer ---------------------------------------------------------------------

async def missed_checks(
    conn: AsyncConnection, user_ids: Sequence[int], nudged_after: datetime, nudged_before: datetime
) -> dict[int, list[tuple[str, date | datetime]]]:
    """For each of these families, the scheduled checks whose nudge went out between the bounds and
    that she never answered: (questionnaire id, the day she was asked — or, for a nudge sent before
    Step 6, when the nudge went), newest first. The same rule as db.screenings.missed_checks (the
    family card), for many families at once: one query per few hundred families on each table."""
    found: dict[int, list[tuple[str, date | datetime]]] = {}
    for chunk in _chunks(list(user_ids)):
        nudges = await conn.execute(
            select(outbox.c.chat_id, outbox.c.params, outbox.c.sent_at)
            .where(
                outbox.c.chat_id.in_(chunk),
                outbox.c.status == OutboxStatus.SENT,
                outbox.c.kind == OutboxKind.CHECK,
                outbox.c.message_key == "check.nudge",
                outbox.c.sent_at > nudged_after,
                outbox.c.sent_at <= nudged_before,
            )
            .order_by(outbox.c.sent_at.desc(), outbox.c.id.desc())
        )
        asked: list[tuple[int, str, str, date | datetime]] = []
        for row in nudges:
            params = json.loads(row.params)
            for check in params.get("checks") or [params]:
                key = f"check:{check['code']}:{check['q']}:{check['occ']}"
                when: date | datetime = date.fromisoformat(check["due"]) if "due" in check else row.sent_at
                asked.append((int(row.chat_id), key, str(check["q"]), when))
        if not asked:
            continue
        answered = set(
            (
                await conn.execute(
                    select(screenings.c.occurrence).where(
                        screenings.c.user_id.in_(sorted({user_id for user_id, *_ in asked})),
                        screenings.c.occurrence.in_(sorted({key for _, key, *_ in asked})),
                        screenings.c.status != ScreeningStatus.ABANDONED,
                    )
                )
            ).scalars()
        )
        for user_id, key, questionnaire, when in asked:
            if key not in answered:
                found.setdefault(user_id, []).append((questionnaire, when))
    return found

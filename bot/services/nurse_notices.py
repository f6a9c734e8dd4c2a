"""Telling a family's nurse what happened, inside the transaction that records it: a baby born, a
pregnancy lost, an answer to (or a change of) an appointment staff set.

The message goes through the outbox with `about` = the family, so it is rendered with her family
at send time and never carries her name. No nurse (her polyclinic has none yet): nothing is sent,
and admins see her among the families without a nurse.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.delivery import ALERT, REMINDER
from bot.domain.birth import BirthFacts
from bot.domain.outbox import OutboxKind
from db import caseload, outbox, staff
from db.outbox import OutgoingMessage
from db.records import StaffRecord


async def _recipient(conn: AsyncConnection, family_id: int, staff_id: int | None) -> StaffRecord | None:
    """Whoever acted (`staff_id`) while she is still active, else the family's nurse now."""
    for candidate in (staff_id, await staff.nurse_of(conn, family_id)):
        member = await staff.get_staff(conn, candidate) if candidate is not None else None
        if member is not None and member.active:
            return member
    return None


async def tell_staff(
    conn: AsyncConnection,
    family_id: int,
    message_key: str,
    params: dict[str, Any],
    now: datetime,
    unique_key: str,
    *,
    staff_id: int | None = None,
    priority: int = REMINDER,
) -> bool:
    """A message about a family to staff; False if there is nobody to tell."""
    member = await _recipient(conn, family_id, staff_id)
    if member is None:
        return False
    message = OutgoingMessage(member.user_id, priority, OutboxKind.NURSE, message_key, params, now, unique_key, about=family_id)
    await outbox.enqueue(conn, [message], now)
    return True


async def life_events(conn: AsyncConnection, user_id: int, now: datetime) -> int:
    """Her nurse hears of each new life event once; `staff_notified_at` records that she did."""
    told = 0
    for event in await caseload.life_events_of(conn, user_id, unnotified=True):
        params = {"kind": event.kind, "on": event.occurred_on.isoformat(), "pregnancy": event.pregnancy_id}
        if await tell_staff(conn, user_id, "nurse.life_event", params, now, f"life:{event.id}"):
            await caseload.mark_life_event_notified(conn, event.id, now)
            told += 1
    return told


async def early_or_small_baby(conn: AsyncConnection, user_id: int, child_id: int, facts: BirthFacts,
                              now: datetime) -> bool:
    """A baby born early (< 37 weeks) or small (< 2,500 g): her nurse hears at once, whatever the hour
    (ALERT priority), with the facts and the suggestion of progressive patronage."""
    params = {"child": child_id, "weeks": facts.gestation_weeks, "grams": facts.birth_weight_g}
    return await tell_staff(conn, user_id, "nurse.early_baby", params, now, f"early:{child_id}", priority=ALERT)


async def appointment_changed(conn: AsyncConnection, user_id: int, appointment_id: int, change: str, now: datetime) -> bool:
    """She changed or cancelled an appointment staff set for her: whoever set it is told."""
    appointment = await caseload.get_appointment(conn, appointment_id)
    if appointment is None or appointment.user_id != user_id or appointment.set_by is None:
        return False
    params = {
        "appointment": appointment.id,
        "change": change,
        "what": appointment.what,
        "on_date": appointment.on_date.isoformat(),
        "at_time": appointment.at_time,
    }
    stamp = now.isoformat(timespec="seconds")
    return await tell_staff(
        conn, user_id, "nurse.appointment_changed", params, now, f"apchg:{appointment.id}:{change}:{stamp}",
        staff_id=appointment.set_by,
    )

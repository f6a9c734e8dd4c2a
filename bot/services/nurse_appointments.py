"""Appointments staff set for a family (of a kind, or "other" with what was typed), moving them to
another date, and her answer ("I'll come" / "I need another time"), which whoever set it is told.

The staff side checks first that she may see the family (bot.services.caseload.may_act); a refusal
is audited. Her own appointments are bot/services/care.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.context import AppContext
from bot.delivery import REMINDER
from bot.domain.access import Actor
from bot.domain.caseload import APPOINTMENT_KINDS, OTHER
from bot.domain.outbox import OutboxKind
from bot.logging_setup import log_event
from bot.services import calendar as calendar_service
from bot.services import nurse_notices
from bot.services import staff as staff_service
from bot.services.care import MAX_TEXT
from bot.services.caseload import DAYS_AHEAD, brief, may_act
from bot.views.caseload import appointment_kind_label
from db import care, caseload, outbox, staff
from db.caseload import SetAppointmentRecord
from db.outbox import OutgoingMessage

RESPONSES = ("coming", "other_time")


def appointment_date_ok(on_date: date, today: date) -> bool:
    return today <= on_date <= today + timedelta(days=DAYS_AHEAD)


def _appointment_params(appointment_id: int, what: str, on_date: date, at_time: str | None, place: str | None) -> dict[str, object]:
    return {"appointment": appointment_id, "what": what, "on_date": on_date.isoformat(), "at_time": at_time, "place": place}


def _offer(family_id: int, params: dict[str, object], now: datetime, moved: bool) -> OutgoingMessage:
    """The appointment, with "I'll come" / "I need another time", to her."""
    key = f"apset:{params['appointment']}:{params['on_date']}:{params['at_time'] or ''}"
    return OutgoingMessage(family_id, REMINDER, OutboxKind.NURSE, "nurse.appointment_set", {**params, "moved": moved}, now, key)


async def set_appointment(
    app: AppContext,
    actor: Actor,
    family_id: int,
    kind: str,
    what: str | None,
    on_date: date,
    at_time: str | None,
    place: str | None,
) -> int | None:
    """An appointment for her: of a kind (its name in her language) or, for "other", what was typed.
    She is asked to confirm, and reminded the evening before and two hours before like her own."""
    if kind not in APPOINTMENT_KINDS or (kind == OTHER) != bool(what):
        return None
    if (what is not None and len(what) > MAX_TEXT) or (place is not None and len(place) > MAX_TEXT):
        return None
    if not appointment_date_ok(on_date, app.today()):
        return None
    found = await brief(app, actor, family_id, "appointment")
    if found is None:
        return None
    if what is None:
        with app.i18n.use_locale(found.family.user.language):
            what = appointment_kind_label(kind)
    now = app.clock.now()
    async with app.database.transaction() as conn:
        appointment_id = await care.add_appointment(conn, family_id, what, on_date, at_time, place, None, now, set_by=actor.staff_id)
        await outbox.enqueue(conn, [_offer(family_id, _appointment_params(appointment_id, what, on_date, at_time, place), now, False)], now)
        await staff.audit(conn, now, actor.user_id, "appointment_set", family_id=family_id, appointment_id=appointment_id, kind=kind)
        await calendar_service.plan_again(conn, family_id, now)  # her reminders of it
    log_event("appointment_set_by_staff", user_id=actor.user_id, family_id=family_id, appointment_id=appointment_id)
    await calendar_service.plan_user(app, family_id)
    return appointment_id


async def appointment_for_staff(app: AppContext, actor: Actor, appointment_id: int) -> SetAppointmentRecord | None:
    """An appointment of a family she may see (perhaps cancelled by her meanwhile: see `cancelled`)."""
    async with app.database.reading() as conn:
        appointment = await caseload.get_appointment(conn, appointment_id, cancelled=True)
    if appointment is None:
        await staff_service.refuse(app, actor.user_id, "appointment", appointment_id=appointment_id)
        return None
    return appointment if await may_act(app, actor, appointment.user_id, "appointment") else None


async def move_appointment(app: AppContext, actor: Actor, appointment_id: int, on_date: date, at_time: str | None) -> bool:
    """Another date (and time) for an appointment: she is asked again, and her reminders follow."""
    appointment = await appointment_for_staff(app, actor, appointment_id)
    if appointment is None or appointment.cancelled or not appointment_date_ok(on_date, app.today()):
        return False
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.move_appointment(conn, appointment_id, on_date, at_time, actor.staff_id)
        params = _appointment_params(appointment_id, appointment.what, on_date, at_time, appointment.place)
        await outbox.enqueue(conn, [_offer(appointment.user_id, params, now, True)], now)
        await staff.audit(conn, now, actor.user_id, "appointment_moved", family_id=appointment.user_id, appointment_id=appointment_id)
        await calendar_service.plan_again(conn, appointment.user_id, now)
    await calendar_service.plan_user(app, appointment.user_id)
    return True


async def answer_appointment(app: AppContext, user_id: int, appointment_id: int, response: str) -> SetAppointmentRecord | None:
    """Her answer to an appointment staff set ("coming" or "other_time"); whoever set it is told.
    "I need another time" keeps the appointment (and its reminders) until staff move it or she
    cancels it. None if it is not hers, or no longer there."""
    if response not in RESPONSES:
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        appointment = await caseload.get_appointment(conn, appointment_id)
        if appointment is None or appointment.user_id != user_id:
            return None
        if not await caseload.set_response(conn, user_id, appointment_id, response, now):
            return None
        params = {
            "appointment": appointment.id, "response": response, "what": appointment.what,
            "on_date": appointment.on_date.isoformat(), "at_time": appointment.at_time,
        }
        stamp = now.isoformat(timespec="seconds")
        await nurse_notices.tell_staff(
            conn, user_id, "nurse.appointment_answer", params, now, f"apans:{appointment.id}:{response}:{stamp}",
            staff_id=appointment.set_by,
        )
    log_event("appointment_answered", user_id=user_id, appointment_id=appointment_id, response=response)
    return appointment

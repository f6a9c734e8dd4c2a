"""Use cases of the care calendar for a mother: answer an item, keep appointments, see the calendar."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.content.care import CareItem, care_items
from bot.context import AppContext
from bot.domain.calendar import SNOOZE, CareStatus, Track, item_window
from bot.domain.calendar import Item as CalendarItem
from bot.domain.caseload import Standing, standing
from bot.logging_setup import log_event
from bot.services import nurse_notices
from bot.services.calendar import plan_again, plan_user, tracks_of
from db import care
from db.care import AppointmentRecord
from db.records import Family


async def set_item_state(app: AppContext, user_id: int, track: Track, ref_id: int, item_id: str, status: CareStatus) -> None:
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await care.set_state(
            conn, user_id, track, ref_id, item_id, status, now, now + SNOOZE if status == CareStatus.SNOOZED else None
        )
        await plan_again(conn, user_id, now)
    log_event("care_item_answered", user_id=user_id, item=item_id, status=status)
    await plan_user(app, user_id)


async def upcoming_appointments(app: AppContext, user_id: int) -> list[AppointmentRecord]:
    async with app.database.reading() as conn:
        return await care.appointments_of(conn, user_id, from_date=app.today())


async def appointment_of(app: AppContext, user_id: int, appointment_id: int) -> AppointmentRecord | None:
    async with app.database.reading() as conn:
        return await care.get_appointment(conn, user_id, appointment_id)


async def cancel_appointment(app: AppContext, user_id: int, appointment_id: int) -> None:
    now = app.clock.now()
    async with app.database.transaction() as conn:
        appointment = await care.get_appointment(conn, user_id, appointment_id)
        if appointment is None:
            return
        await nurse_notices.appointment_changed(conn, user_id, appointment_id, "cancelled", now)
        await care.update_appointment(conn, user_id, appointment_id, cancelled=True)
        if appointment.care_item:  # the calendar item is open again: generic reminders come back
            track, ref, item = appointment.care_item.split(":")
            await care.clear_state(conn, user_id, Track(track), int(ref), item)
        await plan_again(conn, user_id, now)
    log_event("appointment_cancelled", user_id=user_id, appointment_id=appointment_id)
    await plan_user(app, user_id)


MAX_TEXT = 120  # what an appointment is, and where: the columns are String(120)


def _changed_fields(data: dict[str, Any], on_date: date, what: str) -> dict[str, Any] | None:
    """What she may change in an appointment: its date and time ("move"), what it is, or where ("place")."""
    change = data.get("change", "move")  # a move begun before "change" existed has none
    if change == "move":
        return {"on_date": on_date, "at_time": data.get("at_time")}
    if change == "what":
        return {"what": what}
    if change == "place":
        return {"place": data.get("place")}
    return None


async def save_appointment(app: AppContext, user_id: int, data: dict[str, Any]) -> bool:
    """A new appointment, or a change to one of hers (with its id): its date and time, what it is, or where."""
    try:
        on_date = date.fromisoformat(data["on_date"])
        what = str(data["what"])
    except (KeyError, ValueError):
        return False
    place = data.get("place")
    if not what or len(what) > MAX_TEXT or (place is not None and len(str(place)) > MAX_TEXT):
        return False
    now = app.clock.now()
    async with app.database.transaction() as conn:
        if data.get("id"):
            changes = _changed_fields(data, on_date, what)
            appointment_id = int(data["id"])
            if changes is None or await care.get_appointment(conn, user_id, appointment_id) is None:
                return False  # not hers, or cancelled meanwhile
            await care.update_appointment(conn, user_id, appointment_id, **changes)
            await nurse_notices.appointment_changed(conn, user_id, appointment_id, str(data.get("change", "move")), now)
        else:
            care_item = data.get("care_item")
            await care.add_appointment(conn, user_id, what, on_date, data.get("at_time"), place, care_item, now)
            if care_item:
                track, ref, item = str(care_item).split(":")
                await care.set_state(conn, user_id, Track(track), int(ref), item, CareStatus.APPOINTMENT, now)
        await plan_again(conn, user_id, now)  # new or changed, her reminders say what is true now
    if data.get("id"):
        log_event("appointment_changed", user_id=user_id, appointment_id=int(data["id"]), change=data.get("change", "move"))
    else:
        log_event("appointment_saved", user_id=user_id)
    await plan_user(app, user_id)
    return True


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One care item of her calendar, with its window and where it stands (for /calendar and staff)."""

    track: Track
    ref_id: int
    item: CareItem
    whom: str | None  # the child's name, for a child's item
    opens: date
    closes: date
    standing: Standing


def planning_since(app: AppContext, family: Family) -> date:
    """The anchor of a planning track: the day she registered."""
    return family.user.created_at.astimezone(app.settings.tz).date()


def calendar_entries(
    family: Family, states: Mapping[tuple[Track, int, str], CareStatus], today: date, since: date
) -> list[CalendarEntry]:
    """Every care item of her tracks (pregnancy, each child under five, planning), in calendar order.

    `states`: what she said about items, (track, ref id, item id) → status."""
    children = {c.id: c.name for c in family.children}
    entries: list[CalendarEntry] = []
    for ref in tracks_of(family, today, since):
        for item in care_items(ref.track):
            planned = CalendarItem(item.id, ref.track, item.start_day, item.end_day,
                                   item.only_if.value if item.only_if else None, item.for_mother)
            if not planned.applies_to(ref):
                continue
            opens, closes = item_window(planned, ref)
            status = states.get((ref.track, ref.ref_id, item.id))
            whom = children.get(ref.ref_id) if ref.track is Track.CHILD and not item.for_mother else None
            entries.append(CalendarEntry(ref.track, ref.ref_id, item, whom, opens, closes, standing(status, closes, today)))
    return entries


def state_map(states: Iterable[care.CareStateRecord]) -> dict[tuple[Track, int, str], CareStatus]:
    return {(s.track, s.ref_id, s.item_id): s.status for s in states}


@dataclass(frozen=True, slots=True)
class HerCalendar:
    """What /calendar shows her (bot.views.calendar.calendar_text says it)."""

    entries: list[CalendarEntry]  # every care item of her tracks, in calendar order
    appointments: list[AppointmentRecord]  # from today on


async def her_calendar(app: AppContext, family: Family) -> HerCalendar:
    today = app.today()
    async with app.database.reading() as conn:
        states = state_map(await care.states_of(conn, family.user.id))
        appointments = await care.appointments_of(conn, family.user.id, from_date=today)
    return HerCalendar(calendar_entries(family, states, today, planning_since(app, family)), appointments)

"""Use cases of the nurse's day: her families (and finding one), a family card, the risk level and
the note, home visits, the support plan, appointments she sets, and the mother's side of these.

Every use case that acts for staff takes her `Actor` (as the database knows her now) and checks
that she may see the family (bot.services.staff.may_view_family) before it reads or changes
anything; a refusal is written to the audit log. Ids in callback data are only claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content.care import CareKind
from bot.context import AppContext
from bot.delivery import REMINDER
from bot.domain.access import Actor, can_reassign
from bot.domain.caseload import (
    APPOINTMENT_KINDS,
    ASSESSED,
    MAX_GOAL,
    MAX_NOTE,
    MAX_VISIT_NOTE,
    OTHER,
    RISKS,
    VISIT_DAYS_BACK,
    Progress,
    RiskLevel,
    Standing,
    VisitSlot,
    known,
    name_variants,
    phone_fragment,
    progress,
    visit_slot,
)
from bot.keyboards.nurse import appointment_kind_label
from bot.logging_setup import log_event
from bot.services import calendar as calendar_service
from bot.services import nurse_notices
from bot.services import staff as staff_service
from bot.services.care import MAX_TEXT, CalendarEntry, calendar_entries, planning_since, state_map
from db import care, caseload, families, outbox, staff
from db.caseload import (
    FamilyCareRecord,
    GoalRecord,
    LifeEventRecord,
    Scope,
    SetAppointmentRecord,
    VisitRecord,
)
from db.outbox import OutgoingMessage
from db.records import Family, StaffRecord

PAGE = 8
GOAL_REMINDER_AT = time(10, 0)  # her local morning on the goal's date
PLAN_KIND = "plan"  # outbox kind of support-plan messages (re-planning her calendar leaves them)
DAYS_AHEAD = 366
RESPONSES = ("coming", "other_time")


async def _may(app: AppContext, actor: Actor, family_id: int, action: str) -> bool:
    """The check before every action on a family; a refusal is audited."""
    if await staff_service.may_view_family(app, actor, family_id):
        return True
    await staff_service.refuse(app, actor.user_id, action, family_id=family_id)
    return False


def scope_of(actor: Actor) -> Scope:
    """A nurse's own families; an admin's region (national: everyone)."""
    return Scope(staff_id=actor.staff_id) if actor.is_nurse else Scope(region=actor.region)


# --- "My families" -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NextUp:
    """The next thing in a family's calendar: a care item (from `on`) or an appointment (on `on`)."""

    on: date
    entry: CalendarEntry | None = None
    appointment: SetAppointmentRecord | None = None


@dataclass(frozen=True, slots=True)
class ListEntry:
    family: Family
    risk: RiskLevel
    next_up: NextUp | None


@dataclass(frozen=True, slots=True)
class FamilyList:
    entries: list[ListEntry]
    total: int
    page: int
    pages: int


def next_up(entries: list[CalendarEntry], appointments: list[SetAppointmentRecord], today: date) -> NextUp | None:
    """What comes first: an appointment or an item whose window is open (the one closing soonest),
    else what opens soonest."""
    candidates = [
        (max(e.opens, today), e.closes, NextUp(max(e.opens, today), entry=e)) for e in entries if e.standing is Standing.UPCOMING
    ]
    candidates += [(a.on_date, a.on_date, NextUp(a.on_date, appointment=a)) for a in appointments if a.on_date >= today]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


async def _list(app: AppContext, total: int, ids: list[int], page: int) -> FamilyList:
    today = app.today()
    found = await families.cached_families(app.database, ids)
    async with app.database.reading() as conn:
        risks = await caseload.risk_levels(conn, ids)
        states = await caseload.care_states_of(conn, ids)
        appointments = await caseload.coming_appointments(conn, ids, today)
    entries = []
    for family_id in ids:
        family = found.get(family_id)
        if family is None:  # erased a moment ago
            continue
        calendar = calendar_entries(family, state_map(states[family_id]), today, planning_since(app, family))
        entries.append(
            ListEntry(family, RiskLevel(risks.get(family_id, RiskLevel.UNIVERSAL)), next_up(calendar, appointments[family_id], today))
        )
    return FamilyList(entries, total, page, max(1, -(-total // PAGE)))


async def families_page(app: AppContext, actor: Actor, page: int) -> FamilyList:
    """One page (PAGE families, by name) of her families, or of the families in an admin's scope."""
    page = max(page, 0)
    async with app.database.reading() as conn:
        total, ids = await caseload.families_page(conn, scope_of(actor), limit=PAGE, offset=page * PAGE)
        last = max(0, -(-total // PAGE) - 1)
        if page > last:  # fewer families than when the button was made
            page = last
            total, ids = await caseload.families_page(conn, scope_of(actor), limit=PAGE, offset=page * PAGE)
    return await _list(app, total, ids, page)


async def search(app: AppContext, actor: Actor, text: str) -> FamilyList | None:
    """Families in her scope whose name holds the text, or whose phone holds the typed digits
    (the first PAGE of them). None if there is nothing to look for."""
    phone = phone_fragment(text)
    names = () if phone is not None else name_variants(text)
    if phone is None and (not names or any(ch.isdigit() for ch in text)):
        return None
    async with app.database.reading() as conn:
        total, ids = await caseload.families_page(conn, scope_of(actor), limit=PAGE, offset=0, names=names, phone=phone)
    log_event("families_searched", user_id=actor.user_id, by="phone" if phone else "name", found=total)
    return await _list(app, total, ids, 0)


# --- the family card -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FamilyCard:
    family: Family
    nurse: StaffRecord | None
    risk: RiskLevel
    note: str | None
    calendar: list[CalendarEntry]
    appointments: list[SetAppointmentRecord]
    goals: list[GoalRecord]
    plan: Progress
    last_visit: VisitRecord | None
    visits: int
    questions: int
    life_events: list[LifeEventRecord]


def _risk(record: FamilyCareRecord | None) -> RiskLevel:
    return RiskLevel(record.risk_level) if record is not None else RiskLevel.UNIVERSAL


async def open_card(app: AppContext, actor: Actor, family_id: int, *, action: str = "open") -> FamilyCard | None:
    """Everything about a family for her nurse (or an admin in scope); each open is audited."""
    if not await _may(app, actor, family_id, action):
        return None
    family = await families.cached_family(app.database, family_id)
    if family is None:
        return None
    today = app.today()
    async with app.database.reading() as conn:
        nurse_id = await staff.nurse_of(conn, family_id)
        nurse = await staff.get_staff(conn, nurse_id) if nurse_id is not None else None
        record = await caseload.get_family_care(conn, family_id)
        states = state_map(await care.states_of(conn, family_id))
        appointments = (await caseload.coming_appointments(conn, [family_id], today))[family_id]
        goals = await caseload.goals_of(conn, family_id)
        visit = await caseload.last_visit(conn, family_id)
        visits = await caseload.count_visits(conn, family_id)
        questions = await caseload.open_questions(conn, family_id)
        events = await caseload.life_events_of(conn, family_id)
    async with app.database.transaction() as conn:
        await staff.audit(conn, app.clock.now(), actor.user_id, "family_opened", family_id=family_id)
    return FamilyCard(
        family=family,
        nurse=nurse,
        risk=_risk(record),
        note=record.note if record is not None else None,
        calendar=calendar_entries(family, states, today, planning_since(app, family)),
        appointments=appointments,
        goals=goals,
        plan=progress(goal.done for goal in goals),
        last_visit=visit,
        visits=visits,
        questions=questions,
        life_events=events,
    )


@dataclass(frozen=True, slots=True)
class FamilyBrief:
    """What a prompt about a family needs: who she is, and what her nurse decided."""

    family: Family
    risk: RiskLevel
    note: str | None


async def brief(app: AppContext, actor: Actor, family_id: int, action: str) -> FamilyBrief | None:
    """After the check (None: not hers to see, and audited)."""
    if not await _may(app, actor, family_id, action):
        return None
    family = await families.cached_family(app.database, family_id)
    if family is None:
        return None
    async with app.database.reading() as conn:
        record = await caseload.get_family_care(conn, family_id)
    return FamilyBrief(family, _risk(record), record.note if record is not None else None)


async def set_risk(app: AppContext, actor: Actor, family_id: int, level: RiskLevel) -> bool:
    if not await _may(app, actor, family_id, "risk"):
        return False
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.save_family_care(conn, family_id, actor.staff_id, now, risk_level=level.value)
        await staff.audit(conn, now, actor.user_id, "risk_level_set", family_id=family_id, level=level.value)
    log_event("risk_level_set", user_id=actor.user_id, family_id=family_id, level=level.value)
    return True


async def set_note(app: AppContext, actor: Actor, family_id: int, note: str | None) -> bool:
    """Her note on the family (None removes it). The text is never logged or audited."""
    if note is not None and len(note) > MAX_NOTE:
        return False
    if not await _may(app, actor, family_id, "note"):
        return False
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.save_family_care(conn, family_id, actor.staff_id, now, note=note)
        await staff.audit(conn, now, actor.user_id, "note_saved", family_id=family_id, chars=len(note or ""))
    return True


# --- reassigning ---------------------------------------------------------------------------------

MAX_CHOICES = 20


async def reassign_choices(app: AppContext, actor: Actor, family_id: int) -> list[StaffRecord] | None:
    """Nurses she may hand the family to: a nurse, her polyclinic's others; an admin, her scope's.
    Her own polyclinic's nurses first. None if the family is not hers to see."""
    if not await _may(app, actor, family_id, "reassign"):
        return None
    async with app.database.reading() as conn:
        place = await staff_service.family_place(conn, family_id)
        if actor.is_nurse:
            nurses = await staff.list_staff(conn, polyclinic=actor.polyclinic or "", role="nurse")
        else:
            nurses = await staff.list_staff(conn, region=actor.region, role="nurse")
    if place is None:
        return None
    allowed = [n for n in nurses if n.id != place.nurse_id and can_reassign(actor, place, staff_service.place_of(n))]
    allowed.sort(key=lambda nurse: (nurse.polyclinic != place.polyclinic, nurse.name, nurse.id))
    return allowed[:MAX_CHOICES]


async def reassign(app: AppContext, actor: Actor, family_id: int, staff_id: int) -> StaffRecord | None:
    """The family to another nurse (the reassign rule, checked and audited by the staff service)."""
    if not await _may(app, actor, family_id, "reassign"):
        return None
    if not await staff_service.reassign(app, actor, family_id, staff_id):
        return None
    async with app.database.reading() as conn:
        return await staff.get_staff(conn, staff_id)


# --- home visits ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VisitSaved:
    entry: CalendarEntry | None  # the calendar's patronage visit it stands for, now done
    suggest_progressive: bool  # risks were named and she is on universal patronage


def visit_date_ok(visited_on: date, today: date) -> bool:
    return today - timedelta(days=VISIT_DAYS_BACK) <= visited_on <= today


async def record_visit(
    app: AppContext,
    actor: Actor,
    family_id: int,
    visited_on: date,
    assessed: list[str],
    risks: list[str],
    note: str | None,
) -> VisitSaved | None:
    """Save a home visit; the calendar's patronage visit it stands for is done, and her calendar
    is planned again."""
    if not await _may(app, actor, family_id, "visit"):
        return None
    family = await families.cached_family(app.database, family_id)
    today = app.today()
    if family is None or not visit_date_ok(visited_on, today):
        return None
    assessed, risks = known(assessed, ASSESSED), known(risks, RISKS)
    note = (note or "").strip()[:MAX_VISIT_NOTE] or None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        states = state_map(await care.states_of(conn, family_id))
        entries = {
            (e.track, e.ref_id, e.item.id): e
            for e in calendar_entries(family, states, today, planning_since(app, family))
            if e.item.kind is CareKind.PATRONAGE_VISIT and e.standing in (Standing.UPCOMING, Standing.MISSED)
        }
        slot = visit_slot([VisitSlot(key, e.opens, e.closes) for key, e in entries.items()], visited_on)
        await caseload.insert_visit(
            conn, user_id=family_id, staff_id=actor.staff_id, visited_on=visited_on, assessed=assessed, risks=risks,
            note=note, now=now,
        )
        if slot is not None:
            track, ref_id, item_id = slot.key
            await care.set_state(conn, family_id, track, ref_id, item_id, "done", now)
        level = _risk(await caseload.get_family_care(conn, family_id))
        await staff.audit(
            conn, now, actor.user_id, "home_visit_recorded", family_id=family_id, assessed=len(assessed),
            risks=",".join(risks), item=slot.key[2] if slot else None,
        )
    log_event("home_visit_recorded", user_id=actor.user_id, family_id=family_id, risks=len(risks))
    await calendar_service.replan(app, family_id)
    return VisitSaved(entries[slot.key] if slot else None, bool(risks) and level is RiskLevel.UNIVERSAL)


# --- the support plan ----------------------------------------------------------------------------

def _goal_reminder_key(goal: GoalRecord) -> str:
    return f"goal:{goal.id}:{goal.due_on.isoformat()}"


def _goal_params(goal: GoalRecord) -> dict[str, object]:
    return {"goal": goal.id, "text": goal.goal, "step": goal.next_step, "due": goal.due_on.isoformat()}


def goal_texts_ok(goal: str, next_step: str) -> bool:
    return 0 < len(goal) <= MAX_GOAL and 0 < len(next_step) <= MAX_GOAL


def goal_date_ok(due_on: date, today: date) -> bool:
    return today <= due_on <= today + timedelta(days=DAYS_AHEAD)


async def _plan_goal_reminder(app: AppContext, conn: AsyncConnection, goal: GoalRecord, now: datetime) -> None:
    """On the goal's date, in her morning (the delivery engine keeps it inside her hours)."""
    if goal.done or goal.due_on <= app.today():
        return  # a goal for today: the message that it was added says so already
    due = datetime.combine(goal.due_on, GOAL_REMINDER_AT, tzinfo=app.settings.tz).astimezone(timezone.utc)
    message = OutgoingMessage(goal.user_id, REMINDER, PLAN_KIND, "plan.goal_due", _goal_params(goal), due, _goal_reminder_key(goal))
    await outbox.enqueue(conn, [message], now)


async def plan_of(app: AppContext, actor: Actor, family_id: int) -> tuple[Family, list[GoalRecord]] | None:
    """Her support plan, for staff who may see her."""
    found = await brief(app, actor, family_id, "plan")
    if found is None:
        return None
    async with app.database.reading() as conn:
        return found.family, await caseload.goals_of(conn, family_id)


async def add_goal(app: AppContext, actor: Actor, family_id: int, goal: str, next_step: str, due_on: date) -> GoalRecord | None:
    """A goal in her plan: she is told now, and reminded on its date."""
    if not goal_texts_ok(goal, next_step) or not goal_date_ok(due_on, app.today()):
        return None
    if not await _may(app, actor, family_id, "plan"):
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        goal_id = await caseload.insert_goal(
            conn, user_id=family_id, staff_id=actor.staff_id, goal=goal, next_step=next_step, due_on=due_on, now=now
        )
        record = await caseload.get_goal(conn, goal_id)
        assert record is not None
        added = OutgoingMessage(family_id, REMINDER, PLAN_KIND, "plan.goal_added", _goal_params(record), now, f"goaladd:{goal_id}")
        await outbox.enqueue(conn, [added], now)
        await _plan_goal_reminder(app, conn, record, now)
        await staff.audit(conn, now, actor.user_id, "goal_added", family_id=family_id, goal_id=goal_id)
    log_event("goal_added", user_id=actor.user_id, family_id=family_id, goal_id=goal_id)
    return record


async def goal_for_staff(app: AppContext, actor: Actor, goal_id: int, action: str = "plan") -> GoalRecord | None:
    """A goal of a family she may see (the family comes from the goal, not from the button)."""
    async with app.database.reading() as conn:
        goal = await caseload.get_goal(conn, goal_id)
    if goal is None:
        await staff_service.refuse(app, actor.user_id, action, goal_id=goal_id)
        return None
    return goal if await _may(app, actor, goal.user_id, action) else None


async def change_goal(
    app: AppContext, actor: Actor, goal_id: int, *, goal: str | None = None, next_step: str | None = None, due_on: date | None = None
) -> GoalRecord | None:
    """Change what a goal says or its date; its reminder follows."""
    current = await goal_for_staff(app, actor, goal_id)
    if current is None:
        return None
    values = {
        key: value for key, value in (("goal", goal), ("next_step", next_step), ("due_on", due_on)) if value is not None
    }
    if not values or not goal_texts_ok(goal or current.goal, next_step or current.next_step):
        return None
    if due_on is not None and not goal_date_ok(due_on, app.today()):
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.update_goal(conn, goal_id, **values)
        await caseload.drop_pending_message(conn, _goal_reminder_key(current))
        record = await caseload.get_goal(conn, goal_id)
        assert record is not None
        await _plan_goal_reminder(app, conn, record, now)
        await staff.audit(conn, now, actor.user_id, "goal_changed", family_id=current.user_id, goal_id=goal_id, fields=",".join(values))
    return record


async def remove_goal(app: AppContext, actor: Actor, goal_id: int) -> GoalRecord | None:
    current = await goal_for_staff(app, actor, goal_id)
    if current is None:
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.update_goal(conn, goal_id, removed=True)
        await caseload.drop_pending_message(conn, _goal_reminder_key(current))
        await staff.audit(conn, now, actor.user_id, "goal_removed", family_id=current.user_id, goal_id=goal_id)
    return current


async def my_plan(app: AppContext, user_id: int) -> list[GoalRecord]:
    """/plan: her own support plan."""
    async with app.database.reading() as conn:
        return await caseload.goals_of(conn, user_id)


async def tick_goal(app: AppContext, user_id: int, goal_id: int) -> GoalRecord | None:
    """She did it: no reminder follows, and her nurse sees it. None if not hers or done already."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        goal = await caseload.get_goal(conn, goal_id, user_id)
        if goal is None or not await caseload.mark_goal_done(conn, user_id, goal_id, now):
            return None
        await caseload.drop_pending_message(conn, _goal_reminder_key(goal))
        await nurse_notices.tell_staff(
            conn, user_id, "nurse.goal_done", {"goal": goal.id, "text": goal.goal}, now, f"goaldone:{goal.id}", staff_id=goal.staff_id
        )
    log_event("goal_done", user_id=user_id, goal_id=goal_id)
    return goal


# --- appointments staff set ----------------------------------------------------------------------

def appointment_date_ok(on_date: date, today: date) -> bool:
    return today <= on_date <= today + timedelta(days=DAYS_AHEAD)


def _appointment_params(appointment_id: int, what: str, on_date: date, at_time: str | None, place: str | None) -> dict[str, object]:
    return {"appointment": appointment_id, "what": what, "on_date": on_date.isoformat(), "at_time": at_time, "place": place}


def _offer(family_id: int, params: dict[str, object], now: datetime, moved: bool) -> OutgoingMessage:
    """The appointment, with "I'll come" / "I need another time", to her."""
    key = f"apset:{params['appointment']}:{params['on_date']}:{params['at_time'] or ''}"
    return OutgoingMessage(family_id, REMINDER, nurse_notices.KIND, "nurse.appointment_set", {**params, "moved": moved}, now, key)


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
    log_event("appointment_set_by_staff", user_id=actor.user_id, family_id=family_id, appointment_id=appointment_id)
    await calendar_service.replan(app, family_id)  # her reminders of it
    return appointment_id


async def appointment_for_staff(app: AppContext, actor: Actor, appointment_id: int) -> SetAppointmentRecord | None:
    """An appointment of a family she may see (perhaps cancelled by her meanwhile: see `cancelled`)."""
    async with app.database.reading() as conn:
        appointment = await caseload.get_appointment(conn, appointment_id, cancelled=True)
    if appointment is None:
        await staff_service.refuse(app, actor.user_id, "appointment", appointment_id=appointment_id)
        return None
    return appointment if await _may(app, actor, appointment.user_id, "appointment") else None


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
    await calendar_service.replan(app, appointment.user_id)
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

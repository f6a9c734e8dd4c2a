"""Use cases of the nurse's day: her families (and finding one), a family card, the risk level and
the note, and handing a family to another nurse. Home visits, the support plan and the
appointments staff set have their own modules (visits.py, plans.py, nurse_appointments.py), which
share the check here (`may_act`) and the brief about a family (`brief`).

Every use case that acts for staff takes her `Actor` (as the database knows her now) and checks
that she may see the family (bot.services.staff.may_view_family) before it reads or changes
anything; a refusal is written to the audit log. Ids in callback data are only claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.context import AppContext
from bot.domain.access import Actor, StaffRole, can_reassign
from bot.domain.caseload import (
    MAX_NOTE,
    Progress,
    RiskLevel,
    Standing,
    name_variants,
    phone_fragment,
    progress,
)
from bot.logging_setup import log_event
from bot.services import staff as staff_service
from bot.services.care import CalendarEntry, calendar_entries, planning_since, state_map
from db import alerts, care, caseload, families, screenings, staff
from db.caseload import (
    FamilyCareRecord,
    GoalRecord,
    LifeEventRecord,
    Scope,
    SetAppointmentRecord,
    VisitRecord,
)
from db.records import Family, StaffRecord
from db.screenings import ScreeningRecord

PAGE = 8
# A scheduled check whose nudge went this long ago unanswered shows as "did not answer".
MISSED_AFTER = timedelta(days=1)
DAYS_AHEAD = 366  # how far ahead a goal's or an appointment's date may be


async def may_act(app: AppContext, actor: Actor, family_id: int, action: str) -> bool:
    """The check before every action on a family; a refusal is audited."""
    if await staff_service.may_view_family(app, actor, family_id):
        return True
    await staff_service.refuse(app, actor.user_id, action, family_id=family_id)
    return False


def scope_of(actor: Actor) -> Scope:
    """A nurse's own families; a polyclinic head's polyclinic; an admin's region (national: everyone)."""
    if actor.is_nurse:
        return Scope(staff_id=actor.staff_id)
    if actor.is_head:
        return Scope(polyclinic=actor.polyclinic or "")
    return Scope(region=actor.region)


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
    checks: list[ScreeningRecord] = field(default_factory=list)  # her latest results her nurse may see
    open_alerts: int = 0
    missed_checks: list[tuple[str, date]] = field(default_factory=list)  # (questionnaire id, local day asked)


def risk_of(record: FamilyCareRecord | None) -> RiskLevel:
    return RiskLevel(record.risk_level) if record is not None else RiskLevel.UNIVERSAL


async def open_card(app: AppContext, actor: Actor, family_id: int, *, action: str = "open") -> FamilyCard | None:
    """Everything about a family for her nurse (or an admin in scope); each open is audited."""
    if not await may_act(app, actor, family_id, action):
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
        checks = [r for r in await screenings.history(conn, family_id, limit=8) if r.shared is not False]
        open_alerts = await alerts.count_open_for(conn, family_id)
        missed = await screenings.missed_checks(conn, family_id, app.clock.now() - MISSED_AFTER)
    async with app.database.transaction() as conn:
        await staff.audit(conn, app.clock.now(), actor.user_id, "family_opened", family_id=family_id)
    return FamilyCard(
        family=family,
        nurse=nurse,
        risk=risk_of(record),
        note=record.note if record is not None else None,
        calendar=calendar_entries(family, states, today, planning_since(app, family)),
        appointments=appointments,
        goals=goals,
        plan=progress(goal.done for goal in goals),
        last_visit=visit,
        visits=visits,
        questions=questions,
        life_events=events,
        checks=checks,
        open_alerts=open_alerts,
        missed_checks=[
            (key.split(":")[2], asked.astimezone(app.settings.tz).date() if isinstance(asked, datetime) else asked)
            for key, asked in missed
        ],
    )


@dataclass(frozen=True, slots=True)
class FamilyBrief:
    """What a prompt about a family needs: who she is, and what her nurse decided."""

    family: Family
    risk: RiskLevel
    note: str | None


async def brief(app: AppContext, actor: Actor, family_id: int, action: str) -> FamilyBrief | None:
    """After the check (None: not hers to see, and audited)."""
    if not await may_act(app, actor, family_id, action):
        return None
    family = await families.cached_family(app.database, family_id)
    if family is None:
        return None
    async with app.database.reading() as conn:
        record = await caseload.get_family_care(conn, family_id)
    return FamilyBrief(family, risk_of(record), record.note if record is not None else None)


async def set_risk(app: AppContext, actor: Actor, family_id: int, level: RiskLevel) -> bool:
    if not await may_act(app, actor, family_id, "risk"):
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
    if not await may_act(app, actor, family_id, "note"):
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
    if not await may_act(app, actor, family_id, "reassign"):
        return None
    async with app.database.reading() as conn:
        place = await staff_service.family_place(conn, family_id)
        if actor.is_nurse:
            nurses = await staff.list_staff(conn, polyclinic=actor.polyclinic or "", role=StaffRole.NURSE)
        else:
            nurses = await staff.list_staff(conn, region=actor.region, role=StaffRole.NURSE)
    if place is None:
        return None
    allowed = [n for n in nurses if n.id != place.nurse_id and can_reassign(actor, place, staff_service.place_of(n))]
    allowed.sort(key=lambda nurse: (nurse.polyclinic != place.polyclinic, nurse.name, nurse.id))
    return allowed[:MAX_CHOICES]


async def reassign(app: AppContext, actor: Actor, family_id: int, staff_id: int) -> StaffRecord | None:
    """The family to another nurse (the reassign rule, checked and audited by the staff service)."""
    if not await may_act(app, actor, family_id, "reassign"):
        return None
    if not await staff_service.reassign(app, actor, family_id, staff_id):
        return None
    async with app.database.reading() as conn:
        return await staff.get_staff(conn, staff_id)


async def check_answers(app: AppContext, actor: Actor, family_id: int, limit: int = 3) -> list[ScreeningRecord] | None:
    """Her latest self-checks in full, for her nurse (or an admin in scope); audited."""
    if not await may_act(app, actor, family_id, "checks"):
        return None
    async with app.database.transaction() as conn:
        await staff.audit(conn, app.clock.now(), actor.user_id, "checks_opened", family_id=family_id)
        records = await screenings.history(conn, family_id, limit=limit * 2)
    return [r for r in records if r.shared is not False][:limit]

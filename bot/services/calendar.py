"""Planning the care calendar into the outbox: a periodic sweep, and an immediate re-plan whenever
her profile or an answer changes what is true."""

from __future__ import annotations

import asyncio
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from time import perf_counter

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content.care import Condition, care_items
from bot.content.guidance import all_guidance
from bot.content.questionnaires import Topic, load_questionnaires, questionnaire
from bot.context import AppContext
from bot.delivery import REMINDER
from bot.domain import calendar as cal
from bot.domain.birth import BirthFacts
from bot.domain.calendar import Track
from bot.domain.children import child_age
from bot.domain.outbox import PLANNED
from bot.domain.screening import SubjectCode, SubjectKind, schedule_days
from bot.logging_setup import log_event
from db import care, families, outbox, screenings
from db.outbox import OutgoingMessage
from db.records import Family

HORIZON = timedelta(days=3)
SWEEP_BATCH = 500
# A claimed batch is the claimer's for this long: a worker that dies leaves it due again after it.
LEASE = timedelta(minutes=10)
LANES = 2  # batches one worker keeps going at once on PostgreSQL (see sweep)


@cache
def _items() -> tuple[cal.Item, ...]:
    return tuple(
        cal.Item(i.id, i.track, i.start_day, i.end_day, i.only_if.value if i.only_if else None, i.for_mother)
        for i in care_items()
    )


@cache
def _guidance_numbers() -> tuple[tuple[int, ...], tuple[int, ...]]:
    weeks = tuple(g.number for g in all_guidance() if g.stage == Track.PREGNANCY)
    months = tuple(g.number for g in all_guidance() if g.stage == Track.CHILD)
    return weeks, months


def tracks_of(family: Family, today: date, planning_since: date) -> list[cal.TrackRef]:
    refs: list[cal.TrackRef] = []
    if family.pregnancy is not None:
        refs.append(cal.TrackRef(Track.PREGNANCY, family.pregnancy.id, family.pregnancy.due_date - timedelta(days=cal.FULL_TERM)))
    for child in family.children:
        if child.birth_date <= today and child_age(child.birth_date, today).years < 5:
            facts = BirthFacts(child.gestation_weeks, child.birth_weight_g)
            flags = {Condition.ROP_RISK.value} if facts.rop_risk else set()
            if any(c.birth_date == child.birth_date and c.id < child.id for c in family.children):
                flags.add(cal.LATER_TWIN)
            refs.append(cal.TrackRef(Track.CHILD, child.id, child.birth_date, frozenset(flags)))
    if family.user.planning and family.pregnancy is None:
        refs.append(cal.TrackRef(Track.PLANNING, 0, planning_since))
    return refs


@cache
def _mood_questionnaires() -> tuple[str, ...]:
    return tuple(q.id for q in load_questionnaires() if q.topic is Topic.MOOD)


@cache
def _schedule(track: Track, mood_positive: bool) -> tuple[list[int], list[tuple[int, str, str]]]:
    """A track's checks as days from its anchor (the same for every family), and those days alone (to bisect)."""
    entries = schedule_days(track, mood_positive=mood_positive)
    return [day for day, _, _ in entries], entries


def checks_around(track: Track, anchor: date, today: date, mood_positive: bool) -> list[tuple[int, str, str]]:
    """A track's scheduled checks due from 4 days ago to a week ahead: (day from the anchor, questionnaire
    id, occurrence), found by bisection in the schedule every family shares."""
    days, entries = _schedule(track, mood_positive)
    first = bisect_left(days, (today - timedelta(days=4) - anchor).days)
    last = bisect_right(days, (today + timedelta(days=7) - anchor).days)
    return entries[first:last]


def _checks(refs: Sequence[cal.TrackRef], today: date, begun: set[str], mood_positive: bool,
            waiting: AbstractSet[tuple[str, str | None, int | None]] = frozenset()) -> list[cal.Check]:
    """Her scheduled self-checks still to come (within the next days) and not begun; none of a
    questionnaire she has begun and not finished for the same person (she resumes that one). Whom each
    is about is a SubjectCode: p<pregnancy>, c<child>, m<child> (herself after that birth; twins: the
    first child's id, so she is asked once)."""
    found: list[cal.Check] = []
    births: dict[date, int] = {}
    for ref in refs:
        if ref.track == Track.CHILD:
            births[ref.anchor] = min(births.get(ref.anchor, ref.ref_id), ref.ref_id)
    for ref in refs:
        if ref.track not in (Track.PREGNANCY, Track.CHILD):
            continue
        for day, questionnaire_id, occurrence in checks_around(ref.track, ref.anchor, today, mood_positive):
            q = questionnaire(questionnaire_id)
            if q is None:
                continue
            if ref.track == Track.PREGNANCY:
                whom = SubjectCode(SubjectKind.PREGNANCY, ref.ref_id)
            elif q.about_child:
                whom = SubjectCode(SubjectKind.CHILD, ref.ref_id)
            elif births[ref.anchor] == ref.ref_id:
                whom = SubjectCode(SubjectKind.MOTHER, ref.ref_id)
            else:
                continue  # a twin: she is asked about herself once, with the first child
            code = str(whom)
            key = cal.check_key(code, q.id, occurrence)
            if key in begun or (q.id, ref.track, ref.ref_id) in waiting:
                continue
            found.append(cal.Check(key, ref.anchor + timedelta(days=day), {"q": q.id, "code": code, "occ": occurrence,
                                                    "track": ref.track, "ref": ref.ref_id}))
    return found


def _appointments(records: Sequence[care.AppointmentRecord]) -> list[cal.Appointment]:
    return [
        cal.Appointment(a.id, a.on_date, time.fromisoformat(a.at_time) if a.at_time else None) for a in records
    ]


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the rules need of one family besides her record, read for a batch of families at once."""

    states: list[care.CareStateRecord]
    appointments: list[care.AppointmentRecord]
    checks: screenings.PlanningFacts


async def _facts_of(conn: AsyncConnection, user_ids: list[int], today: date) -> dict[int, _Facts]:
    """One query per kind (her answers about items, appointments, self-checks) for all of them."""
    states = await care.states_of_families(conn, user_ids)
    appointments = await care.appointments_of_families(conn, user_ids, from_date=today)
    checks = await screenings.planning_facts_of_families(conn, user_ids, _mood_questionnaires())
    return {user_id: _Facts(states[user_id], appointments.get(user_id, []), checks[user_id]) for user_id in user_ids}


def _resting(family: Family) -> bool:
    return family.user.paused or family.user.unreachable_at is not None


def _plan(app: AppContext, family: Family, facts: _Facts | None, now: datetime, today: date) -> tuple[list[OutgoingMessage], datetime]:
    """Her messages for the next few days and when to plan her again: the rules alone, no I/O."""
    if facts is None or _resting(family):  # nothing to plan; look again in a week
        return [], now + timedelta(days=7)
    user_id = family.user.id
    refs = tracks_of(family, today, family.user.created_at.astimezone(app.settings.tz).date())
    weeks, months = _guidance_numbers()
    plan = cal.plan_family(
        refs=refs,
        items=_items(),
        states={(s.track, s.ref_id, s.item_id): cal.ItemState(s.status, s.snoozed_until) for s in facts.states},
        appointments=_appointments(facts.appointments),
        pregnancy_weeks=weeks,
        child_months=months,
        now=now,
        tz=app.settings.tz,
        window=app.settings.delivery_window,
        horizon=HORIZON,
        spread_key=user_id,
        checks=_checks(refs, today, facts.checks.begun, facts.checks.mood_positive, facts.checks.waiting),
    )
    by_id = {a.id: a for a in facts.appointments}
    messages = [
        OutgoingMessage(
            chat_id=user_id,
            priority=REMINDER,
            kind=p.kind,
            message_key=p.message_key,
            params=_with_appointment(p.params, by_id),
            due_at=p.due,
            unique_key=p.key,
        )
        for p in plan.messages
    ]
    return messages, plan.next_plan_at


async def plan_user(app: AppContext, user_id: int) -> int:
    """Write her messages for the next few days; returns how many were new."""
    now = app.clock.now()
    family = await families.cached_family(app.database, user_id)
    if family is None:
        return 0
    facts = None
    if not _resting(family):
        async with app.database.reading() as conn:
            facts = (await _facts_of(conn, [user_id], app.today()))[user_id]
    messages, next_plan_at = _plan(app, family, facts, now, app.today())
    async with app.database.transaction() as conn:
        new = await outbox.enqueue(conn, messages, now)
        await care.set_next_plan(conn, user_id, next_plan_at)
    return new


async def plan_batch(app: AppContext, user_ids: list[int], now: datetime, lease_until: datetime) -> int:
    """Plan families claimed together (`care.claim_due`): each kind of row read in one query for all of
    them, the rules applied in memory, their messages written in one statement and their next plans in
    another. Only families still holding this claim are written (see `care.set_next_plans`); the
    outbox's unique keys make planning one twice harmless all the same. Returns how many were new."""
    today = app.today()
    async with app.database.reading() as conn:
        found = await families.load_families(conn, user_ids)  # fresh rows, and the cache stays small
        facts = await _facts_of(conn, [u for u, f in found.items() if not _resting(f)], today)
    planned = {user_id: _plan(app, family, facts.get(user_id), now, today) for user_id, family in found.items()}
    async with app.database.transaction() as conn:
        ours = await care.set_next_plans(conn, [(user_id, at) for user_id, (_, at) in planned.items()], lease_until)
        return await outbox.enqueue(conn, [m for user_id in ours for m in planned[user_id][0]], now)


def _with_appointment(params: dict[str, object], by_id: dict[int, care.AppointmentRecord]) -> dict[str, object]:
    """Appointment reminders carry what they say, so they render without a database."""
    appointment_id = params.get("appointment")
    appointment = by_id.get(appointment_id) if isinstance(appointment_id, int) else None
    if appointment is None:
        return params
    return {
        **params,
        "what": appointment.what,
        "on_date": appointment.on_date.isoformat(),
        "at_time": appointment.at_time,
        "place": appointment.place,
    }


async def sweep(app: AppContext, batch: int = SWEEP_BATCH, lanes: int | None = None) -> int:
    """Plan every family whose plan is due, a batch at a time. The cost follows what is due, not who is
    registered; workers sweeping at once share the due families (each batch is claimed for LEASE).
    On PostgreSQL a worker keeps LANES batches going: while one waits for the database, another is
    planned in Python (the server works on another core)."""
    totals = {"messages": 0, "families": 0}
    started = perf_counter()

    async def lane() -> None:
        while True:
            now = app.clock.now()
            lease_until = now + LEASE
            async with app.database.transaction() as conn:
                due = await care.claim_due(conn, now, batch, lease_until)
            new = await plan_batch(app, due, now, lease_until) if due else 0
            totals["messages"] += new  # (not `+= await`: that reads the total before the other lane adds)
            totals["families"] += len(due)
            if len(due) < batch:
                return

    async with asyncio.TaskGroup() as group:
        for _ in range(lanes or (1 if app.database.is_sqlite else LANES)):
            group.create_task(lane())
    planned, families = totals["messages"], totals["families"]
    if families:
        app.metrics.planned_families.inc(families)
        app.metrics.planner_rate.set(families / max(perf_counter() - started, 1e-6))
    if planned:
        log_event("calendar_planned", messages=planned)
    return planned


async def plan_again(conn: AsyncConnection, user_id: int, now: datetime) -> None:
    """Her situation changed (call it inside the transaction that changed it): what was planned and
    not yet sent goes, and she is due for planning now. `plan_user` right after the commit plans her
    at once; should the process die in between, the next sweep does. What was sent stays (and its
    unique key keeps it from being sent twice)."""
    await outbox.drop_pending(conn, user_id, PLANNED)
    await care.set_next_plan(conn, user_id, now)


async def replan(app: AppContext, user_id: int) -> int:
    """`plan_again` in a transaction of its own, then planned now: for a change made elsewhere."""
    async with app.database.transaction() as conn:
        await plan_again(conn, user_id, app.clock.now())
    return await plan_user(app, user_id)


async def hold_planning(conn: AsyncConnection, user_id: int, now: datetime) -> None:
    """Paused (inside the transaction that paused her): nothing planned goes out until she resumes."""
    await outbox.drop_pending(conn, user_id, PLANNED)
    await care.set_next_plan(conn, user_id, now + timedelta(days=7))



"""A nurse's day at a glance (Step 9): the console's "My day" and /today in Telegram.

What she must act on today, from the database as it is now, for her own families only:
- open alerts: her families' alerts nobody has taken (and any sent to her), and those she took
  without writing down an outcome;
- questions waiting for an answer (as in /questions: her families', and her polyclinic's escalated
  or nurseless ones), with how long each has waited;
- newborns to visit this week: a baby up to 28 days old born within the last 7 days, or with a
  patronage home visit not done yet whose window is open on some day of this week;
- overdue visits: patronage home visits (pregnancy or child) not done whose window closed within
  the last 30 days, after she registered;
- families who did not answer a scheduled check nudged within the last two weeks (the family
  card's "did not answer" rule, bot.services.caseload.MISSED_AFTER);
- appointments today (the local date) that staff set for her families, with the mother's answer.

Every read covers all her families at once (one query per few hundred families), never one per family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from bot.content.care import CareKind
from bot.context import AppContext
from bot.domain import today as rules
from bot.domain.access import Actor
from bot.domain.calendar import Track
from bot.domain.caseload import Standing
from bot.logging_setup import log_event
from bot.services.care import CalendarEntry, calendar_entries, planning_since, state_map
from bot.services.caseload import MISSED_AFTER
from db import caseload, families, questions
from db import today as today_db
from db.care import CareStateRecord
from db.records import Family
from db.today import DayAlert, DayAppointment

SHOWN = 20  # entries kept per section (the console shows them all, Telegram fewer)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    """A section of her day: how many there are, and the first few."""

    total: int = 0
    entries: tuple[T, ...] = ()

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.entries))


@dataclass(frozen=True, slots=True)
class WaitingQuestion:
    id: int
    family_id: int
    name: str
    asked_at: datetime
    waited: timedelta


@dataclass(frozen=True, slots=True)
class Newborn:
    family_id: int
    name: str  # the mother's
    child: str
    born: date
    visit: CalendarEntry | None  # the home visit due this week (None: born this week, no visit due yet)


@dataclass(frozen=True, slots=True)
class OverdueVisit:
    family_id: int
    name: str
    entry: CalendarEntry


@dataclass(frozen=True, slots=True)
class MissedCheck:
    family_id: int
    name: str
    questionnaire: str
    asked_on: date


@dataclass(frozen=True, slots=True)
class NurseDay:
    on: date  # her local date
    at: datetime  # when it was read (UTC)
    open_alerts: Listed[DayAlert] = field(default_factory=Listed)
    questions: Listed[WaitingQuestion] = field(default_factory=Listed)
    newborns: Listed[Newborn] = field(default_factory=Listed)
    overdue_visits: Listed[OverdueVisit] = field(default_factory=Listed)
    missed_checks: Listed[MissedCheck] = field(default_factory=Listed)
    appointments: Listed[DayAppointment] = field(default_factory=Listed)
    # Her own families: only theirs are linked to a card (an alert sent to her, or a question passed on to
    # her polyclinic, may be another nurse's family, whose card is not hers to open).
    own: frozenset[int] = frozenset()

    @property
    def quiet(self) -> bool:
        return not any(
            section.total
            for section in (self.open_alerts, self.questions, self.newborns, self.overdue_visits, self.missed_checks, self.appointments)
        )

    def families(self) -> list[tuple[int, str]]:
        """Her own families named in her day, each once, in the order of the sections."""
        seen: dict[int, str] = {}
        for group in (
            [(a.user_id, a.name) for a in self.open_alerts.entries],
            [(q.family_id, q.name) for q in self.questions.entries],
            [(n.family_id, n.name) for n in self.newborns.entries],
            [(a.user_id, a.name) for a in self.appointments.entries],
            [(v.family_id, v.name) for v in self.overdue_visits.entries],
            [(m.family_id, m.name) for m in self.missed_checks.entries],
        ):
            for family_id, name in group:
                if family_id in self.own:
                    seen.setdefault(family_id, name)
        return list(seen.items())


def _listed(items: list[T], total: int | None = None) -> Listed[T]:
    return Listed(len(items) if total is None else total, tuple(items[:SHOWN]))


def visits_of(family: Family, states: list[CareStateRecord], today: date, since: date) -> tuple[list[Newborn], list[OverdueVisit]]:
    """Her newborns to visit this week and her overdue home visits, from her calendar."""
    visits = [
        e for e in calendar_entries(family, state_map(states), today, since) if e.item.kind is CareKind.PATRONAGE_VISIT
    ]
    newborns = []
    for child in family.children:
        if not rules.is_newborn(child.birth_date, today):
            continue
        due = sorted(
            (
                e for e in visits
                if e.track is Track.CHILD and e.ref_id == child.id and e.standing is Standing.UPCOMING
                and rules.due_this_week(e.opens, e.closes, today)
            ),
            key=lambda e: (e.opens, e.closes),
        )
        if due or rules.just_born(child.birth_date, today):
            newborns.append(Newborn(family.user.id, family.user.name, child.name, child.birth_date, due[0] if due else None))
    registered = since
    overdue = [
        OverdueVisit(family.user.id, family.user.name, e)
        for e in visits
        if e.standing is Standing.MISSED and rules.overdue(e.closes, today, registered)
    ]
    return newborns, overdue


async def nurse_day(app: AppContext, actor: Actor) -> NurseDay:
    """Her day, for a nurse (anyone else has no families of her own: an empty day)."""
    today = app.today()
    now = app.clock.now()
    if not actor.is_nurse:
        return NurseDay(today, now)
    async with app.database.reading() as conn:
        ids = await today_db.family_ids(conn, actor.staff_id)
        alert_total, alerts = await today_db.open_alerts(conn, actor.staff_id, SHOWN)
        question_total, waiting = await questions.open_questions(
            conn, nurse_id=actor.staff_id, polyclinic=actor.polyclinic, limit=SHOWN
        )
        appointment_total, appointments = await today_db.appointments_on(conn, actor.staff_id, today, SHOWN)
        missed = await today_db.missed_checks(conn, ids, now - rules.MISSED_WITHIN, now - MISSED_AFTER)
        asked_by = await today_db.names_of(conn, [q.user_id for q in waiting])
        states: dict[int, list[CareStateRecord]] = {}
        for start in range(0, len(ids), today_db.PER_QUERY):
            states.update(await caseload.care_states_of(conn, ids[start : start + today_db.PER_QUERY]))
    found = await families.cached_families(app.database, ids)
    mine = {family_id: family for family_id, family in found.items() if family is not None}

    newborns: list[Newborn] = []
    overdue: list[OverdueVisit] = []
    for family_id, family in mine.items():
        born, late = visits_of(family, states.get(family_id, []), today, planning_since(app, family))
        newborns += born
        overdue += late
    newborns.sort(key=lambda n: (n.visit.closes if n.visit else n.born + timedelta(days=rules.JUST_BORN_DAYS), n.name, n.family_id))
    overdue.sort(key=lambda v: (v.entry.closes, v.name, v.family_id))

    unanswered = sorted(
        (
            MissedCheck(
                family_id, mine[family_id].user.name, questionnaire,
                asked.astimezone(app.settings.tz).date() if isinstance(asked, datetime) else asked,
            )
            for family_id, checks in missed.items()
            if family_id in mine
            for questionnaire, asked in checks
        ),
        key=lambda m: (m.asked_on, m.name, m.family_id),
    )
    day = NurseDay(
        on=today,
        at=now,
        open_alerts=_listed(alerts, alert_total),
        questions=_listed(
            [WaitingQuestion(q.id, q.user_id, asked_by.get(q.user_id, "—"), q.created_at, now - q.created_at) for q in waiting],
            question_total,
        ),
        newborns=_listed(newborns),
        overdue_visits=_listed(overdue),
        missed_checks=_listed(unanswered),
        appointments=_listed(appointments, appointment_total),
        own=frozenset(ids),
    )
    log_event("nurse_day_opened", user_id=actor.user_id, families=len(ids))
    return day

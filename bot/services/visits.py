"""Home visits a nurse records: what she assessed and which risks she named. A visit marks the
calendar's patronage visit it stands for as done, and her calendar is planned again.

Like every use case of the nurse's day it checks first that staff may see the family
(bot.services.caseload.may_act); a refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.content.care import CareKind
from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.calendar import CareStatus
from bot.domain.caseload import (
    ASSESSED,
    MAX_VISIT_NOTE,
    RISKS,
    VISIT_DAYS_BACK,
    RiskLevel,
    Standing,
    VisitSlot,
    known,
    visit_slot,
)
from bot.logging_setup import log_event
from bot.services import calendar as calendar_service
from bot.services.care import CalendarEntry, calendar_entries, planning_since, state_map
from bot.services.caseload import may_act, risk_of
from db import care, caseload, families, staff


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
    if not await may_act(app, actor, family_id, "visit"):
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
            await care.set_state(conn, family_id, track, ref_id, item_id, CareStatus.DONE, now)
        level = risk_of(await caseload.get_family_care(conn, family_id))
        await staff.audit(
            conn, now, actor.user_id, "home_visit_recorded", family_id=family_id, assessed=len(assessed),
            risks=",".join(risks), item=slot.key[2] if slot else None,
        )
        await calendar_service.plan_again(conn, family_id, now)  # a visit done: its reminder goes
    log_event("home_visit_recorded", user_id=actor.user_id, family_id=family_id, risks=len(risks))
    await calendar_service.plan_user(app, family_id)
    return VisitSaved(entries[slot.key] if slot else None, bool(risks) and level is RiskLevel.UNIVERSAL)

"""Alerts from risky answers: raised in the same transaction as her result (a crash between the
two cannot lose one), sent to the nearest tier that has anyone, and on up the tiers until somebody
takes it (bot/domain/escalation.py). Every press re-checks who may act, with what the database
says now; messages go through the outbox (urgent band at URGENT priority, high at ALERT)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.context import AppContext
from bot.delivery import ALERT, URGENT
from bot.domain.access import Actor, FamilyPlace, can_view_family
from bot.domain.dates import format_moment
from bot.domain.escalation import AlertOutcome, first_tier, next_tier, wait_for
from bot.domain.outbox import OutboxKind
from bot.domain.questions import Tier
from bot.logging_setup import log_event
from bot.services.staff import care_tiers
from db import alerts, families, outbox, screenings, staff
from db.alerts import AlertRecord
from db.outbox import OutgoingMessage
from db.records import Family, StaffRecord, UserRecord
from db.screenings import ScreeningRecord

NEW, TAKEN, SEEN = "alert.new", "alert.taken", "alert.seen"  # message keys (SEEN: to her)
OUTCOMES = frozenset(AlertOutcome)  # what an outcome button may say (handlers/alerts.py)
ESCALATION_BATCH = 100


def _wait(app: AppContext, band: str) -> timedelta:
    return wait_for(
        band,
        timedelta(minutes=app.settings.alert_wait_urgent_minutes),
        timedelta(minutes=app.settings.alert_wait_high_minutes),
    )


def _notices(alert_id: int, screening: ScreeningRecord, band: str, at: str, tier: Tier, rounds: int,
             people: list[StaffRecord], now: datetime, nurse: StaffRecord | None) -> list[OutgoingMessage]:
    params = {
        "alert": alert_id,
        "band": band,
        "q": screening.questionnaire,
        "triggers": [list(t) for t in screening.triggers],
        "total": screening.total,
        "label": screening.label,
        "self_harm": screening.self_harm,
        "at": at,
        "tier": int(tier),
        "round": rounds,
        "nurse": nurse.name if nurse is not None and tier > Tier.NURSE else None,
    }
    return [
        OutgoingMessage(
            chat_id=member.user_id,
            priority=URGENT if band == "urgent" else ALERT,
            kind=OutboxKind.ALERT,
            message_key=NEW,
            params=params,
            due_at=now,
            unique_key=f"alert:{alert_id}:r{rounds}:{member.user_id}",
            about=screening.user_id,
        )
        for member in people
    ]


@dataclass(frozen=True, slots=True)
class Raised:
    """Who an alert reached first: what she is told must be exactly this (never "your nurse" when
    there is none)."""

    alert_id: int
    tier: Tier | None  # None: no staff anywhere yet; it waits and is tried again after each wait
    nurse_name: str | None  # her nurse's name, when the alert went to her nurse


async def raise_alert(app: AppContext, conn: AsyncConnection, user: UserRecord, screening: ScreeningRecord, band: str) -> Raised:
    """In her result's transaction: the alert, and its messages to the nearest tier with anyone.
    With no staff anywhere yet it is still recorded, and tried again after each wait."""
    now = app.clock.now()
    nurse_id = await staff.nurse_of(conn, user.id)
    tiers = await care_tiers(conn, user, nurse_id)
    tier = first_tier(tiers)
    alert_id = await alerts.insert_alert(
        conn,
        user_id=user.id,
        screening_id=screening.id,
        band=band,
        tier=int(tier if tier is not None else Tier.NATIONAL),
        escalate_at=now + _wait(app, band),
        now=now,
    )
    if tier is None:
        log_event("alert_nobody_to_tell", alert_id=alert_id)
        return Raised(alert_id, None, None)
    people = tiers[tier]
    await alerts.add_recipients(conn, alert_id, [m.id for m in people], int(tier), 1)
    her_nurse = tiers[0][0] if tiers[0] else None
    answered = format_moment(now, app.settings.tz)
    await outbox.enqueue(conn, _notices(alert_id, screening, band, answered, tier, 1, people, now, her_nurse), now)
    log_event("alert_raised", alert_id=alert_id, band=band, tier=int(tier))
    return Raised(alert_id, tier, people[0].name if tier is Tier.NURSE else None)


async def escalate(app: AppContext) -> int:
    """Every minute: each alert nobody took within its wait goes to the next tier. Returns how many."""
    now = app.clock.now()
    async with app.database.reading() as conn:
        due = await alerts.due_escalations(conn, now, ESCALATION_BATCH)
    done = 0
    for alert in due:
        async with app.database.transaction() as conn:
            done += await _escalate_one(app, conn, alert, now)
    if done:
        app.metrics.escalations.inc(done)
        log_event("alerts_escalated", count=done)
    return done


async def _escalate_one(app: AppContext, conn: AsyncConnection, alert: AlertRecord, now: datetime) -> int:
    user = await families.get_user(conn, alert.user_id)
    screening = await screenings.get_screening(conn, alert.screening_id)
    if user is None or screening is None:
        return 0
    nurse_id = await staff.nurse_of(conn, user.id)
    tiers = await care_tiers(conn, user, nurse_id)
    rounds = alert.rounds + 1
    tier = next_tier(Tier(alert.tier), tiers)
    if not await alerts.escalated(conn, alert.id, rounds=rounds, tier=int(tier if tier is not None else alert.tier),
                                  escalate_at=now + _wait(app, alert.band)):
        return 0  # taken, or stepped by another run, meanwhile
    if tier is None:
        log_event("alert_nobody_to_tell", alert_id=alert.id)
        return 1
    people = tiers[tier]
    await alerts.add_recipients(conn, alert.id, [m.id for m in people], int(tier), rounds)
    answered = format_moment(alert.created_at, app.settings.tz)
    her_nurse = tiers[0][0] if tiers[0] else None
    await outbox.enqueue(conn, _notices(alert.id, screening, alert.band, answered, tier, rounds, people, now, her_nurse), now)
    log_event("alert_escalated", alert_id=alert.id, tier=int(tier), round=rounds)
    return 1


# --- staff acting on an alert ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AlertView:
    alert: AlertRecord
    screening: ScreeningRecord
    family: Family
    taken_by: StaffRecord | None


async def _place(conn: AsyncConnection, user_id: int) -> FamilyPlace | None:
    user = await families.get_user(conn, user_id)
    if user is None:
        return None
    return FamilyPlace(user.id, user.region, user.polyclinic, await staff.nurse_of(conn, user.id))


async def _may_act(conn: AsyncConnection, actor: Actor, alert: AlertRecord) -> bool:
    """Whoever it was sent to, and staff whose scope holds her family."""
    place = await _place(conn, alert.user_id)
    if place is None:
        return False
    return can_view_family(actor, place) or await alerts.is_recipient(conn, alert.id, actor.staff_id)


async def view(app: AppContext, actor: Actor, alert_id: int) -> AlertView | None:
    async with app.database.reading() as conn:
        alert = await alerts.get_alert(conn, alert_id)
        if alert is None or not await _may_act(conn, actor, alert):
            return None
        screening = await screenings.get_screening(conn, alert.screening_id)
        taken_by = await staff.get_staff(conn, alert.acknowledged_by) if alert.acknowledged_by is not None else None
    family = await families.cached_family(app.database, alert.user_id)
    if screening is None or family is None:
        return None
    return AlertView(alert, screening, family, taken_by)


@dataclass(frozen=True, slots=True)
class Copy:
    """Another recipient's copy of an alert, to be edited once it is taken."""

    chat_id: int
    message_id: int
    language: str


@dataclass(frozen=True, slots=True)
class Taken:
    view: AlertView
    by_me: bool  # False: somebody else had taken it already
    copies: tuple[Copy, ...] = ()  # when taken by this press: every other copy of the alert


async def acknowledge(app: AppContext, actor: Actor, alert_id: int, said: str | None = None) -> Taken | None:
    """"I'm on it" (or an outcome, which takes it too). None: not hers to act on, or not an outcome."""
    if said is not None and said not in OUTCOMES:
        return None
    outcome = AlertOutcome(said) if said is not None else None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        alert = await alerts.get_alert(conn, alert_id)
        if alert is None or not await _may_act(conn, actor, alert):
            await staff.audit(conn, now, actor.user_id, "alert_refused", staff_id=actor.staff_id, alert=alert_id)
            return None
        if outcome is AlertOutcome.UNREACHED:
            await _could_not_reach(app, conn, actor, alert, now)
            mine = False
        else:
            mine = await alerts.acknowledge(conn, alert_id, actor.staff_id, now)
        copies: list[Copy] = []
        if mine:
            await staff.audit(conn, now, actor.user_id, "alert_taken", family_id=alert.user_id, staff_id=actor.staff_id,
                              alert=alert_id)
            others = [s for s in await alerts.recipients(conn, alert_id) if s != actor.staff_id]
            members = [m for m in [await staff.get_staff(conn, s) for s in others] if m is not None and m.active]
            taker = await staff.get_staff(conn, actor.staff_id)
            taker_name = taker.name if taker else ""
            her_nurse = await staff.nurse_of(conn, alert.user_id)
            languages = {m.user_id: m.language for m in [*members, *([taker] if taker else [])]}
            copies = [
                Copy(chat_id, message_id, languages.get(chat_id) or app.settings.default_language)
                for chat_id, message_id in await outbox.sent_copies(conn, f"alert:{alert_id}:r")
            ]
            await outbox.enqueue(
                conn,
                [
                    OutgoingMessage(
                        chat_id=m.user_id, priority=ALERT, kind=OutboxKind.ALERT, message_key=TAKEN,
                        params={"alert": alert_id, "by": taker_name, "at": format_moment(now, app.settings.tz)},
                        due_at=now, unique_key=f"alert:{alert_id}:taken:{m.user_id}", about=alert.user_id,
                    )
                    for m in members
                ]
                # She hears that a person has her answers: the loop is closed, in her language.
                + [
                    OutgoingMessage(
                        chat_id=alert.user_id, priority=ALERT, kind=OutboxKind.ALERT, message_key=SEEN,
                        params={"by": taker_name, "her_nurse": her_nurse == actor.staff_id,
                                "role": taker.role if taker else "nurse", "outcome": outcome},
                        due_at=now, unique_key=f"alert:{alert_id}:seen",
                    )
                ],
                now,
            )
        refreshed = await alerts.get_alert(conn, alert_id)
        assert refreshed is not None
        if outcome is not None and outcome is not AlertOutcome.UNREACHED and refreshed.acknowledged_by == actor.staff_id:
            await alerts.set_outcome(conn, alert_id, outcome, now)
            await staff.audit(conn, now, actor.user_id, "alert_outcome", family_id=alert.user_id, staff_id=actor.staff_id,
                              alert=alert_id, outcome=outcome)
    if mine:
        log_event("alert_acknowledged", alert_id=alert_id, staff_id=actor.staff_id)
    shown = await view(app, actor, alert_id)
    return Taken(shown, mine, tuple(copies)) if shown is not None else None


async def _could_not_reach(app: AppContext, conn: AsyncConnection, actor: Actor, alert: AlertRecord, now: datetime) -> None:
    """"Could not reach" never closes an urgent alert: nobody has spoken to her yet. The attempt is recorded;
    an alert nobody took keeps climbing the tiers; one she had taken is open again and goes further now.
    The mother is told that someone tried to call her."""
    await alerts.set_outcome(conn, alert.id, AlertOutcome.UNREACHED, now)
    await staff.audit(conn, now, actor.user_id, "alert_outcome", family_id=alert.user_id, staff_id=actor.staff_id,
                      alert=alert.id, outcome=AlertOutcome.UNREACHED)
    if alert.acknowledged_by == actor.staff_id:
        await alerts.reopen(conn, alert.id, now)
    member = await staff.get_staff(conn, actor.staff_id)
    await outbox.enqueue(conn, [OutgoingMessage(
        chat_id=alert.user_id, priority=ALERT, kind=OutboxKind.ALERT, message_key=SEEN,
        params={"by": member.name if member else "", "outcome": AlertOutcome.UNREACHED,
                "her_nurse": await staff.nurse_of(conn, alert.user_id) == actor.staff_id},
        due_at=now, unique_key=f"alert:{alert.id}:unreached:{actor.staff_id}:{now.isoformat(timespec='minutes')}",
    )], now)
    log_event("alert_unreached", alert_id=alert.id, staff_id=actor.staff_id)


async def open_alerts(app: AppContext, actor: Actor, *, limit: int = 5, offset: int = 0) -> tuple[int, list[AlertView]]:
    """The alerts nobody has taken, within her scope, oldest first."""
    async with app.database.reading() as conn:
        total, records = await alerts.open_alerts(
            conn, staff_id=actor.staff_id, nurse=actor.is_nurse, region=actor.region, limit=limit, offset=offset
        )
    views = [v for v in [await view(app, actor, r.id) for r in records] if v is not None]
    return total, views

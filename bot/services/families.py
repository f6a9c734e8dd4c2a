"""Use cases for a mother's own record: register, edit, record a birth or a loss, pause, erase.

Each use case is one call: a short transaction, then whatever follows from it at once — her
reminders planned again (`calendar.plan_again` in its transaction, `plan_user` after) whenever what is true for her family changed, her
nurse chosen or told. The handler replies only after the call returns, and a console or another
worker that calls the same function cannot forget a step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.context import AppContext
from bot.domain.birth import BirthFacts, parse_birth_weight, parse_gestation_weeks
from bot.domain.children import Sex, validate_birth_date
from bot.domain.flow import ChildDraft, Draft, EditTarget, Role, dating_from_draft
from bot.domain.pregnancy import DatingMethod, LifeEventKind, PregnancyDating, PregnancyStatus
from bot.domain.privacy import pseudonym
from bot.logging_setup import log_event
from bot.services import calendar as calendar_service
from bot.services import nurse_notices
from bot.services import staff as staff_service
from db import families, outbox, privacy
from db.engine import Database
from db.records import Family, NewChild, NewUser, PregnancyRecord, UserRecord

DELETABLE_FOR = timedelta(hours=47)  # Telegram: a bot may delete its messages for 48 hours


class InvalidDraft(Exception):
    """The stored answers do not add up (e.g. edited by hand or from an old version)."""


def dating_of(pregnancy: PregnancyRecord) -> PregnancyDating:
    return PregnancyDating(
        due_date=pregnancy.due_date, method=DatingMethod(pregnancy.dating_method), lmp_date=pregnancy.lmp_date
    )


def _dating_in(draft: Draft) -> PregnancyDating:
    raw = draft.get("pregnancy")
    if raw is None:
        raise InvalidDraft("no pregnancy dates")
    return dating_from_draft(raw)


def child_from_draft(raw: ChildDraft, today: date, pregnancy_id: int | None = None) -> NewChild:
    birth = date.fromisoformat(raw["birth"])
    if validate_birth_date(birth, today) is not None:
        raise InvalidDraft("birth date out of range")
    weeks, grams = raw.get("weeks"), raw.get("grams")
    facts = BirthFacts(
        parse_gestation_weeks(str(weeks)) if weeks is not None else None,
        parse_birth_weight(str(grams)) if grams is not None else None,
    )
    return NewChild(name=str(raw["name"]), birth_date=birth, sex=Sex(raw["sex"]).value, pregnancy_id=pregnancy_id,
                    gestation_weeks=facts.gestation_weeks, birth_weight_g=facts.birth_weight_g)


async def _tell_if_early_or_small(conn: AsyncConnection, user_id: int, child_id: int, kid: NewChild, now: datetime) -> None:
    """Born before 37 weeks or under 2,500 g: her nurse hears at once (not at the next visit)."""
    facts = BirthFacts(kid.gestation_weeks, kid.birth_weight_g)
    if facts.early_or_small:
        await nurse_notices.early_or_small_baby(conn, user_id, child_id, facts, now)


def check_place(region_code: str, polyclinic_code: str | None) -> None:
    if find_region(region_code) is None:
        raise InvalidDraft("unknown region")
    if polyclinic_code is not None:
        clinic = find_polyclinic(polyclinic_code)
        if clinic is None or clinic.region != region_code:
            raise InvalidDraft("polyclinic not in region")


async def load_family(app: AppContext, user_id: int) -> Family | None:
    return await families.cached_family(app.database, user_id)


async def complete_registration(app: AppContext, user_id: int, draft: Draft) -> UserRecord:
    """Her record from the finished draft; then her reminders, her nurse (the reply she reads names
    the nurse, so no separate message waits for her morning) and the nurse's word of an early baby."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        user = await _insert_family(conn, now, app.today(), user_id, draft)
        await calendar_service.plan_again(conn, user_id, now)
    await calendar_service.plan_user(app, user_id)
    await staff_service.assign_family(app, user_id, tell_her=False)
    await _tell_nurse_of_early_babies(app, user_id)
    return user


async def insert_family(database: Database, now: datetime, today: date, user_id: int, draft: Draft) -> UserRecord:
    """The record alone, with nothing that follows from it: for seeding a world (tests, benchmarks).
    A person registers through `complete_registration`."""
    async with database.transaction() as conn:
        return await _insert_family(conn, now, today, user_id, draft)


async def _insert_family(conn: AsyncConnection, now: datetime, today: date, user_id: int, draft: Draft) -> UserRecord:
    roles = set(draft.get("roles", []))
    polyclinic = draft.get("polyclinic") or None
    check_place(draft["region"], polyclinic)
    kids = [child_from_draft(c, today) for c in draft.get("children", [])] if Role.PARENT in roles else []
    if await families.get_user(conn, user_id) is not None:
        raise InvalidDraft("already registered")
    await families.insert_user(
        conn,
        NewUser(
            id=user_id,
            language=draft["lang"],
            name=draft["name"],
            phone=draft["phone"],
            region=draft["region"],
            polyclinic=polyclinic,
            polyclinic_unlisted=polyclinic is None,
            planning=Role.PLANNING in roles,
        ),
        now,
    )
    if Role.PREGNANT in roles:
        dating = _dating_in(draft)
        await families.insert_pregnancy(conn, user_id, dating.due_date, dating.method, dating.lmp_date, now)
    for kid in kids:
        await families.insert_child(conn, user_id, kid, now)
    user = await families.get_user(conn, user_id)
    assert user is not None
    log_event("registration_completed", user_id=user_id, pregnant=int(Role.PREGNANT in roles), children=len(kids))
    return user


async def _tell_nurse_of_early_babies(app: AppContext, user_id: int) -> None:
    """After registration and assignment: her nurse hears at once of a baby born early or small."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        for child in await families.list_children(conn, user_id):
            kid = NewChild(child.name, child.birth_date, child.sex, child.pregnancy_id, child.gestation_weeks,
                           child.birth_weight_g)
            await _tell_if_early_or_small(conn, user_id, child.id, kid, now)


async def apply_profile_edit(app: AppContext, user_id: int, data: Draft) -> str:
    """Save one finished profile edit and plan her reminders again (a new date or a new child changes
    the calendar; a new polyclinic, her nurse); returns the event name (for the reply and the log)."""
    target = EditTarget(data["target"])
    now = app.clock.now()
    today = app.today()
    async with app.database.transaction() as conn:
        if await families.get_user(conn, user_id) is None:
            raise InvalidDraft("not registered")
        if target is EditTarget.NAME:
            await families.update_user(conn, user_id, now, name=data["name"])
        elif target is EditTarget.PHONE:
            await families.update_user(conn, user_id, now, phone=data["phone"])
        elif target is EditTarget.PLACE:
            polyclinic = data.get("polyclinic") or None
            check_place(data["region"], polyclinic)
            await families.update_user(
                conn, user_id, now, region=data["region"], polyclinic=polyclinic, polyclinic_unlisted=polyclinic is None
            )
        elif target is EditTarget.PREGNANCY:
            dating = _dating_in(data)
            current = await families.active_pregnancy(conn, user_id)
            if current is None:
                await families.insert_pregnancy(conn, user_id, dating.due_date, dating.method, dating.lmp_date, now)
                await families.update_user(conn, user_id, now, planning=False)
            else:
                await families.update_pregnancy_dating(
                    conn, current, dating.due_date, dating.method, dating.lmp_date, now
                )
        elif target is EditTarget.BIRTH:
            current = await families.active_pregnancy(conn, user_id)
            if current is None:
                raise InvalidDraft("no active pregnancy")
            kid = child_from_draft(data["child"], today, pregnancy_id=current.id)
            await families.end_pregnancy(conn, current, PregnancyStatus.BORN, kid.birth_date, now)
            child_id = await families.insert_child(conn, user_id, kid, now)
            await families.record_life_event(conn, user_id, LifeEventKind.BIRTH, kid.birth_date, now, current.id)
            await nurse_notices.life_events(conn, user_id, now)
            await _tell_if_early_or_small(conn, user_id, child_id, kid, now)
        elif target is EditTarget.ADD_CHILD:
            kid = child_from_draft(data["child"], today)
            child_id = await families.insert_child(conn, user_id, kid, now)
            await _tell_if_early_or_small(conn, user_id, child_id, kid, now)
        else:
            child_id = int(data["child_id"])
            child = data["child"]
            if target is EditTarget.CHILD_NAME:
                values: dict[str, Any] = {"name": child["name"]}
            elif target is EditTarget.CHILD_BIRTH:
                birth = date.fromisoformat(child["birth"])
                if validate_birth_date(birth, today) is not None:
                    raise InvalidDraft("birth date out of range")
                values = {"birth_date": birth}
            else:
                values = {"sex": Sex(child["sex"]).value}
            if not await families.update_child(conn, user_id, child_id, **values):
                raise InvalidDraft("not her child")
        await calendar_service.plan_again(conn, user_id, now)
    event = f"profile_{target.value}_saved"
    log_event(event, user_id=user_id)
    await calendar_service.plan_user(app, user_id)
    if target is EditTarget.PLACE:
        await staff_service.assign_family(app, user_id)  # a new polyclinic: a nurse there
    return event


async def record_pregnancy_loss(app: AppContext, user_id: int) -> bool:
    now, today = app.clock.now(), app.today()
    async with app.database.transaction() as conn:
        current = await families.active_pregnancy(conn, user_id)
        if current is None:
            return False
        await families.end_pregnancy(conn, current, PregnancyStatus.LOST, today, now)
        # Recorded, and her nurse told (gently), so that she can support her.
        await families.record_life_event(conn, user_id, LifeEventKind.PREGNANCY_LOST, today, now, current.id)
        await nurse_notices.life_events(conn, user_id, now)
        await calendar_service.plan_again(conn, user_id, now)  # no pregnancy message may follow
    log_event("pregnancy_lost_recorded", user_id=user_id)
    await calendar_service.plan_user(app, user_id)
    return True


async def remove_child(app: AppContext, user_id: int, child_id: int) -> bool:
    async with app.database.transaction() as conn:
        removed = await families.delete_child(conn, user_id, child_id)
        if removed:
            await calendar_service.plan_again(conn, user_id, app.clock.now())
    if removed:
        log_event("child_removed", user_id=user_id, child_id=child_id)
        await calendar_service.plan_user(app, user_id)
    return removed


async def set_planning(app: AppContext, user_id: int, planning: bool) -> None:
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await families.update_user(conn, user_id, now, planning=planning)
        await calendar_service.plan_again(conn, user_id, now)
    await calendar_service.plan_user(app, user_id)


async def set_paused(app: AppContext, user_id: int, paused: bool) -> None:
    """/stop (nothing planned goes out until she resumes) or /start again (planned afresh)."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await families.update_user(conn, user_id, now, paused=paused)
        if paused:
            await calendar_service.hold_planning(conn, user_id, now)
        else:
            await calendar_service.plan_again(conn, user_id, now)
    log_event("messages_paused" if paused else "messages_resumed", user_id=user_id)
    if not paused:
        await calendar_service.plan_user(app, user_id)


async def set_reachable(app: AppContext, user_id: int, reachable: bool) -> None:
    """She blocked the bot (nothing can reach her) or came back (her reminders planned afresh)."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await families.update_user(conn, user_id, now, unreachable_at=None if reachable else now)
        if reachable:
            await calendar_service.plan_again(conn, user_id, now)
    log_event("user_reachable" if reachable else "user_blocked_bot", user_id=user_id)
    if reachable:
        await calendar_service.plan_user(app, user_id)


async def set_language(app: AppContext, user_id: int, language: str) -> None:
    """Only the language: what is planned is rendered at send time, in hers."""
    async with app.database.transaction() as conn:
        await families.update_user(conn, user_id, app.clock.now(), language=language)
    log_event("language_changed", user_id=user_id, language=language)


@dataclass(frozen=True, slots=True)
class Erased:
    existed: bool
    staff_messages: tuple[tuple[int, int], ...]  # (chat, message) about her in staff chats, recent enough to delete

    def __bool__(self) -> bool:
        return self.existed


async def erase_user(app: AppContext, user_id: int) -> Erased:
    """/delete_me: every personal record goes (her rows and, by ON DELETE CASCADE, everything about her:
    children, answers, alerts, questions and what she wrote, plans, visits); what was sent to her or to
    staff about her; any half-finished flow; her id in the audit log becomes a keyed pseudonym (the
    entries keep what staff did and when). Only anonymous counts stay. The flow cache in this process
    forgets her too; the caller deletes `staff_messages` from the staff chats."""
    secret = app.settings.audit_pepper
    audit_pepper = secret.get_secret_value() if secret else None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        # Telegram lets a bot delete its own messages for 48 hours: those about her in staff chats go too.
        recent = await outbox.sent_about(conn, user_id, now - DELETABLE_FOR)
        existed = await families.delete_user(conn, user_id)
        await outbox.forget_chat(conn, user_id)  # what was queued or sent to her goes too
        await privacy.forget_flows(conn, user_id)
        pepper = audit_pepper or await privacy.secret(conn, privacy.AUDIT_PEPPER)
        await privacy.pseudonymise_audit(conn, user_id, pseudonym(user_id, pepper.encode()))
        if existed:
            await families.increment_counter(conn, "users_erased")
    await app.database.checkpoint()
    app.fsm_storage.forget_cached()  # flows naming her are gone from the database: not from memory either
    log_event("user_erased", user_id=user_id)
    return Erased(existed, tuple(recent))

"""Use cases for staff: invitations and joining, the national admins, deactivation, and which
nurse a family has. Every function that acts for someone takes her `Actor` (as the database knows
her now) and checks the rule in bot/domain/access.py before it changes anything."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.context import AppContext
from bot.delivery import REMINDER
from bot.domain.access import (
    Actor,
    FamilyPlace,
    StaffPlace,
    StaffRole,
    can_invite,
    can_manage_staff,
    can_reassign,
    can_view_family,
    choose_nurse,
)
from bot.domain.outbox import OutboxKind
from bot.domain.questions import Tier
from bot.i18n import pick_language
from bot.logging_setup import log_event
from db import console, families, outbox, staff
from db.outbox import OutgoingMessage
from db.records import Family, StaffRecord, UserRecord

INVITATION_DAYS = 7
INVITE_PREFIX = "inv_"  # /start inv_<code>
POLYCLINIC_PREFIX = "pc_"  # /start pc_<polyclinic code>: registration with her polyclinic filled in


def actor_of(record: StaffRecord) -> Actor:
    return Actor(
        staff_id=record.id,
        user_id=record.user_id,
        role=StaffRole(record.role),
        region=record.region,
        polyclinic=record.polyclinic,
    )


def place_of(record: StaffRecord) -> StaffPlace:
    return StaffPlace(record.id, StaffRole(record.role), record.region, record.polyclinic, record.active)


async def current_actor(app: AppContext, user_id: int) -> Actor | None:
    """Her staff role as the database says now (cached; any change to it drops the cache)."""
    record = await staff.cached_active_staff(app.database, user_id)
    return actor_of(record) if record is not None else None


async def sync_national_admins(app: AppContext) -> None:
    """ADMIN_IDS become national admins; each one who has never written to the bot is logged once (ids
    only): Telegram lets no bot write first, so no alert could reach her until she sends /start."""
    async with app.database.transaction() as conn:
        await staff.sync_national_admins(conn, app.settings.admin_ids, app.settings.default_language, app.clock.now())
        unopened = await staff.never_opened(conn, app.settings.admin_ids)
    for user_id in unopened:
        log_event("admin_never_opened_bot", user_id=user_id)


async def first_contact(app: AppContext, member: StaffRecord, app_language: str | None) -> StaffRecord:
    """Her /start: she can be written to from now on; a national admin who has not chosen a language
    gets her Telegram app's (kk/ru/en, else DEFAULT_LANGUAGE) for everything the bot sends her."""
    if member.opened_at is not None and member.language_chosen:
        return member
    values: dict[str, object] = {}
    if member.opened_at is None:
        values["opened_at"] = app.clock.now()
    if not member.language_chosen:
        values["language"] = pick_language(app_language, app.settings.default_language)
    async with app.database.transaction() as conn:
        await staff.update_staff(conn, member.id, **values)
        updated = await staff.get_staff(conn, member.id)
    return updated or member


async def set_reachable(app: AppContext, user_id: int, reachable: bool) -> None:
    """She blocked the bot (passed over by alerts and questions) or unblocked it (reached again)."""
    async with app.database.transaction() as conn:
        await staff.set_staff_reachable(conn, user_id, reachable, app.clock.now())
    log_event("staff_reachable" if reachable else "staff_unreachable", user_id=user_id)


async def set_language(app: AppContext, staff_id: int, language: str) -> None:
    async with app.database.transaction() as conn:
        await staff.update_staff(conn, staff_id, language=language, language_chosen=True)


async def refuse(
    app: AppContext, actor_id: int, action: str, *, family_id: int | None = None, **details: int | str | None
) -> None:
    """A staff action the rules do not allow (a forged or stale button): written to the audit log."""
    async with app.database.transaction() as conn:
        await staff.audit(conn, app.clock.now(), actor_id, "denied", family_id=family_id, staff_id=None, attempted=action, **details)
    log_event("staff_action_denied", user_id=actor_id, action=action)


# --- invitations -------------------------------------------------------------------------------

def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewInvitation:
    payload: str  # what follows /start in the link
    expires_at: datetime


async def create_invitation(
    app: AppContext, actor: Actor, role: StaffRole, region: str | None, polyclinic: str | None
) -> NewInvitation | None:
    """None when the rules do not allow it (written to the audit log)."""
    clinic = find_polyclinic(polyclinic) if polyclinic else None
    if polyclinic is not None and (clinic is None or clinic.region != region):
        await refuse(app, actor.user_id, "invite", role=role.value)
        return None
    if region is None or find_region(region) is None or not can_invite(actor, role, region, polyclinic):
        await refuse(app, actor.user_id, "invite", role=role.value)
        return None
    code = secrets.token_urlsafe(16)  # 128 bits: not guessable
    now = app.clock.now()
    expires_at = now + timedelta(days=INVITATION_DAYS)
    async with app.database.transaction() as conn:
        await staff.insert_invitation(
            conn, code_hash=hash_code(code), role=role, region=region, polyclinic=polyclinic,
            created_by=actor.user_id, now=now, expires_at=expires_at,
        )
        await staff.audit(conn, now, actor.user_id, "invitation_created", role=role.value, region=region, polyclinic=polyclinic)
    log_event("invitation_created", user_id=actor.user_id, role=role.value)
    return NewInvitation(INVITE_PREFIX + code, expires_at)


class InvitationProblem(StrEnum):
    UNKNOWN = "unknown"  # no such code (mistyped, or made up)
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ALREADY_STAFF = "already_staff"


@dataclass(frozen=True, slots=True)
class Invitation:
    role: StaffRole
    region: str
    polyclinic: str | None


async def check_invitation(app: AppContext, user_id: int, code: str) -> Invitation | InvitationProblem:
    """What the link offers, before she confirms her name and phone."""
    async with app.database.reading() as conn:
        record = await staff.get_invitation(conn, hash_code(code))
        already = await staff.active_staff(conn, user_id)
    if record is None or record.region is None:
        return InvitationProblem.UNKNOWN
    if record.used_by is not None:
        return InvitationProblem.USED
    if record.revoked_at is not None:
        return InvitationProblem.REVOKED
    if record.expires_at <= app.clock.now():
        return InvitationProblem.EXPIRED
    if already is not None:
        return InvitationProblem.ALREADY_STAFF
    return Invitation(StaffRole(record.role), record.region, record.polyclinic)


async def join(
    app: AppContext, user_id: int, code: str, name: str, phone: str, language: str
) -> StaffRecord | InvitationProblem:
    """Turn a valid invitation into her staff role; the code is used up in the same transaction."""
    offer = await check_invitation(app, user_id, code)
    if isinstance(offer, InvitationProblem):
        return offer
    now = app.clock.now()
    async with app.database.transaction() as conn:
        if not await staff.claim_invitation(conn, hash_code(code), user_id, now):
            return InvitationProblem.USED  # someone else used it a moment ago
        staff_id = await staff.insert_staff(
            conn, user_id=user_id, role=offer.role, region=offer.region, polyclinic=offer.polyclinic,
            name=name, phone=phone, language=language, invited_by=None, now=now,
        )
        await staff.audit(conn, now, user_id, "staff_joined", staff_id=staff_id, role=offer.role.value)
        record = await staff.get_staff(conn, staff_id)
        if offer.role is StaffRole.NURSE and offer.polyclinic is not None:
            # Families of her polyclinic who waited for a nurse get one now.
            waiting = await staff.unassigned_in_polyclinic(conn, offer.polyclinic)
            assigned = [await _assign_by_rule(conn, family_id, offer.polyclinic, now) for family_id in waiting]
            if waiting:
                await staff.audit(conn, now, user_id, "families_assigned", staff_id=staff_id, count=sum(1 for a in assigned if a))
    assert record is not None
    log_event("staff_joined", user_id=user_id, role=offer.role.value)
    return record


# --- assignment --------------------------------------------------------------------------------

async def _assign_by_rule(
    conn: AsyncConnection, family_id: int, polyclinic: str, now: datetime, *, excluding: int | None = None,
    tell_her: bool = True,
) -> int | None:
    """Her polyclinic's nurse with the smallest caseload, told to the nurse (and, unless the reply she is
    reading says it already, to her)."""
    nurse_id = choose_nurse(await staff.caseloads(conn, polyclinic, excluding=excluding))
    if nurse_id is None:
        await staff.unassign(conn, family_id)
        return None
    await staff.assign(conn, family_id, nurse_id, now, None)
    await _announce_nurse(conn, family_id, nurse_id, now, tell_her=tell_her)
    return nurse_id


async def _announce_nurse(conn: AsyncConnection, family_id: int, nurse_id: int, now: datetime, *,
                          tell_her: bool = True) -> None:
    """She is told who her nurse is now; the nurse is told about her new family (in her own hours)."""
    nurse = await staff.get_staff(conn, nurse_id)
    if nurse is None:
        return
    stamp = now.isoformat(timespec="seconds")
    messages = [
        OutgoingMessage(
            nurse.user_id, REMINDER, OutboxKind.STAFF, "staff.new_family", {}, now,
            f"newfam:{nurse_id}:{family_id}:{stamp}", about=family_id,
        ),
    ]
    if tell_her:
        messages.append(OutgoingMessage(
            family_id, REMINDER, OutboxKind.STAFF, "nurse.assigned",
            {"nurse": nurse.name, "phone": nurse.phone, "polyclinic": nurse.polyclinic},
            now, f"nurse:{family_id}:{nurse_id}:{stamp}",
        ))
    await outbox.enqueue(conn, messages, now)


async def _tell_admins_no_nurse(app: AppContext, conn: AsyncConnection, user: UserRecord, now: datetime) -> None:
    """A family registered where no nurse can take her: the admins of her region and the national ones
    hear it once a day (one row per admin and local day; in their delivery hours), not once a family."""
    tiers = await care_tiers(conn, user, None)
    day = now.astimezone(app.settings.tz).date().isoformat()
    await outbox.enqueue(conn, [
        OutgoingMessage(member.user_id, REMINDER, OutboxKind.STAFF, "staff.unassigned_today", {}, now,
                        f"unassigned:{member.id}:{day}")
        for member in [*tiers[Tier.REGION], *tiers[Tier.NATIONAL]]
    ], now)


async def assign_family(app: AppContext, family_id: int, *, tell_her: bool = True) -> int | None:
    """After registration or a change of polyclinic: her polyclinic's nurse by the rule, or none (then
    the admins in scope hear it, grouped once a day). ``tell_her=False``: the reply she reads names her
    nurse itself (registration), so no separate message waits for her morning."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        user = await families.get_user(conn, family_id)
        if user is None:
            return None
        current = await staff.nurse_of(conn, family_id)
        if current is not None:
            nurse = await staff.get_staff(conn, current)
            if nurse is not None and nurse.active and nurse.polyclinic == user.polyclinic:
                return current  # she already has a nurse there
        assigned = None
        if user.polyclinic is None:
            await staff.unassign(conn, family_id)
        else:
            assigned = await _assign_by_rule(conn, family_id, user.polyclinic, now, tell_her=tell_her)
        if assigned is None:
            await _tell_admins_no_nurse(app, conn, user, now)
        return assigned


async def family_place(conn: AsyncConnection, family_id: int) -> FamilyPlace | None:
    user = await families.get_user(conn, family_id)
    if user is None:
        return None
    return FamilyPlace(family_id, user.region, user.polyclinic, await staff.nurse_of(conn, family_id))


async def may_view_family(app: AppContext, actor: Actor, family_id: int) -> bool:
    """The check behind every family card, list entry and action on a family."""
    async with app.database.reading() as conn:
        place = await family_place(conn, family_id)
    return place is not None and can_view_family(actor, place)


async def reassign(app: AppContext, actor: Actor, family_id: int, to_staff_id: int) -> bool:
    now = app.clock.now()
    async with app.database.transaction() as conn:
        place = await family_place(conn, family_id)
        target = await staff.get_staff(conn, to_staff_id)
        allowed = place is not None and target is not None and can_reassign(actor, place, place_of(target))
        if not allowed:
            await staff.audit(conn, now, actor.user_id, "denied", family_id=family_id, attempted="reassign")
        elif place is not None and place.nurse_id != to_staff_id:
            await staff.assign(conn, family_id, to_staff_id, now, actor.user_id)
            await staff.audit(conn, now, actor.user_id, "family_reassigned", family_id=family_id, staff_id=to_staff_id,
                              previous=place.nurse_id)
            await _announce_nurse(conn, family_id, to_staff_id, now)
    if not allowed:
        log_event("staff_action_denied", user_id=actor.user_id, action="reassign")
    return allowed


# --- staff management --------------------------------------------------------------------------

async def colleague(app: AppContext, actor: Actor, staff_id: int) -> StaffRecord | None:
    """An active member of staff in the admin's region (anyone's for a national admin), else None."""
    async with app.database.reading() as conn:
        target = await staff.get_staff(conn, staff_id)
    if target is None or not target.active or not (actor.region is None or actor.region == target.region):
        return None
    return target


async def caseload_size(app: AppContext, staff_id: int) -> int:
    async with app.database.reading() as conn:
        return len(await staff.families_of(conn, staff_id))


async def staff_in_scope(app: AppContext, actor: Actor) -> list[StaffRecord]:
    """Active staff an admin may see: everyone for a national admin, her region's for a regional one."""
    if not actor.is_admin:
        return []
    async with app.database.reading() as conn:
        return await staff.list_staff(conn, region=actor.region)


@dataclass(frozen=True, slots=True)
class Deactivated:
    member: StaffRecord
    reassigned: int  # families given to another nurse of her polyclinic
    unassigned: int  # families left waiting (no other nurse there)


async def deactivate(app: AppContext, actor: Actor, staff_id: int) -> Deactivated | None:
    """None when the rules do not allow it (or she is not active any more)."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        target = await staff.get_staff(conn, staff_id)
        if target is None or not target.active or not can_manage_staff(actor, place_of(target)):
            await staff.audit(conn, now, actor.user_id, "denied", staff_id=staff_id, attempted="deactivate")
            result = None
        else:
            await staff.deactivate_staff(conn, staff_id, now)
            await console.end_sessions_of(conn, staff_id, now)  # her console closes at once
            moved = left = 0
            for family_id in await staff.families_of(conn, staff_id):
                if target.polyclinic and await _assign_by_rule(conn, family_id, target.polyclinic, now, excluding=staff_id):
                    moved += 1
                else:
                    await staff.unassign(conn, family_id)
                    left += 1
            await staff.audit(conn, now, actor.user_id, "staff_deactivated", staff_id=staff_id, reassigned=moved, unassigned=left)
            notice = OutgoingMessage(target.user_id, REMINDER, OutboxKind.STAFF, "staff.deactivated", {}, now, f"deact:{target.id}")
            await outbox.enqueue(conn, [notice], now)  # she is told; her chat's staff commands go (the handler)
            result = Deactivated(target, moved, left)
    log_event("staff_deactivated" if result else "staff_action_denied", user_id=actor.user_id, staff_id=staff_id)
    return result


async def unassigned_families(app: AppContext, actor: Actor, *, limit: int = 20, offset: int = 0) -> tuple[int, list[Family]]:
    """Families in her scope who have no nurse yet: (how many, a page of them; one erased meanwhile is left out)."""
    if not actor.is_admin:
        return 0, []
    async with app.database.reading() as conn:
        total = await staff.count_unassigned(conn, actor.region)
        ids = await staff.unassigned_families(conn, actor.region, limit=limit, offset=offset)
    found = await families.cached_families(app.database, ids)
    return total, [family for family in (found.get(family_id) for family_id in ids) if family is not None]


async def family_to_assign(app: AppContext, actor: Actor, family_id: int) -> FamilyPlace | None:
    """Where a family lives, if an admin may assign her a nurse (in her region); else None."""
    async with app.database.reading() as conn:
        place = await family_place(conn, family_id)
    if place is None or not actor.is_admin or not (actor.region is None or actor.region == place.region):
        return None
    return place


async def nurses_for(app: AppContext, place: FamilyPlace) -> list[StaffRecord]:
    """The active nurses of her region, her own polyclinic's first."""
    async with app.database.reading() as conn:
        nurses = await staff.list_staff(conn, region=place.region, role=StaffRole.NURSE)
    return sorted(nurses, key=lambda nurse: (nurse.polyclinic != place.polyclinic, nurse.name))


async def care_tiers(conn: AsyncConnection, user: UserRecord, nurse_id: int | None) -> list[list[StaffRecord]]:
    """The people a question or an alert of hers can go to, by Tier (bot.domain.questions): her nurse, the other nurses of her
    polyclinic, her region's admins, the national admins (active ones only)."""
    nurse = await staff.get_staff(conn, nurse_id) if nurse_id is not None else None
    colleagues = await staff.list_staff(conn, polyclinic=user.polyclinic, role=StaffRole.NURSE) if user.polyclinic else []
    admins = await staff.list_staff(conn, role=StaffRole.ADMIN)
    # Whoever blocked the bot is passed over: nothing would reach her, and the mother must not be told
    # that her nurse knows when she cannot.
    return [
        [nurse] if nurse is not None and nurse.reachable else [],
        [member for member in colleagues if member.id != nurse_id and member.reachable],
        [member for member in admins if member.region == user.region and member.reachable],
        [member for member in admins if member.region is None and member.reachable],
    ]

"""Queries for staff, invitations, assignments and the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.access import StaffRole
from db.cache import MISSING
from db.engine import TOUCHED_STAFF, Database
from db.families import _record
from db.records import InvitationRecord, StaffRecord
from db.schema import assignments, audit_log, invitations, staff, users

_STAFF_COLUMNS = [staff.c[name] for name in StaffRecord.__dataclass_fields__]


def _touch(conn: AsyncConnection, user_id: int) -> None:
    conn.info[TOUCHED_STAFF].add(user_id)


# --- staff -------------------------------------------------------------------------------------

async def active_staff(conn: AsyncConnection, user_id: int) -> StaffRecord | None:
    row = (await conn.execute(select(*_STAFF_COLUMNS).where(staff.c.user_id == user_id, staff.c.active))).first()
    return _record(StaffRecord, row) if row else None


async def cached_active_staff(database: Database, user_id: int) -> StaffRecord | None:
    """Her staff role for the update in hand (None for every mother): cached, dropped on change."""
    cached = database.staff.get(user_id)
    if cached is not MISSING:
        return cached
    generation = database.staff.generation(user_id)
    async with database.reading() as conn:
        record = await active_staff(conn, user_id)
    database.staff.put(user_id, record, generation)
    return record


async def staff_languages(conn: AsyncConnection, user_ids: list[int]) -> dict[int, str]:
    """The language of each one's latest staff row, active or not (a message after she was
    deactivated still comes in her language); people who were never staff are absent."""
    if not user_ids:
        return {}
    latest = (
        select(staff.c.user_id, func.max(staff.c.id).label("id"))
        .where(staff.c.user_id.in_(user_ids))
        .group_by(staff.c.user_id)
        .subquery()
    )
    rows = await conn.execute(select(staff.c.user_id, staff.c.language).join(latest, latest.c.id == staff.c.id))
    return {row.user_id: row.language for row in rows}


async def get_staff(conn: AsyncConnection, staff_id: int) -> StaffRecord | None:
    row = (await conn.execute(select(*_STAFF_COLUMNS).where(staff.c.id == staff_id))).first()
    return _record(StaffRecord, row) if row else None


async def set_staff_reachable(conn: AsyncConnection, user_id: int, reachable: bool, now: datetime) -> int:
    """A 403 from her chat (she blocked the bot), or her unblocking it: every staff row of that person."""
    _touch(conn, user_id)
    result = await conn.execute(
        update(staff).where(staff.c.user_id == user_id).values(unreachable_at=None if reachable else now)
    )
    return int(result.rowcount or 0)


async def list_staff(
    conn: AsyncConnection, *, region: str | None = None, polyclinic: str | None = None, role: StaffRole | None = None
) -> list[StaffRecord]:
    """Active staff, optionally within a region or a polyclinic; national admins first, then by name."""
    conditions: list[ColumnElement[bool]] = [staff.c.active]
    if region is not None:
        conditions.append(staff.c.region == region)
    if polyclinic is not None:
        conditions.append(staff.c.polyclinic == polyclinic)
    if role is not None:
        conditions.append(staff.c.role == role)
    rows = await conn.execute(
        select(*_STAFF_COLUMNS).where(and_(*conditions)).order_by(staff.c.role, staff.c.region, staff.c.name, staff.c.id)
    )
    return [_record(StaffRecord, row) for row in rows]


async def insert_staff(
    conn: AsyncConnection,
    *,
    user_id: int,
    role: StaffRole,
    region: str | None,
    polyclinic: str | None,
    name: str,
    phone: str | None,
    language: str,
    invited_by: int | None,
    now: datetime,
    from_config: bool = False,
) -> int:
    """``from_config``: a national admin from ADMIN_IDS, who has not written to the bot yet (joiners have:
    they opened their invitation link) and has not chosen a language."""
    _touch(conn, user_id)
    result = await conn.execute(
        insert(staff).values(
            user_id=user_id,
            role=role,
            region=region,
            polyclinic=polyclinic,
            name=name,
            phone=phone,
            language=language,
            active=True,
            invited_by=invited_by,
            created_at=now,
            language_chosen=not from_config,
            opened_at=None if from_config else now,
        ).returning(staff.c.id)
    )
    return int(result.scalar_one())


async def deactivate_staff(conn: AsyncConnection, staff_id: int, now: datetime) -> bool:
    record = await get_staff(conn, staff_id)
    if record is None or not record.active:
        return False
    _touch(conn, record.user_id)
    await conn.execute(update(staff).where(staff.c.id == staff_id).values(active=False, deactivated_at=now))
    return True


async def update_staff(conn: AsyncConnection, staff_id: int, **values: Any) -> None:
    record = await get_staff(conn, staff_id)
    if record is not None:
        _touch(conn, record.user_id)
    await conn.execute(update(staff).where(staff.c.id == staff_id).values(**values))


async def sync_national_admins(conn: AsyncConnection, admin_ids: tuple[int, ...], language: str, now: datetime) -> None:
    """National admins are exactly ADMIN_IDS: rows are added for new ids and closed for removed ones.

    Someone already active as a nurse or regional admin keeps that role until it is deactivated."""
    national = select(staff.c.id, staff.c.user_id).where(staff.c.active, staff.c.role == StaffRole.ADMIN, staff.c.region.is_(None))
    rows = await conn.execute(national)
    current = {row.user_id: row.id for row in rows}
    for user_id, staff_id in current.items():
        if user_id not in admin_ids:
            await deactivate_staff(conn, staff_id, now)
    for user_id in admin_ids:
        if user_id in current or await active_staff(conn, user_id) is not None:
            continue
        await insert_staff(
            conn, user_id=user_id, role=StaffRole.ADMIN, region=None, polyclinic=None, name="Admin", phone=None,
            language=language, invited_by=None, now=now, from_config=True,
        )


async def never_opened(conn: AsyncConnection, user_ids: tuple[int, ...]) -> list[int]:
    """Which of these active staff have never written to the bot."""
    if not user_ids:
        return []
    rows = await conn.execute(
        select(staff.c.user_id).where(staff.c.active, staff.c.user_id.in_(user_ids), staff.c.opened_at.is_(None))
    )
    return sorted(int(row.user_id) for row in rows)


# --- invitations -------------------------------------------------------------------------------

async def insert_invitation(
    conn: AsyncConnection,
    *,
    code_hash: str,
    role: StaffRole,
    region: str | None,
    polyclinic: str | None,
    created_by: int,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        insert(invitations).values(
            code_hash=code_hash, role=role, region=region, polyclinic=polyclinic, created_by=created_by,
            created_at=now, expires_at=expires_at,
        )
    )


async def get_invitation(conn: AsyncConnection, code_hash: str) -> InvitationRecord | None:
    row = (await conn.execute(select(invitations).where(invitations.c.code_hash == code_hash))).first()
    return _record(InvitationRecord, row) if row else None


async def claim_invitation(conn: AsyncConnection, code_hash: str, user_id: int, now: datetime) -> bool:
    """Single use, atomically: only one person can ever turn a code into a role."""
    result = await conn.execute(
        update(invitations)
        .where(
            invitations.c.code_hash == code_hash,
            invitations.c.used_by.is_(None),
            invitations.c.revoked_at.is_(None),
            invitations.c.expires_at > now,
        )
        .values(used_by=user_id, used_at=now)
    )
    return result.rowcount == 1


# --- assignments -------------------------------------------------------------------------------

async def nurse_of(conn: AsyncConnection, user_id: int) -> int | None:
    staff_id: int | None = (
        await conn.execute(select(assignments.c.staff_id).where(assignments.c.user_id == user_id))
    ).scalar_one_or_none()
    return staff_id


async def assign(conn: AsyncConnection, user_id: int, staff_id: int, now: datetime, assigned_by: int | None) -> None:
    await conn.execute(assignments.delete().where(assignments.c.user_id == user_id))
    await conn.execute(
        insert(assignments).values(user_id=user_id, staff_id=staff_id, assigned_at=now, assigned_by=assigned_by)
    )


async def unassign(conn: AsyncConnection, user_id: int) -> None:
    await conn.execute(assignments.delete().where(assignments.c.user_id == user_id))


async def caseloads(conn: AsyncConnection, polyclinic: str, *, excluding: int | None = None) -> dict[int, int]:
    """Active nurses of a polyclinic → how many families each has now."""
    count = func.count(assignments.c.user_id)
    query = (
        select(staff.c.id, count)
        .select_from(staff.outerjoin(assignments, assignments.c.staff_id == staff.c.id))
        .where(staff.c.active, staff.c.role == StaffRole.NURSE, staff.c.polyclinic == polyclinic)
        .group_by(staff.c.id)
    )
    if excluding is not None:
        query = query.where(staff.c.id != excluding)
    return {row[0]: int(row[1]) for row in await conn.execute(query)}


async def families_of(conn: AsyncConnection, staff_id: int) -> list[int]:
    rows = await conn.execute(select(assignments.c.user_id).where(assignments.c.staff_id == staff_id).order_by(assignments.c.user_id))
    return [row[0] for row in rows]


async def unassigned_families(conn: AsyncConnection, region: str | None, limit: int = 50, offset: int = 0) -> list[int]:
    """Registered families with no nurse (in a region, or everywhere), oldest registration first."""
    query = (
        select(users.c.id)
        .select_from(users.outerjoin(assignments, assignments.c.user_id == users.c.id))
        .where(assignments.c.user_id.is_(None))
        .order_by(users.c.created_at, users.c.id)
        .limit(limit)
        .offset(offset)
    )
    if region is not None:
        query = query.where(users.c.region == region)
    return [row[0] for row in await conn.execute(query)]


async def unassigned_in_polyclinic(conn: AsyncConnection, polyclinic: str) -> list[int]:
    query = (
        select(users.c.id)
        .select_from(users.outerjoin(assignments, assignments.c.user_id == users.c.id))
        .where(assignments.c.user_id.is_(None), users.c.polyclinic == polyclinic)
        .order_by(users.c.created_at, users.c.id)
    )
    return [row[0] for row in await conn.execute(query)]


async def count_unassigned(conn: AsyncConnection, region: str | None) -> int:
    query = (
        select(func.count())
        .select_from(users.outerjoin(assignments, assignments.c.user_id == users.c.id))
        .where(assignments.c.user_id.is_(None))
    )
    if region is not None:
        query = query.where(users.c.region == region)
    return int((await conn.execute(query)).scalar_one())


# --- audit log ---------------------------------------------------------------------------------

async def audit(
    conn: AsyncConnection,
    now: datetime,
    actor_id: int,
    action: str,
    *,
    family_id: int | None = None,
    staff_id: int | None = None,
    **details: int | str | bool | None,
) -> None:
    """One line of who did what to whom. Details are ids, codes and counts: never names or text.
    A family that does not exist (erased, or a forged id) is not written: an erased mother's id must not
    come back through a refusal about her."""
    if family_id is not None:
        exists = (await conn.execute(select(users.c.id).where(users.c.id == family_id))).first()
        if exists is None:
            family_id, details = None, {**details, "family": "none"}
    await conn.execute(
        insert(audit_log).values(
            at=now, actor_id=actor_id, action=action, family_id=family_id, staff_id=staff_id,
            details=json.dumps(details, sort_keys=True),
        )
    )


async def audit_entries(conn: AsyncConnection, *, family_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if family_id is not None:
        query = query.where(audit_log.c.family_id == family_id)
    return [{**row._mapping, "details": json.loads(row.details)} for row in await conn.execute(query)]

"""Queries for the console's sign-in: one-time links and browser sessions (only hashes of codes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.families import _record
from db.records import StaffRecord
from db.schema import console_links, console_sessions, staff

_STAFF_COLUMNS = [staff.c[name] for name in StaffRecord.__dataclass_fields__]


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: her staff row as it is now, and the token her forms must carry back."""

    member: StaffRecord
    csrf: str
    expires_at: datetime


async def insert_link(conn: AsyncConnection, code_hash: str, staff_id: int, now: datetime, expires_at: datetime) -> None:
    await conn.execute(
        insert(console_links).values(code_hash=code_hash, staff_id=staff_id, created_at=now, expires_at=expires_at)
    )


async def links_since(conn: AsyncConnection, staff_id: int, since: datetime) -> int:
    query = select(func.count()).select_from(console_links).where(
        console_links.c.staff_id == staff_id, console_links.c.created_at > since
    )
    return int((await conn.execute(query)).scalar_one())


async def use_link(conn: AsyncConnection, code_hash: str, now: datetime) -> int | None:
    """The link's staff id, once: a conditional UPDATE, so two tabs opening it at once get one session."""
    result = await conn.execute(
        update(console_links)
        .where(console_links.c.code_hash == code_hash, console_links.c.used_at.is_(None), console_links.c.expires_at > now)
        .values(used_at=now)
        .returning(console_links.c.staff_id)
    )
    row = result.first()
    return int(row[0]) if row else None


async def insert_session(
    conn: AsyncConnection, code_hash: str, staff_id: int, csrf: str, now: datetime, expires_at: datetime
) -> None:
    await conn.execute(
        insert(console_sessions).values(
            code_hash=code_hash, staff_id=staff_id, csrf=csrf, created_at=now, expires_at=expires_at
        )
    )


async def signed_in(conn: AsyncConnection, code_hash: str, now: datetime) -> SignedIn | None:
    """The session if it is live and her staff row is still active (a removed role ends it at once)."""
    row = (
        await conn.execute(
            select(*_STAFF_COLUMNS, console_sessions.c.csrf, console_sessions.c.expires_at.label("session_expires_at"))
            .join(staff, staff.c.id == console_sessions.c.staff_id)
            .where(
                console_sessions.c.code_hash == code_hash,
                console_sessions.c.ended_at.is_(None),
                console_sessions.c.expires_at > now,
                staff.c.active,
            )
        )
    ).first()
    if row is None:
        return None
    return SignedIn(_record(StaffRecord, row), row.csrf, row.session_expires_at)


async def end_session(conn: AsyncConnection, code_hash: str, now: datetime) -> None:
    await conn.execute(
        update(console_sessions).where(console_sessions.c.code_hash == code_hash, console_sessions.c.ended_at.is_(None))
        .values(ended_at=now)
    )


async def end_sessions_of(conn: AsyncConnection, staff_id: int, now: datetime) -> int:
    result = await conn.execute(
        update(console_sessions).where(console_sessions.c.staff_id == staff_id, console_sessions.c.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount or 0)

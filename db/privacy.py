"""Queries that make an erasure complete: the application's own secret (the audit pepper), her audit
entries put under a pseudonym, and any half-finished flow keyed by her chat."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from db.schema import app_secrets, audit_log, fsm_states, staff

AUDIT_PEPPER = "audit_pepper"


async def secret(conn: AsyncConnection, name: str) -> str:
    """The named secret, made (64 random hex characters) the first time it is asked for."""
    value = (await conn.execute(select(app_secrets.c.value).where(app_secrets.c.name == name))).scalar()
    if value is not None:
        return str(value)
    made = secrets.token_hex(32)
    try:
        async with conn.begin_nested():
            await conn.execute(insert(app_secrets).values(name=name, value=made))
    except IntegrityError:  # another process made it first: use theirs
        return str((await conn.execute(select(app_secrets.c.value).where(app_secrets.c.name == name))).scalar_one())
    return made


async def pseudonymise_audit(conn: AsyncConnection, user_id: int, pseudonym: int) -> int:
    """Every audit entry about her, and by her as a mother, keeps its action and time under the pseudonym.
    What she did as a member of staff (she may be a nurse and a mother) keeps her id: staff stay
    accountable, and her staff account is not erased by her erasing herself as a mother."""
    about = await conn.execute(update(audit_log).where(audit_log.c.family_id == user_id).values(family_id=pseudonym))
    is_staff = (await conn.execute(select(staff.c.id).where(staff.c.user_id == user_id))).first() is not None
    by = None
    if not is_staff:
        by = await conn.execute(update(audit_log).where(audit_log.c.actor_id == user_id).values(actor_id=pseudonym))
    return int((about.rowcount or 0) + ((by.rowcount or 0) if by is not None else 0))


async def forget_flows(conn: AsyncConnection, user_id: int) -> int:
    """Half-finished flows in her private chat (aiogram's key "fsm:<chat>:<user>:<destiny>"), and any
    other person's flow whose data names her (a nurse writing to her, or with her card open)."""
    prefix = f"fsm:{user_id}:{user_id}:"
    await conn.execute(delete(fsm_states).where(or_(fsm_states.c.key.startswith(prefix), fsm_states.c.key == prefix[:-1])))
    candidates = await conn.execute(
        select(fsm_states.c.key, fsm_states.c.data).where(fsm_states.c.data.contains(str(user_id)))
    )
    naming_her = [row.key for row in candidates if _names(json.loads(row.data), user_id)]
    if naming_her:
        await conn.execute(delete(fsm_states).where(fsm_states.c.key.in_(naming_her)))
    return len(naming_her)


def _names(value: Any, user_id: int) -> bool:
    if isinstance(value, dict):
        return any(_names(item, user_id) for item in value.values())
    if isinstance(value, list):
        return any(_names(item, user_id) for item in value)
    return value in (user_id, str(user_id))

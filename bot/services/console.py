"""Signing in to the coordination console (Step 9): /console's one-time link, Telegram's Login Widget,
browser sessions and logout. Every page asks `signed_in` again: her role comes from the database on
every request, and a session ends at once when her staff row is no longer active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.console_auth import (
    LINK_LIFETIME,
    LINKS_PER_WINDOW,
    SESSION_LIFETIME,
    WIDGET_MAX_AGE,
    code_hash,
    new_code,
    widget_user_id,
)
from bot.logging_setup import log_event
from bot.services.staff import actor_of
from db import console, staff
from db.console import SignedIn

LINK_PATH = "/login/"


@dataclass(frozen=True, slots=True)
class Session:
    """A new browser session: the cookie's code (never stored) and the CSRF token of its forms."""

    code: str
    csrf: str


async def issue_link(app: AppContext, actor: Actor, base_url: str) -> str | None:
    """A one-time link for her, or None when she asked for too many in the last minutes."""
    now = app.clock.now()
    code = new_code()
    async with app.database.transaction() as conn:
        if await console.links_since(conn, actor.staff_id, now - LINK_LIFETIME) >= LINKS_PER_WINDOW:
            await staff.audit(conn, now, actor.user_id, "console_link_refused", staff_id=actor.staff_id)
            issued = False
        else:
            await console.insert_link(conn, code_hash(code), actor.staff_id, now, now + LINK_LIFETIME)
            await staff.audit(conn, now, actor.user_id, "console_link", staff_id=actor.staff_id)
            issued = True
    log_event("console_link" if issued else "console_link_refused", user_id=actor.user_id)
    return f"{base_url}{LINK_PATH}{code}" if issued else None


async def _open(app: AppContext, staff_id: int, user_id: int, how: str) -> Session:
    now = app.clock.now()
    session = Session(new_code(), new_code())
    async with app.database.transaction() as conn:
        await console.insert_session(conn, code_hash(session.code), staff_id, session.csrf, now, now + SESSION_LIFETIME)
        await staff.audit(conn, now, user_id, "console_login", staff_id=staff_id, how=how)
    log_event("console_login", user_id=user_id, how=how)
    return session


async def sign_in_with_link(app: AppContext, code: str) -> Session | None:
    """The link's code, once and in time, by active staff: a session. None otherwise."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        staff_id = await console.use_link(conn, code_hash(code), now)
        member = await staff.get_staff(conn, staff_id) if staff_id is not None else None
    if member is None or not member.active:
        log_event("console_link_refused_at_login")
        return None
    return await _open(app, member.id, member.user_id, "link")


# Login Widget answers already used (their hashes, until they are too old anyway): a signed address copied
# from a shared computer's history cannot sign in again. In this process; WIDGET_MAX_AGE bounds it.
_used_widget_hashes: dict[str, datetime] = {}


async def sign_in_with_widget(app: AppContext, data: dict[str, str]) -> Session | None:
    """Telegram's Login Widget: a session for active staff whose signed data checks out, once."""
    token = app.settings.bot_token
    now = app.clock.now()
    user_id = widget_user_id(data, token.get_secret_value(), now) if token is not None else None
    for used, at in list(_used_widget_hashes.items()):
        if at < now - WIDGET_MAX_AGE:
            del _used_widget_hashes[used]
    if user_id is None or data["hash"] in _used_widget_hashes:
        log_event("console_widget_refused")
        return None
    _used_widget_hashes[data["hash"]] = now
    async with app.database.reading() as conn:
        member = await staff.active_staff(conn, user_id)
    if member is None:
        log_event("console_widget_not_staff", user_id=user_id)
        return None
    return await _open(app, member.id, member.user_id, "widget")


async def signed_in(app: AppContext, code: str) -> tuple[SignedIn, Actor] | None:
    if not code:
        return None
    async with app.database.reading() as conn:
        found = await console.signed_in(conn, code_hash(code), app.clock.now())
    return (found, actor_of(found.member)) if found is not None else None


async def sign_out(app: AppContext, code: str, actor: Actor) -> None:
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await console.end_session(conn, code_hash(code), now)
        await staff.audit(conn, now, actor.user_id, "console_logout", staff_id=actor.staff_id)
    log_event("console_logout", user_id=actor.user_id)

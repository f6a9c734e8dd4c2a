"""Announcements: the audience within the admin's scope, writing one outbox row per recipient, the
live progress message, pause / resume / cancel, and the list of past announcements.

Sending is the delivery engine's (priority BROADCAST: after urgent messages, alerts and reminders,
and only in the families' daytime). A broadcast's rows carry `batch_id` = its id and the unique
key `bc:<id>:<user>`, so writing them again (a restart while they were being written, a second
confirm) adds nobody twice; the engine's crash recovery does the rest.

While rows are still being written the broadcast's `total` is 0; the progress job (every few
seconds) finishes writing any broadcast left so by a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from weakref import WeakKeyDictionary

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
)
from aiogram.types import InlineKeyboardMarkup

from bot.content.places import load_places
from bot.context import AppContext
from bot.delivery import ALERT, BROADCAST
from bot.domain.access import Actor, in_region
from bot.domain.audience import (
    Audience,
    in_scope,
    scoped,
    selection,
    telegram_length,
    text_limit,
)
from bot.domain.delivery_time import in_window
from bot.domain.outbox import OutboxKind
from bot.keyboards.broadcast import control_keyboard
from bot.logging_setup import log_event
from bot.services import staff as staff_service
from bot.telegram_errors import gone, unchanged, uneditable
from bot.views.broadcasts import progress_text, skipped_of
from db import broadcasts as db
from db import outbox, staff
from db.broadcasts import ACTIVE, BatchCounts, BroadcastRecord, BroadcastStatus
from db.engine import Database
from db.outbox import OutgoingMessage

CHUNK = 2000  # recipients written per transaction
ONE_TEXT = "*"  # the texts' key of one text for every language

# In this process, per database: broadcasts whose rows are being written (the confirm and the
# progress job must not both write them), and the progress last shown for each (edit only when it
# changes; after a restart the first edit may find it unchanged, which Telegram tells us).
_WRITING: WeakKeyDictionary[Database, set[int]] = WeakKeyDictionary()
_SHOWN: WeakKeyDictionary[Database, dict[int, str]] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Draft:
    """What the admin composed. `token` identifies the draft: confirming it twice sends it once."""

    audience: Audience
    texts: dict[str, str]  # language → text as typed, or ONE_TEXT → one text for all
    photo: str | None
    token: str


@dataclass(frozen=True, slots=True)
class Started:
    broadcast: BroadcastRecord
    new: bool  # False: this draft was confirmed before (a second tap)


@cache
def _places() -> tuple[dict[str, str], frozenset[str]]:
    places = load_places()
    return {clinic.code: clinic.region for clinic in places.polyclinics}, frozenset(r.code for r in places.regions)


def _writing(app: AppContext) -> set[int]:
    return _WRITING.setdefault(app.database, set())


def _shown(app: AppContext) -> dict[int, str]:
    return _SHOWN.setdefault(app.database, {})


# --- the audience ----------------------------------------------------------------------------------

async def allowed(app: AppContext, actor: Actor, audience: Audience) -> bool:
    """Within her scope (a regional admin: her region only)? If not, refused and written down."""
    if in_scope(audience, actor, *_places()):
        return True
    await staff_service.refuse(app, actor.user_id, "broadcast_audience")
    return False


async def count(app: AppContext, actor: Actor, audience: Audience) -> dict[str, int] | None:
    """Recipients by language, from the query that will select them; None if not hers to reach."""
    if not await allowed(app, actor, audience):
        return None
    async with app.database.reading() as conn:
        return await db.count_recipients(conn, selection(scoped(audience, actor), app.today()))


def needed_languages(audience: Audience) -> tuple[str, ...]:
    """The languages that need a text of their own, when she writes one per language."""
    return tuple(code for code in ("kk", "ru", "en") if not audience.languages or code in audience.languages)


def texts_problem(texts: dict[str, str], photo: str | None) -> str | None:
    """The language of a text Telegram would refuse (too long for a message or a caption), if any."""
    limit = text_limit(photo is not None)
    return next((lang for lang, text in texts.items() if not text.strip() or telegram_length(text) > limit), None)


# --- starting and writing the rows ----------------------------------------------------------------

async def start(app: AppContext, actor: Actor, draft: Draft) -> Started | None:
    """Confirmed: the broadcast row (rows for its recipients follow with `write_rows`).

    None when she may not send it (not an admin any more, or an audience outside her scope)."""
    audience = scoped(draft.audience, actor)
    if not await allowed(app, actor, audience):
        return None
    if ONE_TEXT not in draft.texts and set(needed_languages(audience)) - draft.texts.keys():
        raise ValueError("a text is missing for a language of the audience")
    if texts_problem(draft.texts, draft.photo) is not None:
        raise ValueError("a text Telegram would refuse")
    now = app.clock.now()
    async with app.database.transaction() as conn:
        earlier = next((b for b in await db.recent_by(conn, actor.user_id) if b.audience.get("draft") == draft.token), None)
        if earlier is not None:
            return Started(earlier, new=False)
        broadcast_id = await db.insert_broadcast(
            conn,
            created_by=actor.user_id,
            region=actor.region,
            audience={**audience.to_json(), "draft": draft.token},
            texts=draft.texts,
            photo_file_id=draft.photo,
            progress_chat_id=actor.user_id,
            now=now,
        )
        record = await db.get_broadcast(conn, broadcast_id)
    assert record is not None
    log_event("broadcast_started", user_id=actor.user_id, broadcast_id=broadcast_id)
    return Started(record, new=True)


def _params(broadcast: BroadcastRecord, audience: Audience, lang: str) -> dict[str, object]:
    text = broadcast.texts.get(lang, broadcast.texts.get(ONE_TEXT))
    params: dict[str, object] = {"b": broadcast.id, "t": text}
    stage = audience.stage_json()
    if stage is not None:
        params["s"] = stage
    if broadcast.photo_file_id is not None:
        params["ph"] = broadcast.photo_file_id
    return params


async def write_rows(app: AppContext, broadcast_id: int) -> int:
    """One outbox row per recipient, a few thousand per transaction; returns how many were new.

    Safe to run again (after a crash meanwhile): the unique keys skip those already written."""
    writing = _writing(app)
    if broadcast_id in writing:
        return 0
    writing.add(broadcast_id)
    try:
        return await _write_rows(app, broadcast_id)
    finally:
        writing.discard(broadcast_id)


async def _write_rows(app: AppContext, broadcast_id: int) -> int:
    async with app.database.reading() as conn:
        broadcast = await db.get_broadcast(conn, broadcast_id)
        before = await db.count_rows(conn, broadcast_id)  # written by an earlier run cut short
    if broadcast is None or broadcast.status not in ACTIVE or broadcast.total:
        return 0
    audience = Audience.from_json(broadcast.audience)
    chosen = selection(audience, app.today())
    after = 0
    while True:
        now = app.clock.now()
        async with app.database.transaction() as conn:
            current = await db.get_broadcast(conn, broadcast_id)
            if current is None:
                return 0
            if current.status not in ACTIVE:  # cancelled meanwhile: what was written is cancelled too
                await db.cancel_rows(conn, broadcast_id)
                written = await db.count_rows(conn, broadcast_id)
                await db.update_broadcast(conn, broadcast_id, total=written)
                break
            batch = await db.recipients(conn, chosen, after, CHUNK)
            if not batch:
                # (Counted, not summed from the inserts: PostgreSQL reports no row count for them.)
                written = await db.count_rows(conn, broadcast_id)
                if written:
                    await db.update_broadcast(conn, broadcast_id, total=written)
                else:  # nobody fits any more
                    await db.set_status(conn, broadcast_id, BroadcastStatus.DONE, expected=ACTIVE, finished_at=now)
                await staff.audit(conn, now, broadcast.created_by, "broadcast_sent", broadcast=broadcast_id, recipients=written)
                break
            await outbox.enqueue(
                conn,
                [
                    OutgoingMessage(
                        user_id, BROADCAST, OutboxKind.BROADCAST, "broadcast", _params(broadcast, audience, lang), now,
                        f"bc:{broadcast_id}:{user_id}", batch_id=broadcast_id,
                    )
                    for user_id, lang in batch
                ],
                now,
            )
            if current.status == BroadcastStatus.PAUSED:
                await db.hold(conn, broadcast_id)
        after = batch[-1][0]
    log_event("broadcast_queued", broadcast_id=broadcast_id, count=written)
    return written - before


async def launch(app: AppContext, bot: Bot, started: Started) -> None:
    """After `start`: its progress message at once, then its rows (the engine sends the first ones
    while the rest are written), then the progress with the real total. A second confirm of the
    same draft does nothing here: the first one (or, after a crash, the progress job) writes them."""
    if not started.new:
        return
    broadcast_id = started.broadcast.id
    await refresh(app, bot, broadcast_id, write=False)
    await write_rows(app, broadcast_id)
    await refresh(app, bot, broadcast_id)


# --- pause, resume, cancel ------------------------------------------------------------------------

def may_manage(actor: Actor, broadcast: BroadcastRecord) -> bool:
    """Admins of the scope it was sent in: national admins every one, a regional admin her region's."""
    return in_region(actor, broadcast.region) if broadcast.region is not None else actor.is_national


async def in_scope_broadcast(app: AppContext, actor: Actor, broadcast_id: int, action: str) -> BroadcastRecord | None:
    """The broadcast, if she may see it; otherwise refused and written down."""
    async with app.database.reading() as conn:
        broadcast = await db.get_broadcast(conn, broadcast_id)
    if broadcast is None or not may_manage(actor, broadcast):
        await staff_service.refuse(app, actor.user_id, action, broadcast=broadcast_id)
        return None
    return broadcast


_CONTROLS = {
    # action: (new status, from which statuses, what happens to its waiting rows, audit action)
    "pause": (BroadcastStatus.PAUSED, (BroadcastStatus.SENDING,), db.hold, "broadcast_paused"),
    "resume": (BroadcastStatus.SENDING, (BroadcastStatus.PAUSED,), db.release, "broadcast_resumed"),
    "cancel": (BroadcastStatus.CANCELLED, ACTIVE, db.cancel_rows, "broadcast_cancelled"),
}


async def control(app: AppContext, actor: Actor, broadcast_id: int, action: str) -> BroadcastRecord | None:
    """Pause, resume or cancel; None when she may not (refused and written down). Pressed when it
    no longer applies (finished, or pressed twice), nothing changes and the record says so."""
    if action not in _CONTROLS:
        await staff_service.refuse(app, actor.user_id, "broadcast_control", broadcast=broadcast_id)
        return None
    if await in_scope_broadcast(app, actor, broadcast_id, "broadcast_" + action) is None:
        return None
    status, expected, move_rows, audit_action = _CONTROLS[action]
    now = app.clock.now()
    async with app.database.transaction() as conn:
        extra = {"finished_at": now} if status == BroadcastStatus.CANCELLED else {}
        if await db.set_status(conn, broadcast_id, status, expected=expected, **extra):
            rows = await move_rows(conn, broadcast_id)
            await staff.audit(conn, now, actor.user_id, audit_action, broadcast=broadcast_id, rows=rows)
            log_event(audit_action, user_id=actor.user_id, broadcast_id=broadcast_id)
        broadcast = await db.get_broadcast(conn, broadcast_id)
    return broadcast


# --- the live progress message --------------------------------------------------------------------

async def attach_progress(app: AppContext, broadcast_id: int, chat_id: int, message_id: int) -> None:
    async with app.database.transaction() as conn:
        await db.update_broadcast(conn, broadcast_id, progress_chat_id=chat_id, progress_message_id=message_id)


async def _language(app: AppContext, user_id: int) -> str:
    member = await staff.cached_active_staff(app.database, user_id)
    return member.language if member is not None else app.settings.default_language


def render_progress(app: AppContext, broadcast: BroadcastRecord, counts: BatchCounts) -> tuple[str, InlineKeyboardMarkup | None]:
    """The progress text and its buttons, in the current locale."""
    settings = app.settings
    now = app.clock.now()
    open_for = None
    if in_window(now, settings.tz, settings.delivery_window):
        closes = datetime.combine(now.astimezone(settings.tz).date(), settings.delivery_window[1], tzinfo=settings.tz)
        open_for = (closes - now).total_seconds()
    text = progress_text(broadcast, counts, rate=settings.delivery_rate, open_for=open_for, window=settings.delivery_window)
    return text, control_keyboard(broadcast.id, broadcast.status)


async def _finish_if_done(app: AppContext, broadcast: BroadcastRecord, counts: BatchCounts) -> BroadcastRecord:
    """Nothing left to send: done, and the final report goes to the admin."""
    if broadcast.status not in ACTIVE or not broadcast.total or counts.waiting:
        return broadcast
    now = app.clock.now()
    chat_id = broadcast.progress_chat_id or broadcast.created_by
    report = {
        "b": broadcast.id, "sent": counts.sent, "blocked": counts.blocked, "failed": counts.failed,
        "cancelled": counts.cancelled, "skipped": skipped_of(broadcast, counts),
        "seconds": int((now - broadcast.created_at).total_seconds()),
    }
    async with app.database.transaction() as conn:
        if await db.set_status(conn, broadcast.id, BroadcastStatus.DONE, expected=ACTIVE, finished_at=now):
            await outbox.enqueue(
                conn,
                [OutgoingMessage(chat_id, ALERT, OutboxKind.BROADCAST, "broadcast.report", report, now, f"bcdone:{broadcast.id}")],
                now,
            )
            log_event("broadcast_done", broadcast_id=broadcast.id, sent=counts.sent, blocked=counts.blocked)
        finished = await db.get_broadcast(conn, broadcast.id)
    return finished or broadcast


async def refresh(app: AppContext, bot: Bot, broadcast_id: int, *, write: bool = True, force: bool = False) -> bool:
    """Bring one broadcast's progress message up to date; True if it was edited or sent.

    `write`: first finish writing its rows if a crash left them unwritten; `force`: edit even if
    the text is the same (its buttons were changed meanwhile, e.g. to confirm a cancel)."""
    if force:
        _shown(app).pop(broadcast_id, None)
    async with app.database.reading() as conn:
        broadcast = await db.get_broadcast(conn, broadcast_id)
    if broadcast is None:
        return False
    if write and broadcast.status in ACTIVE and not broadcast.total:
        await write_rows(app, broadcast_id)
    async with app.database.transaction() as conn:
        broadcast = await db.get_broadcast(conn, broadcast_id)
        assert broadcast is not None
        if broadcast.status == BroadcastStatus.PAUSED:
            await db.hold(conn, broadcast_id)  # a row released by the engine meanwhile waits too
        counts = (await db.batch_counts(conn, [broadcast_id]))[broadcast_id]
    broadcast = await _finish_if_done(app, broadcast, counts)
    lang = await _language(app, broadcast.progress_chat_id or broadcast.created_by)
    with app.i18n.context(), app.i18n.use_locale(lang):
        text, markup = render_progress(app, broadcast, counts)
    shown = await _show(app, bot, broadcast, text, markup)
    if broadcast.status not in ACTIVE:
        _shown(app).pop(broadcast.id, None)
    return shown


async def _show(app: AppContext, bot: Bot, broadcast: BroadcastRecord, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Edit the progress message only when its text or buttons change; if it is gone, send a new one."""
    shown = _shown(app)
    signature = json.dumps([text, markup.model_dump(exclude_none=True) if markup else None], ensure_ascii=False)
    if shown.get(broadcast.id) == signature:
        return False
    chat_id = broadcast.progress_chat_id or broadcast.created_by
    if broadcast.progress_message_id is not None:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=broadcast.progress_message_id, reply_markup=markup)
            shown[broadcast.id] = signature
            return True
        except TelegramBadRequest as exc:
            if unchanged(exc):
                shown[broadcast.id] = signature
                return False
            if not (gone(exc) or uneditable(exc)):
                log_event("broadcast_progress_failed", broadcast_id=broadcast.id, error=type(exc).__name__)
                return False
        except (TelegramAPIError, TelegramNetworkError) as exc:  # she blocked the bot, Telegram is down: later
            log_event("broadcast_progress_failed", broadcast_id=broadcast.id, error=type(exc).__name__)
            return False
    try:  # the message was deleted (or never stored): a new one, edited from now on
        sent = await bot.send_message(chat_id, text, reply_markup=markup)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log_event("broadcast_progress_failed", broadcast_id=broadcast.id, error=type(exc).__name__)
        return False
    await attach_progress(app, broadcast.id, chat_id, sent.message_id)
    shown[broadcast.id] = signature
    return True


async def show_progress(app: AppContext, bot: Bot) -> int:
    """Edit the live progress message of each broadcast being sent; returns how many were edited."""
    async with app.database.reading() as conn:
        active = await db.active_broadcasts(conn)
    edited = 0
    for broadcast in active:
        try:
            edited += await refresh(app, bot, broadcast.id)
        except Exception as exc:  # noqa: BLE001 - one broadcast's trouble must not stop the others' progress
            log_event("broadcast_progress_error", broadcast_id=broadcast.id, error=type(exc).__name__)
    return edited


# --- past broadcasts ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HistoryPage:
    items: list[BroadcastRecord]
    counts: dict[int, BatchCounts]
    senders: dict[int, str]  # Telegram id → staff name
    page: int
    pages: int


async def history(app: AppContext, actor: Actor, page: int, size: int) -> HistoryPage:
    """Her scope's broadcasts, newest first: everything for a national admin, her region's otherwise."""
    if not actor.is_admin:
        return HistoryPage([], {}, {}, 0, 1)
    async with app.database.reading() as conn:
        total = await db.count_broadcasts(conn, actor.region)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        items = await db.list_broadcasts(conn, actor.region, limit=size, offset=page * size)
        counts = await db.batch_counts(conn, [item.id for item in items])
        senders = await db.staff_names(conn, [item.created_by for item in items])
    return HistoryPage(items, counts, senders, page, pages)


async def details(app: AppContext, actor: Actor, broadcast_id: int) -> tuple[BroadcastRecord, BatchCounts, str | None] | None:
    """One broadcast with what became of it and who sent it; None (refused) outside her scope."""
    broadcast = await in_scope_broadcast(app, actor, broadcast_id, "broadcast_open")
    if broadcast is None:
        return None
    async with app.database.reading() as conn:
        counts = (await db.batch_counts(conn, [broadcast_id]))[broadcast_id]
        sender = (await db.staff_names(conn, [broadcast.created_by])).get(broadcast.created_by)
    return broadcast, counts, sender


def finished_seconds(broadcast: BroadcastRecord, now: datetime) -> float:
    return ((broadcast.finished_at or now) - broadcast.created_at).total_seconds()

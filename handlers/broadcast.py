"""/broadcast and /broadcasts for admins: build the audience (with the number of families it
reaches), write the text (one for all, or one per language; optionally under a photo), preview it
exactly as families will see it, send; then pause, resume or cancel from the live progress message.
Every step re-checks role and scope in bot/services/broadcasts.py."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.delivery.broadcast_messages import announcement
from bot.delivery.render import Rendered
from bot.domain.access import Actor, StaffRole
from bot.domain.audience import Audience, InvalidAudience, telegram_length, text_limit
from bot.domain.dates import format_date
from bot.filters import IsStaff
from bot.keyboards import broadcast as kb
from bot.keyboards.broadcast import BcAudienceCb, BcComposeCb, BcControlCb, BcListCb
from bot.keyboards.staff import StaffMenuCb
from bot.services import broadcasts as service
from bot.services import staff as staff_service
from bot.services.broadcasts import ONE_TEXT, Draft
from bot.views.broadcasts import (
    LANGUAGE_NAMES,
    audience_lines,
    count_lines,
    duration_text,
    reach_lines,
    skipped_of,
    status_label,
)
from db.broadcasts import (
    CANCELLED_STATUS,
    PAUSED,
    SENDING_STATUS,
    BatchCounts,
    BroadcastRecord,
)
from db.records import StaffRecord
from handlers.admin import on_forbidden
from handlers.replies import mark_answered, say_refused


class BroadcastFlow(StatesGroup):
    audience = State()
    mode = State()  # one text for all, or one per language
    text = State()
    preview = State()


TOGGLES = {"role": "role", "tri": "trimester", "age": "age", "lang": "language", "rg": "region", "pc": "polyclinic"}


def _chat_id(event: Message | CallbackQuery) -> int:
    return event.chat.id if isinstance(event, Message) else event.from_user.id


async def _edit(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await callback.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr]
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise


async def _denied(callback: CallbackQuery) -> None:
    """The service has written the refusal to the audit log."""
    await say_refused(callback)


def _audience(data: dict[str, Any]) -> Audience:
    return Audience.from_json(data.get("aud", {}))


def _clinic_region(audience: Audience, actor: Actor) -> str | None:
    """Polyclinics are chosen within one region: hers, or the one region a national admin chose."""
    if actor.region is not None:
        return actor.region
    return next(iter(audience.regions)) if len(audience.regions) == 1 else None


# --- step 1: the audience ------------------------------------------------------------------------

def _builder_text(audience: Audience, counts: dict[str, int], actor: Actor, lang: str) -> str:
    return "\n".join(
        [
            _("📣 <b>New announcement</b>, step 1 of 3: who gets it"),
            "",
            *audience_lines(audience, lang, regional=actor.region),
            "",
            *reach_lines(counts, now=True),
            _("Counted: registered families who have not paused messages and can be reached. Choose with the buttons; the number follows."),
        ]
    )


def _builder_markup(audience: Audience, actor: Actor, view: str, lang: str) -> InlineKeyboardMarkup:
    region = _clinic_region(audience, actor)
    if view == "rg" and actor.is_national:
        return kb.regions_keyboard(audience, lang)
    if view == "pc" and region is not None:
        return kb.polyclinics_keyboard(audience, region, lang)
    return kb.audience_keyboard(audience, national=actor.is_national, clinic_region=region)


async def on_broadcast(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer()
    audience = Audience()
    counts = await service.count(app, staff, audience)
    if counts is None:  # not an admin any more
        await bot.send_message(_chat_id(event), _("This is not available to you."))
        return
    await state.set_state(BroadcastFlow.audience)
    await state.set_data({"token": secrets.token_hex(8), "aud": audience.to_json()})
    lang = staff_member.language
    await bot.send_message(
        _chat_id(event), _builder_text(audience, counts, staff, lang), reply_markup=_builder_markup(audience, staff, "main", lang)
    )


def _pressed(audience: Audience, field: str, value: str, actor: Actor) -> tuple[Audience, str]:
    """The audience after a button of the builder, and the view to show. Raises InvalidAudience
    for anything no button offers (the scope is checked by the service)."""
    if field in TOGGLES:
        return audience.toggled(TOGGLES[field], value), {"rg": "rg", "pc": "pc"}.get(field, "main")
    if field == "rga":
        return replace(audience, regions=frozenset(), polyclinics=frozenset()), "rg"
    if field == "pca":
        return replace(audience, polyclinics=frozenset()), "pc"
    if field == "view" and (
        value == "main" or value == "rg" and actor.is_national or value == "pc" and _clinic_region(audience, actor) is not None
    ):
        return audience, value
    if field == "next":
        return audience, "main"
    raise InvalidAudience(field)


async def on_audience_button(
    callback: CallbackQuery, callback_data: BcAudienceCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord,
) -> None:
    lang = staff_member.language
    if callback_data.f == "cancel":
        await callback.answer()
        await state.clear()
        await _edit(callback, _("Cancelled. Nothing was sent."), None)
        return
    try:
        audience, view = _pressed(_audience(await state.get_data()), callback_data.f, callback_data.v, staff)
    except InvalidAudience:
        await staff_service.refuse(app, staff.user_id, "broadcast_audience")
        await _denied(callback)
        return
    counts = await service.count(app, staff, audience)  # None: outside her scope (refused, audited)
    if counts is None:
        await _denied(callback)
        return
    if callback_data.f == "next":
        await _after_audience(callback, bot, state, audience, counts, staff, lang)
        return
    await callback.answer()
    await state.update_data(aud=audience.to_json())
    await _edit(callback, _builder_text(audience, counts, staff, lang), _builder_markup(audience, staff, view, lang))


async def _after_audience(
    callback: CallbackQuery, bot: Bot, state: FSMContext, audience: Audience, counts: dict[str, int], actor: Actor, lang: str
) -> None:
    if not sum(counts.values()):
        await callback.answer(_("No family fits these choices yet. Please change them."), show_alert=True)
        return
    await callback.answer()
    await _edit(callback, _builder_text(audience, counts, actor, lang), None)
    await _ask_mode(bot, callback.from_user.id, state, audience)


async def _ask_mode(bot: Bot, chat_id: int, state: FSMContext, audience: Audience) -> None:
    await state.update_data(texts={}, photo=None)
    languages = service.needed_languages(audience)
    if len(languages) == 1:  # one language chosen: its text is the only one
        await _ask_text(bot, chat_id, state, languages[0], one_language=True)
        return
    await state.set_state(BroadcastFlow.mode)
    await bot.send_message(
        chat_id,
        _(
            "📣 Step 2 of 3: the text.\n\n"
            "Would you like to write one text for everyone, or a text in each language ({languages})?"
        ).format(languages=", ".join(LANGUAGE_NAMES[code] for code in languages)),
        reply_markup=kb.text_mode_keyboard(),
    )


# --- step 2: the text ------------------------------------------------------------------------------

async def _ask_text(bot: Bot, chat_id: int, state: FSMContext, asking: str, *, one_language: bool = False) -> None:
    await state.set_state(BroadcastFlow.text)
    await state.update_data(asking=asking, single=one_language)
    if asking == ONE_TEXT:
        prompt = _(
            "Please send the text of the announcement.\n\n"
            "⚠️ One text for everyone: families who chose another language will get it in the language you write it in."
        )
    elif one_language:
        prompt = _("📣 Step 2 of 3: the text.\n\nPlease send the text of the announcement in {language}.").format(
            language=LANGUAGE_NAMES[asking]
        )
    else:
        prompt = _("Please send the text for families who chose {language}.").format(language=LANGUAGE_NAMES[asking])
    limits = _(
        "It is sent exactly as you type it: up to 4096 characters, or 1024 under a photo "
        "(send the photo with the text as its caption)."
    )
    await bot.send_message(chat_id, f"{prompt}\n{limits}", reply_markup=kb.cancel_keyboard())


async def on_mode(callback: CallbackQuery, callback_data: BcComposeCb, bot: Bot, state: FSMContext) -> None:
    await callback.answer()
    await mark_answered(callback)
    audience = _audience(await state.get_data())
    first = ONE_TEXT if callback_data.action == "one" else service.needed_languages(audience)[0]
    await _ask_text(bot, callback.from_user.id, state, first)


async def on_text(message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    await _take_text(message, bot, state, app, staff, staff_member, message.text or "", None)


async def on_photo(message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    if not message.caption:
        await message.answer(_("Please send the photo again with the text of the announcement as its caption."))
        return
    assert message.photo
    await _take_text(message, bot, state, app, staff, staff_member, message.caption, message.photo[-1].file_id)


async def _take_text(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord,
    text: str, photo: str | None,
) -> None:
    data = await state.get_data()
    asking = str(data["asking"])
    photo = photo or data.get("photo")
    texts = {**data.get("texts", {}), asking: text}
    problem = service.texts_problem(texts, photo)
    if problem == asking:
        await message.answer(
            _("This text has {length} characters, and Telegram allows {limit}. Please shorten it and send it again.").format(
                length=telegram_length(text), limit=text_limit(photo is not None)
            )
        )
        return
    if problem is not None:  # an earlier text is too long to go under the photo
        await message.answer(
            _(
                "With a photo every text can have at most 1024 characters, and the text for {language} is longer. "
                "Please send the photo again with the first text, or send this text without a photo."
            ).format(language=LANGUAGE_NAMES.get(problem, problem))
        )
        return
    await state.update_data(texts=texts, photo=photo)
    audience = _audience(data)
    remaining = [] if asking == ONE_TEXT or data.get("single") else [c for c in service.needed_languages(audience) if c not in texts]
    if remaining:
        await _ask_text(bot, message.chat.id, state, remaining[0])
        return
    await _preview(bot, message.chat.id, state, app, staff, staff_member.language)


async def on_text_other(message: Message) -> None:
    await message.answer(_("Please send the text as a message (or a photo with the text as its caption), or press «Cancel»."))


# --- step 3: the preview -------------------------------------------------------------------------

async def _send_rendered(bot: Bot, chat_id: int, rendered: Rendered) -> None:
    photo = getattr(rendered, "photo", None)
    if photo is not None:
        await bot.send_photo(chat_id, photo, caption=rendered.text, reply_markup=rendered.markup)
    else:
        await bot.send_message(chat_id, rendered.text, reply_markup=rendered.markup)


async def send_previews(bot: Bot, chat_id: int, texts: dict[str, str], photo: str | None) -> None:
    """Each text exactly as families will get it, under a line saying for whom."""
    for code in (ONE_TEXT, "kk", "ru", "en"):
        if code not in texts:
            continue
        await bot.send_message(
            chat_id,
            _("👇 Preview: what every family will get") if code == ONE_TEXT
            else _("👇 Preview: what families who chose {language} will get").format(language=LANGUAGE_NAMES[code]),
        )
        await _send_rendered(bot, chat_id, announcement(texts[code], photo))


async def _preview(bot: Bot, chat_id: int, state: FSMContext, app: AppContext, actor: Actor, lang: str) -> None:
    data = await state.get_data()
    audience = _audience(data)
    texts: dict[str, str] = data.get("texts", {})
    counts = await service.count(app, actor, audience)
    if counts is None:
        await state.clear()
        await bot.send_message(chat_id, _("This is not available to you."))
        return
    await state.set_state(BroadcastFlow.preview)
    await send_previews(bot, chat_id, texts, data.get("photo"))
    lines = [
        _("📣 Step 3 of 3: check and send."),
        "",
        *audience_lines(audience, lang, regional=actor.region),
        "",
        *reach_lines(counts, now=False),
    ]
    if ONE_TEXT in texts and len([c for c in counts if counts[c]]) > 1:
        lines.append(_("⚠️ One text for everyone: families who chose another language will get it in this language."))
    start, end = app.settings.delivery_window
    lines.append(
        _("Families get it between {start} and {end} their time, a little at a time.").format(
            start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
        )
    )
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=kb.preview_keyboard(sum(counts.values())))


async def on_preview_button(
    callback: CallbackQuery, callback_data: BcComposeCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord,
) -> None:
    data = await state.get_data()
    audience = _audience(data)
    action = callback_data.action
    if action == "send":
        draft = Draft(audience=audience, texts=dict(data.get("texts", {})), photo=data.get("photo"), token=str(data.get("token") or secrets.token_hex(8)))
        started = await service.start(app, staff, draft)
        if started is None:
            await _denied(callback)
            return
        await callback.answer(_("Sending has started.") if started.new else _("This announcement is already being sent."))
        await mark_answered(callback)
        await state.clear()
        await service.launch(app, bot, started)  # the progress message, then the rows (a while, for many)
        return
    await callback.answer()
    await mark_answered(callback)
    if action == "text":
        await _ask_mode(bot, callback.from_user.id, state, audience)
    elif action == "audience":
        await state.set_state(BroadcastFlow.audience)
        counts = await service.count(app, staff, audience) or {}
        lang = staff_member.language
        await bot.send_message(
            callback.from_user.id, _builder_text(audience, counts, staff, lang), reply_markup=_builder_markup(audience, staff, "main", lang)
        )


async def on_compose_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await callback.answer()
    await mark_answered(callback)
    await state.clear()
    await bot.send_message(callback.from_user.id, _("Cancelled. Nothing was sent."))


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please use the buttons above, or press «Cancel». /start takes you to your menu."))


async def on_stale(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer active."), show_alert=True)


# --- the live progress: pause, resume, cancel -----------------------------------------------------

async def on_control(callback: CallbackQuery, callback_data: BcControlCb, bot: Bot, app: AppContext, staff: Actor) -> None:
    action, broadcast_id = callback_data.action, callback_data.id
    if action in ("cancel", "back"):  # ask first, in a message of its own: cancelling cannot be undone
        if await service.in_scope_broadcast(app, staff, broadcast_id, "broadcast_cancel") is None:
            await _denied(callback)
            return
        await callback.answer()
        if action == "back":
            await mark_answered(callback)
            return
        await bot.send_message(
            callback.from_user.id,
            _("Stop sending announcement #{id}? Families still waiting for it will not get it. This cannot be undone.").format(
                id=broadcast_id
            ),
            reply_markup=kb.cancel_confirm_keyboard(broadcast_id),
        )
        return
    result = await service.control(app, staff, broadcast_id, {"cancel_yes": "cancel"}.get(action, action))
    if result is None:
        await _denied(callback)
        return
    expected = {"pause": PAUSED, "resume": SENDING_STATUS}.get(action, CANCELLED_STATUS)
    if result.status != expected:  # finished meanwhile, or pressed twice
        await callback.answer(_("Nothing to change: this announcement is {status}.").format(status=status_label(result.status)))
    else:
        await callback.answer({"pause": _("Paused."), "resume": _("Sending again.")}.get(action, _("Cancelled: nothing more is sent.")))
    if action == "cancel_yes":
        await mark_answered(callback)
    await service.refresh(app, bot, broadcast_id, force=True)


# --- past announcements ---------------------------------------------------------------------------

def _history_text(page: service.HistoryPage, lang: str, app: AppContext) -> str:
    lines = [_("<b>Announcements</b> (page {page} of {pages})").format(page=page.page + 1, pages=page.pages)]
    if not page.items:
        lines += ["", _("None yet. Send one: /broadcast")]
    for item in page.items:
        counts = page.counts.get(item.id, BatchCounts())
        when = item.created_at.astimezone(app.settings.tz)
        lines += [
            "",
            _("<b>#{id}</b> · {date} {time} · {sender}").format(
                id=item.id, date=format_date(when.date()), time=when.strftime("%H:%M"),
                sender=html.quote(page.senders.get(item.created_by, "—")),
            ),
            *audience_lines(Audience.from_json(item.audience), lang, regional=item.region)[:2],
            _("{status}: {sent} sent · {blocked} blocked the bot · {failed} failed").format(
                status=status_label(item.status).capitalize(), sent=counts.sent, blocked=counts.blocked, failed=counts.failed
            ),
        ]
    return "\n".join(lines)


async def on_history(event: Message | CallbackQuery, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer()
    page = await service.history(app, staff, 0, kb.PAGE)
    await bot.send_message(
        _chat_id(event), _history_text(page, staff_member.language, app), reply_markup=kb.history_keyboard(page.items, page.page, page.pages)
    )


def _card_text(broadcast: BroadcastRecord, counts: BatchCounts, sender: str | None, lang: str, app: AppContext) -> str:
    when = broadcast.created_at.astimezone(app.settings.tz)
    lines = [
        _("📣 <b>Announcement #{id}</b>").format(id=broadcast.id),
        _("Sent by {sender} on {date} at {time}.").format(
            sender=html.quote(sender or "—"), date=format_date(when.date()), time=when.strftime("%H:%M")
        ),
        "",
        *audience_lines(Audience.from_json(broadcast.audience), lang, regional=broadcast.region),
        "",
        _("Status: {status}").format(status=status_label(broadcast.status)),
        _("Families: {count}").format(count=broadcast.total),
        *count_lines(counts, skipped_of(broadcast, counts)),
    ]
    if counts.waiting:
        lines.append(_("⏳ Waiting: {count}").format(count=counts.waiting))
    if broadcast.finished_at is not None:
        lines.append(_("It took {duration}.").format(duration=duration_text(service.finished_seconds(broadcast, app.clock.now()))))
    if broadcast.photo_file_id:
        lines.append(_("With a photo."))
    return "\n".join(lines)


async def on_history_button(
    callback: CallbackQuery, callback_data: BcListCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    lang = staff_member.language
    if callback_data.action == "page":
        page = await service.history(app, staff, callback_data.page, kb.PAGE)
        await callback.answer()
        await _edit(callback, _history_text(page, lang, app), kb.history_keyboard(page.items, page.page, page.pages))
        return
    found = await service.details(app, staff, callback_data.id)
    if found is None or callback_data.action not in ("open", "texts"):
        await _denied(callback)
        return
    broadcast, counts, sender = found
    await callback.answer()
    if callback_data.action == "open":
        await _edit(callback, _card_text(broadcast, counts, sender, lang, app), kb.card_keyboard(broadcast, callback_data.page))
        return
    await send_previews(bot, callback.from_user.id, broadcast.texts, broadcast.photo_file_id)


def build_router() -> Router:
    router = Router(name="broadcast")
    admin = IsStaff(StaffRole.ADMIN)
    router.message.register(on_broadcast, Command("broadcast"), admin)
    router.callback_query.register(on_broadcast, StaffMenuCb.filter(F.action == "broadcast"), admin)
    router.message.register(on_history, Command("broadcasts"), admin)
    router.callback_query.register(on_history, StaffMenuCb.filter(F.action == "broadcasts"), admin)
    # Composing: each step's buttons only in that step.
    flow = StateFilter(BroadcastFlow.audience, BroadcastFlow.mode, BroadcastFlow.text, BroadcastFlow.preview)
    router.callback_query.register(on_audience_button, StateFilter(BroadcastFlow.audience), BcAudienceCb.filter(), admin)
    router.callback_query.register(on_compose_cancel, flow, BcComposeCb.filter(F.action == "cancel"), admin)
    router.callback_query.register(on_mode, StateFilter(BroadcastFlow.mode), BcComposeCb.filter(F.action.in_(("one", "each"))), admin)
    router.callback_query.register(
        on_preview_button, StateFilter(BroadcastFlow.preview), BcComposeCb.filter(F.action.in_(("send", "text", "audience"))), admin
    )
    router.message.register(on_text, StateFilter(BroadcastFlow.text), F.text, ~F.text.startswith("/"), admin)
    router.message.register(on_photo, StateFilter(BroadcastFlow.text), F.photo, admin)
    router.message.register(on_text_other, StateFilter(BroadcastFlow.text), ~F.text.startswith("/"), admin)
    router.message.register(on_flow_other, flow, ~F.text.startswith("/"), admin)
    router.callback_query.register(on_stale, BcAudienceCb.filter(), admin)
    router.callback_query.register(on_stale, BcComposeCb.filter(), admin)
    # Sending and after.
    router.callback_query.register(on_control, BcControlCb.filter(), admin)
    router.callback_query.register(on_history_button, BcListCb.filter(), admin)
    # Everyone else who reaches these (a nurse, a former admin, a forged button): refused and written down.
    for callback_data in (BcAudienceCb, BcComposeCb, BcControlCb, BcListCb):
        router.callback_query.register(on_forbidden, callback_data.filter())
    router.message.register(on_forbidden, Command("broadcast", "broadcasts"), IsStaff())
    return router

"""/broadcast and /broadcasts for admins: build the audience (with the number of families it
reaches), write the text (one for all, or one per language; optionally under a photo), preview it
exactly as families will see it, send; then pause, resume or cancel from the live progress message.
Every step re-checks role and scope in bot/services/broadcasts.py. The admin menu's buttons are
routed in handlers/staff.py."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, User
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.delivery.broadcast_messages import announcement
from bot.delivery.render import Rendered
from bot.domain.access import Actor, StaffRole
from bot.domain.audience import Audience, InvalidAudience, telegram_length, text_limit
from bot.filters import IsStaff, pressed
from bot.keyboards import broadcast as kb
from bot.keyboards.broadcast import (
    BcAudienceCb,
    BcAudienceField,
    BcComposeAction,
    BcComposeCb,
    BcControlAction,
    BcControlCb,
    BcListAction,
    BcListCb,
)
from bot.services import broadcasts as service
from bot.services.broadcasts import ONE_TEXT, Draft
from bot.views.broadcasts import (
    broadcast_card_text,
    builder_text,
    history_text,
    mode_question,
    preview_label,
    preview_text,
    status_label,
    text_prompt,
)
from bot.views.profile import LANGUAGE_NAMES
from db.broadcasts import BroadcastStatus
from db.records import StaffRecord
from handlers.admin import on_forbidden
from handlers.replies import (
    alert,
    answer_now,
    edit_quietly,
    mark_answered,
    refuse,
    refusing,
    say_refused,
    stale,
)


class BroadcastFlow(StatesGroup):
    audience = State()
    mode = State()  # one text for all, or one per language
    text = State()
    preview = State()


# The builder's toggles: the Audience field each one changes, and the view it shows next.
TOGGLES = {
    BcAudienceField.ROLE: ("role", "main"),
    BcAudienceField.TRIMESTER: ("trimester", "main"),
    BcAudienceField.AGE: ("age", "main"),
    BcAudienceField.LANGUAGE: ("language", "main"),
    BcAudienceField.REGION: ("region", "rg"),
    BcAudienceField.POLYCLINIC: ("polyclinic", "pc"),
}


def _audience(data: dict[str, Any]) -> Audience:
    return Audience.from_json(data.get("aud", {}))


def _clinic_region(audience: Audience, actor: Actor) -> str | None:
    """Polyclinics are chosen within one region: hers, or the one region a national admin chose."""
    if actor.region is not None:
        return actor.region
    return next(iter(audience.regions)) if len(audience.regions) == 1 else None


# --- step 1: the audience ------------------------------------------------------------------------

def _builder_markup(audience: Audience, actor: Actor, view: str, lang: str) -> InlineKeyboardMarkup:
    region = _clinic_region(audience, actor)
    if view == "rg" and actor.is_national:
        return kb.regions_keyboard(audience, lang)
    if view == "pc" and region is not None:
        return kb.polyclinics_keyboard(audience, region, lang)
    return kb.audience_keyboard(audience, national=actor.is_national, clinic_region=region)


async def on_broadcast(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord,
) -> None:
    """/broadcast and the menu's "📣 New announcement"."""
    audience = Audience()
    counts = await service.count(app, staff, audience)
    if counts is None:  # not an admin any more
        await bot.send_message(event_from_user.id, _("This is not available to you."))
        return
    await state.set_state(BroadcastFlow.audience)
    await state.set_data({"token": secrets.token_hex(8), "aud": audience.to_json()})
    lang = staff_member.language
    await bot.send_message(
        event_from_user.id,
        builder_text(audience, counts, lang, regional=staff.region),
        reply_markup=_builder_markup(audience, staff, "main", lang),
    )


async def _show_audience(
    callback: CallbackQuery, answer: CallbackAnswer, state: FSMContext, app: AppContext, staff: Actor, lang: str,
    audience: Audience, view: str,
) -> None:
    """The builder after one of its buttons: the audience (if within her scope) and its count."""
    counts = await service.count(app, staff, audience)  # None: outside her scope (refused, audited)
    if counts is None:
        await say_refused(callback, answer)
        return
    await state.update_data(aud=audience.to_json())
    await edit_quietly(
        callback, text=builder_text(audience, counts, lang, regional=staff.region), markup=_builder_markup(audience, staff, view, lang)
    )


async def _refuse_audience(callback: CallbackQuery, app: AppContext, answer: CallbackAnswer) -> None:
    """A choice no button of hers offers."""
    await refuse(callback, app, "broadcast_audience", answer)


async def on_audience_toggle(
    callback: CallbackQuery, callback_data: BcAudienceCb, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord, callback_answer: CallbackAnswer,
) -> None:
    """One value of a field added or taken away."""
    field, view = TOGGLES[callback_data.f]
    try:
        audience = _audience(await state.get_data()).toggled(field, callback_data.v, callback_data.on)
    except InvalidAudience:
        await _refuse_audience(callback, app, callback_answer)
        return
    await _show_audience(callback, callback_answer, state, app, staff, staff_member.language, audience, view)


async def on_all_regions(
    callback: CallbackQuery, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    audience = replace(_audience(await state.get_data()), regions=frozenset(), polyclinics=frozenset())
    await _show_audience(callback, callback_answer, state, app, staff, staff_member.language, audience, "rg")


async def on_all_polyclinics(
    callback: CallbackQuery, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    audience = replace(_audience(await state.get_data()), polyclinics=frozenset())
    await _show_audience(callback, callback_answer, state, app, staff, staff_member.language, audience, "pc")


async def on_audience_view(
    callback: CallbackQuery, callback_data: BcAudienceCb, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord, callback_answer: CallbackAnswer,
) -> None:
    """The main view, or the list of regions (national admins) or of one region's polyclinics."""
    audience, view = _audience(await state.get_data()), callback_data.v
    offered = view == "main" or view == "rg" and staff.is_national or view == "pc" and _clinic_region(audience, staff) is not None
    if not offered:
        await _refuse_audience(callback, app, callback_answer)
        return
    await _show_audience(callback, callback_answer, state, app, staff, staff_member.language, audience, view)


async def on_audience_next(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    """"Next: the text": the audience is kept (no buttons any more) if it reaches anyone."""
    audience = _audience(await state.get_data())
    counts = await service.count(app, staff, audience)
    if counts is None:
        await say_refused(callback, callback_answer)
        return
    if not sum(counts.values()):
        alert(callback_answer, _("No family fits these choices yet. Please change them."))
        return
    await edit_quietly(callback, text=builder_text(audience, counts, staff_member.language, regional=staff.region), markup=None)
    await _ask_mode(bot, callback.from_user.id, state, audience)


async def on_audience_cancel(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_quietly(callback, text=_("Cancelled. Nothing was sent."), markup=None)


async def _ask_mode(bot: Bot, chat_id: int, state: FSMContext, audience: Audience) -> None:
    await state.update_data(texts={}, photo=None)
    languages = service.needed_languages(audience)
    if len(languages) == 1:  # one language chosen: its text is the only one
        await _ask_text(bot, chat_id, state, languages[0], one_language=True)
        return
    await state.set_state(BroadcastFlow.mode)
    await bot.send_message(chat_id, mode_question(languages), reply_markup=kb.text_mode_keyboard())


# --- step 2: the text ------------------------------------------------------------------------------

async def _ask_text(bot: Bot, chat_id: int, state: FSMContext, asking: str, *, one_language: bool = False) -> None:
    await state.set_state(BroadcastFlow.text)
    await state.update_data(asking=asking, single=one_language)
    prompt = text_prompt(None if asking == ONE_TEXT else asking, only_language=one_language)
    await bot.send_message(chat_id, prompt, reply_markup=kb.cancel_keyboard())


async def on_one_text(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    """"One text for everyone"."""
    await mark_answered(callback)
    await _ask_text(bot, callback.from_user.id, state, ONE_TEXT)


async def on_text_each(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    """"A text in each language": the first language's first."""
    await mark_answered(callback)
    audience = _audience(await state.get_data())
    await _ask_text(bot, callback.from_user.id, state, service.needed_languages(audience)[0])


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
        await bot.send_message(chat_id, preview_label(None if code == ONE_TEXT else code))
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
    text = preview_text(
        audience, counts, lang, regional=actor.region, one_text=ONE_TEXT in texts, window=app.settings.delivery_window
    )
    await bot.send_message(chat_id, text, reply_markup=kb.preview_keyboard(sum(counts.values())))


async def on_send(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    data = await state.get_data()
    draft = Draft(
        audience=_audience(data), texts=dict(data.get("texts", {})), photo=data.get("photo"),
        token=str(data.get("token") or secrets.token_hex(8)),
    )
    started = await service.start(app, staff, draft)
    if started is None:
        await say_refused(callback, callback_answer)
        return
    # Writing a row for each family takes a while with many: she learns now that it has started.
    await answer_now(callback, callback_answer, _("Sending has started.") if started.new else _("This announcement is already being sent."))
    await mark_answered(callback)
    await state.clear()
    await service.launch(app, bot, started)  # the progress message, then the rows (a while, for many)


async def on_edit_text(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await mark_answered(callback)
    await _ask_mode(bot, callback.from_user.id, state, _audience(await state.get_data()))


async def on_edit_audience(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await mark_answered(callback)
    audience = _audience(await state.get_data())
    await state.set_state(BroadcastFlow.audience)
    counts = await service.count(app, staff, audience) or {}
    lang = staff_member.language
    await bot.send_message(
        callback.from_user.id,
        builder_text(audience, counts, lang, regional=staff.region),
        reply_markup=_builder_markup(audience, staff, "main", lang),
    )


async def on_compose_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await mark_answered(callback)
    await state.clear()
    await bot.send_message(callback.from_user.id, _("Cancelled. Nothing was sent."))


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please use the buttons above, or press «Cancel». /start takes you to your menu."))


async def on_stale(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A button of a step she has left (or of an announcement no longer being written)."""
    stale(callback_answer)


# --- the live progress: pause, resume, cancel -----------------------------------------------------

async def on_cancel_ask(
    callback: CallbackQuery, callback_data: BcControlCb, bot: Bot, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    """"✖️ Cancel" asks first, in a message of its own: cancelling cannot be undone."""
    if await service.in_scope_broadcast(app, staff, callback_data.id, "broadcast_cancel") is None:
        await say_refused(callback, callback_answer)
        return
    await bot.send_message(
        callback.from_user.id,
        _("Stop sending announcement #{id}? Families still waiting for it will not get it. This cannot be undone.").format(
            id=callback_data.id
        ),
        reply_markup=kb.cancel_confirm_keyboard(callback_data.id),
    )


async def on_cancel_back(
    callback: CallbackQuery, callback_data: BcControlCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    """"No, go on"."""
    if await service.in_scope_broadcast(app, staff, callback_data.id, "broadcast_cancel") is None:
        await say_refused(callback, callback_answer)
        return
    await mark_answered(callback)


async def _control(
    callback: CallbackQuery, answer: CallbackAnswer, app: AppContext, staff: Actor, broadcast_id: int, action: BcControlAction,
    expected: str, done: str,
) -> bool:
    """Pause, resume or cancel, answered with what happened; False when she may not (refused)."""
    result = await service.control(app, staff, broadcast_id, action)
    if result is None:
        await say_refused(callback, answer)
        return False
    if result.status != expected:  # finished meanwhile, or pressed twice
        answer.text = _("Nothing to change: this announcement is {status}.").format(status=status_label(result.status))
    else:
        answer.text = done
    return True


async def on_pause(
    callback: CallbackQuery, callback_data: BcControlCb, bot: Bot, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    if await _control(callback, callback_answer, app, staff, callback_data.id, BcControlAction.PAUSE, BroadcastStatus.PAUSED, _("Paused.")):
        await service.refresh(app, bot, callback_data.id, force=True)


async def on_resume(
    callback: CallbackQuery, callback_data: BcControlCb, bot: Bot, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    resumed = _("Sending again.")
    if await _control(callback, callback_answer, app, staff, callback_data.id, BcControlAction.RESUME, BroadcastStatus.SENDING, resumed):
        await service.refresh(app, bot, callback_data.id, force=True)


async def on_cancel_yes(
    callback: CallbackQuery, callback_data: BcControlCb, bot: Bot, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    """"Yes, stop sending"."""
    done = _("Cancelled: nothing more is sent.")
    if await _control(callback, callback_answer, app, staff, callback_data.id, BcControlAction.CANCEL, BroadcastStatus.CANCELLED, done):
        await mark_answered(callback)
        await service.refresh(app, bot, callback_data.id, force=True)


# --- past announcements ---------------------------------------------------------------------------

async def on_history(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """/broadcasts and the menu's "🗂 Past announcements"."""
    page = await service.history(app, staff, 0, kb.PAGE)
    await bot.send_message(
        event_from_user.id,
        history_text(page, staff_member.language, app.settings.tz),
        reply_markup=kb.history_keyboard(page.items, page.page, page.pages),
    )


async def on_history_page(
    callback: CallbackQuery, callback_data: BcListCb, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    page = await service.history(app, staff, callback_data.page, kb.PAGE)
    await edit_quietly(
        callback,
        text=history_text(page, staff_member.language, app.settings.tz),
        markup=kb.history_keyboard(page.items, page.page, page.pages),
    )


async def on_open_broadcast(
    callback: CallbackQuery, callback_data: BcListCb, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    found = await service.details(app, staff, callback_data.id)
    if found is None:
        await say_refused(callback, callback_answer)
        return
    broadcast, counts, sender = found
    took = service.finished_seconds(broadcast, app.clock.now())
    text = broadcast_card_text(broadcast, counts, sender, staff_member.language, app.settings.tz, took)
    await edit_quietly(callback, text=text, markup=kb.card_keyboard(broadcast, callback_data.page))


async def on_show_texts(
    callback: CallbackQuery, callback_data: BcListCb, bot: Bot, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    found = await service.details(app, staff, callback_data.id)
    if found is None:
        await say_refused(callback, callback_answer)
        return
    broadcast = found[0]
    await send_previews(bot, callback.from_user.id, broadcast.texts, broadcast.photo_file_id)


# --- buttons no handler above took: forged, or from an old version (never logged with their text) ---

async def on_unknown_audience_button(callback: CallbackQuery, app: AppContext, callback_answer: CallbackAnswer) -> None:
    await _refuse_audience(callback, app, callback_answer)


def build_router() -> Router:
    router = Router(name="broadcast")
    admin = IsStaff(StaffRole.ADMIN)
    button = router.callback_query.register
    router.message.register(on_broadcast, Command("broadcast"), admin)
    router.message.register(on_history, Command("broadcasts"), admin)
    # Composing: each step's buttons only in that step.
    flow = StateFilter(BroadcastFlow)
    on_audience = StateFilter(BroadcastFlow.audience)
    audience = BcAudienceCb.filter
    button(on_audience_toggle, audience(F.f.in_(TOGGLES)), on_audience, admin)
    button(on_all_regions, audience(F.f == BcAudienceField.ALL_REGIONS), on_audience, admin)
    button(on_all_polyclinics, audience(F.f == BcAudienceField.ALL_POLYCLINICS), on_audience, admin)
    button(on_audience_view, audience(F.f == BcAudienceField.VIEW), on_audience, admin)
    button(on_audience_next, audience(F.f == BcAudienceField.NEXT), on_audience, admin)
    button(on_audience_cancel, audience(F.f == BcAudienceField.CANCEL), on_audience, admin)
    compose = BcComposeCb.filter
    button(on_compose_cancel, compose(F.action == BcComposeAction.CANCEL), flow, admin)
    button(on_one_text, compose(F.action == BcComposeAction.ONE), StateFilter(BroadcastFlow.mode), admin)
    button(on_text_each, compose(F.action == BcComposeAction.EACH), StateFilter(BroadcastFlow.mode), admin)
    on_preview = StateFilter(BroadcastFlow.preview)
    button(on_send, compose(F.action == BcComposeAction.SEND), on_preview, admin)
    button(on_edit_text, compose(F.action == BcComposeAction.TEXT), on_preview, admin)
    button(on_edit_audience, compose(F.action == BcComposeAction.AUDIENCE), on_preview, admin)
    router.message.register(on_text, StateFilter(BroadcastFlow.text), F.text, ~F.text.startswith("/"), admin)
    router.message.register(on_photo, StateFilter(BroadcastFlow.text), F.photo, admin)
    router.message.register(on_text_other, StateFilter(BroadcastFlow.text), ~F.text.startswith("/"), admin)
    router.message.register(on_flow_other, flow, ~F.text.startswith("/"), admin)
    button(on_stale, BcAudienceCb.filter(), admin)
    button(on_stale, BcComposeCb.filter(), admin)
    # Sending and after.
    button(on_cancel_ask, BcControlCb.filter(F.action == BcControlAction.CANCEL), admin)
    button(on_cancel_back, BcControlCb.filter(F.action == BcControlAction.BACK), admin)
    button(on_pause, BcControlCb.filter(F.action == BcControlAction.PAUSE), admin)
    button(on_resume, BcControlCb.filter(F.action == BcControlAction.RESUME), admin)
    button(on_cancel_yes, BcControlCb.filter(F.action == BcControlAction.CANCEL_YES), admin)
    button(on_history_page, BcListCb.filter(F.action == BcListAction.PAGE), admin)
    button(on_open_broadcast, BcListCb.filter(F.action == BcListAction.OPEN), admin)
    button(on_show_texts, BcListCb.filter(F.action == BcListAction.TEXTS), admin)
    # Everyone else who reaches these (a nurse, a former admin): refused and written down; from an
    # admin, data no button of ours carries.
    for factory in (BcAudienceCb, BcComposeCb, BcControlCb, BcListCb):
        button(on_forbidden, pressed(factory), ~admin)
    button(on_unknown_audience_button, pressed(BcAudienceCb))
    button(refusing("broadcast_compose_unknown"), pressed(BcComposeCb))
    button(refusing("broadcast_control"), pressed(BcControlCb))
    button(refusing("broadcast_list_unknown"), pressed(BcListCb))
    router.message.register(on_forbidden, Command("broadcast", "broadcasts"), IsStaff())
    return router

"""/start, choosing the language, consent, and starting over."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.commands import set_chat_commands
from bot.config import SUPPORTED_LANGUAGES
from bot.content import polyclinic as find_polyclinic
from bot.context import AppContext
from bot.domain.flow import Draft, Mode, Step
from bot.keyboards.registration import (
    ConsentCb,
    LanguageCb,
    RestartCb,
    language_keyboard,
    restart_keyboard,
)
from bot.logging_setup import log_event
from bot.services import families as family_service
from bot.services import staff as staff_service
from bot.services.staff import POLYCLINIC_PREFIX
from bot.views.profile import LANGUAGE_NAMES
from bot.views.registration import language_prompt
from db.records import StaffRecord, UserRecord
from handlers.replies import mark_answered
from handlers.staff import show_menu
from handlers.steps import advance, reask, state_for, step_of, update_draft


async def begin_registration(
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, *, polyclinic: str | None = None
) -> None:
    """A new registration; from a polyclinic's link (`/start pc_<code>`) with her polyclinic filled in."""
    await state.set_state(None)
    data: Draft = {"mode": Mode.REGISTER.value}
    clinic = find_polyclinic(polyclinic) if polyclinic else None
    if clinic is not None:
        data.update({"region": clinic.region, "polyclinic": clinic.code})
    await state.set_data(data)
    log_event("registration_started", user_id=chat_id, via_polyclinic_link=clinic is not None)
    await advance(bot, chat_id, state, app)


def _polyclinic_from(command: CommandObject | None) -> str | None:
    args = command.args if command is not None else None
    return args.removeprefix(POLYCLINIC_PREFIX) if args and args.startswith(POLYCLINIC_PREFIX) else None


async def on_start(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord | None, command: CommandObject | None = None
) -> None:
    chat_id = message.chat.id
    if user is not None:
        await state.clear()  # an unfinished profile edit is dropped; nothing saved is lost
        if user.paused:
            await family_service.set_paused(app, user.id, False)
            await message.answer(
                _("Welcome back, {name}! Your messages are on again.").format(name=_name(user))
            )
        else:
            await message.answer(
                _("Hello again, {name}! See your details with /profile, or everything I can do with /help.").format(
                    name=_name(user)
                )
            )
        return
    data = await state.get_data()
    if data.get("mode") == Mode.REGISTER and step_of(await state.get_state()) is not None:
        await message.answer(
            _("You are in the middle of registration. Let's continue where you stopped."),
            reply_markup=restart_keyboard(),
        )
        await reask(bot, chat_id, state, app)
        return
    await begin_registration(bot, chat_id, state, app, polyclinic=_polyclinic_from(command))


async def on_restart(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord | None) -> None:
    if user is not None:
        await bot.send_message(callback.from_user.id, _("You are already registered. See your details with /profile."))
        return
    await begin_registration(bot, callback.from_user.id, state, app)


async def on_language_command(message: Message, app: AppContext) -> None:
    await message.answer(language_prompt(app.i18n), reply_markup=language_keyboard())


async def on_language(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    bot: Bot,
    state: FSMContext,
    app: AppContext,
    user: UserRecord | None,
    staff_member: StaffRecord | None,
) -> None:
    code = callback_data.code
    chat_id = callback.from_user.id
    with app.i18n.use_locale(code):
        if user is not None:
            await family_service.set_language(app, user.id, code)
        if staff_member is not None:
            await staff_service.set_language(app, staff_member.id, code)
        if user is not None or staff_member is not None:
            # Staff keep their own menu (in the new language), whether or not they are also a mother.
            await set_chat_commands(bot, chat_id, code, app, role=staff_member.role if staff_member else None)
            await bot.send_message(chat_id, _("Language: {language}.").format(language=LANGUAGE_NAMES[code]))
            if staff_member is not None and await state.get_state() is None:
                await show_menu(bot, chat_id, replace(staff_member, language=code))  # her menu, in it
                return
        else:
            await update_draft(state, lang=code)
        if await state.get_state() == state_for(Step.LANGUAGE).state:
            await advance(bot, chat_id, state, app)
        else:
            await reask(bot, chat_id, state, app)


async def on_consent(
    callback: CallbackQuery, callback_data: ConsentCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await mark_answered(callback)
    if callback_data.agree:
        await update_draft(state, consent=True)
        await advance(bot, callback.from_user.id, state, app)
        return
    await state.clear()
    log_event("consent_declined", user_id=callback.from_user.id)
    await bot.send_message(
        callback.from_user.id,
        _("I understand. I have not kept anything about you. If you change your mind, just send /start."),
    )


def _name(user: UserRecord) -> str:
    return html.quote(user.name)


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="start")
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_restart, RestartCb.filter())
    router.message.register(on_language_command, Command("language"))
    router.callback_query.register(on_language, LanguageCb.filter(F.code.in_(SUPPORTED_LANGUAGES)))
    router.callback_query.register(on_consent, StateFilter(state_for(Step.CONSENT)), ConsentCb.filter())
    return router

"""Joining as staff from an invitation link, and the nurse's and admin's menus (/start, /help).

Every button of the menus is routed here, to the handler of its feature (the same one its command
has): one router for one CallbackData, whose last handlers refuse whatever the others did not take.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.commands import set_chat_commands
from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.domain.names import clean_person_name
from bot.domain.phone import format_phone
from bot.filters import IsStaff, any_staff, pressed
from bot.i18n import pick_language
from bot.keyboards.registration import phone_keyboard
from bot.keyboards.staff import (
    ADMIN_MENU,
    JoinAction,
    JoinCb,
    StaffMenuAction,
    StaffMenuCb,
    admin_menu,
    head_menu,
    keep_name_keyboard,
    nurse_menu,
)
from bot.logging_setup import log_event
from bot.services import staff as staff_service
from bot.services.staff import INVITE_PREFIX, InvitationProblem
from bot.views.staff import menu_text, problem_text, role_text, staff_help_text
from db.records import StaffRecord
from handlers import admin, broadcast, console, families, questions, stats
from handlers.replies import (
    ANSWER_FIRST,
    mark_answered,
    on_forbidden,
    phone_from,
    refusing,
    stale,
)


class Join(StatesGroup):
    name = State()
    phone = State()


# --- joining -----------------------------------------------------------------------------------

async def on_invitation(message: Message, command: CommandObject, state: FSMContext, app: AppContext) -> None:
    assert message.from_user is not None
    code = (command.args or "").removeprefix(INVITE_PREFIX)
    offer = await staff_service.check_invitation(app, message.from_user.id, code)
    if isinstance(offer, InvitationProblem):
        log_event("invitation_refused", user_id=message.from_user.id, reason=offer.value)
        await message.answer(problem_text(offer))
        return
    lang = pick_language(message.from_user.language_code, app.settings.default_language)
    await state.set_state(Join.name)
    await state.set_data({"code": code, "lang": lang})
    telegram_name = clean_person_name(message.from_user.full_name)
    await message.answer(
        _(
            "Welcome to AnaBala! You are invited as {role}.\n\n"
            "Please type your name as families will see it (for example: Aigerim Bekova)."
        ).format(role=role_text(offer, lang)),
        reply_markup=keep_name_keyboard(telegram_name) if telegram_name else None,
    )
    if telegram_name:
        await state.update_data(telegram_name=telegram_name)


async def _ask_phone(bot: Bot, chat_id: int, state: FSMContext, name: str) -> None:
    await state.update_data(name=name)
    await state.set_state(Join.phone)
    await bot.send_message(
        chat_id,
        _("Thank you, {name}. Now your work phone number, so that families and colleagues can reach you:").format(
            name=html.quote(name)
        ),
        reply_markup=phone_keyboard(),
    )


async def on_join_name(message: Message, bot: Bot, state: FSMContext) -> None:
    name = clean_person_name(message.text or "")
    if name is None:
        await message.answer(_("I could not read this as a name. Please type your name in letters, for example: Aigerim Bekova."))
        return
    await _ask_phone(bot, message.chat.id, state, name)


async def on_join_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await mark_answered(callback)
    await state.clear()
    await bot.send_message(callback.from_user.id, _("Cancelled. The invitation link still works until it expires."))


async def on_keep_name(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    """"✅ <her Telegram name>": the name she is known by in Telegram."""
    await mark_answered(callback)
    name = (await state.get_data()).get("telegram_name")
    if not name:
        await bot.send_message(callback.from_user.id, _("Please type your name."))
        return
    await _ask_phone(bot, callback.from_user.id, state, str(name))


async def _finish_join(message: Message, bot: Bot, state: FSMContext, app: AppContext, phone: str) -> None:
    assert message.from_user is not None
    data = await state.get_data()
    result = await staff_service.join(app, message.from_user.id, str(data["code"]), str(data["name"]), phone, str(data["lang"]))
    await state.clear()
    if isinstance(result, InvitationProblem):
        await message.answer(problem_text(result), reply_markup=ReplyKeyboardRemove())
        return
    with app.i18n.use_locale(result.language):
        await message.answer(
            _("Done: you are now in AnaBala as {role}. Your number: {phone}").format(
                role=role_text(result, result.language), phone=format_phone(phone)
            ),
            reply_markup=ReplyKeyboardRemove(),
        )
        await set_chat_commands(bot, message.chat.id, result.language, app, role=result.role)
        await show_menu(bot, message.chat.id, result)


async def on_join_phone(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    """A shared contact or a typed number."""
    phone = await phone_from(message)
    if phone is not None:
        await _finish_join(message, bot, state, app, phone)


async def on_join_other(message: Message) -> None:
    await message.answer(_("Please answer the question above: your name, then your phone number. /start cancels."))


# --- the menus ---------------------------------------------------------------------------------

async def show_menu(bot: Bot, chat_id: int, member: StaffRecord) -> None:
    menus = {StaffRole.ADMIN: admin_menu, StaffRole.HEAD: head_menu}
    await bot.send_message(chat_id, menu_text(member), reply_markup=menus.get(StaffRole(member.role), nurse_menu)())


async def on_staff_start(message: Message, bot: Bot, state: FSMContext, app: AppContext, staff_member: StaffRecord) -> None:
    await state.clear()  # /start always brings staff back to their menu
    staff_member = await staff_service.first_contact(
        app, staff_member, message.from_user.language_code if message.from_user else None)
    # Her own menu of commands. National admins (ADMIN_IDS) get theirs here, on their first /start:
    # Telegram knows no chat with the bot before that.
    await set_chat_commands(bot, message.chat.id, staff_member.language, app, role=staff_member.role)
    await show_menu(bot, message.chat.id, staff_member)


async def on_staff_help(message: Message, staff: Actor) -> None:
    await message.answer(staff_help_text(staff))


async def on_stale_join_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)


def build_router() -> Router:
    router = Router(name="staff")
    is_staff, is_admin, anyone_on_staff = IsStaff(), IsStaff(StaffRole.ADMIN), any_staff()
    router.message.register(on_invitation, CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)))
    router.message.register(on_staff_start, CommandStart(), anyone_on_staff)
    router.message.register(on_staff_help, Command("help"), anyone_on_staff)
    router.message.register(on_join_name, StateFilter(Join.name), F.text, ~F.text.startswith("/"))
    button = router.callback_query.register
    button(on_join_cancel, StateFilter(Join.name), JoinCb.filter(F.action == JoinAction.CANCEL))
    button(on_keep_name, StateFilter(Join.name), JoinCb.filter(F.action == JoinAction.NAME))
    button(on_stale_join_button, pressed(JoinCb))
    # The menus: each button to the handler its command has too.
    button(families.on_families, StaffMenuCb.filter(F.action == StaffMenuAction.FAMILIES), is_staff)
    button(questions.on_questions, StaffMenuCb.filter(F.action == StaffMenuAction.QUESTIONS), is_staff)
    button(console.on_console, StaffMenuCb.filter(F.action == StaffMenuAction.CONSOLE), anyone_on_staff)
    button(console.on_today, StaffMenuCb.filter(F.action == StaffMenuAction.TODAY), IsStaff(StaffRole.NURSE))
    button(admin.on_unassigned, StaffMenuCb.filter(F.action == StaffMenuAction.UNASSIGNED), is_admin)
    button(admin.on_invite, StaffMenuCb.filter(F.action == StaffMenuAction.INVITE), is_admin)
    button(admin.on_staff_list, StaffMenuCb.filter(F.action == StaffMenuAction.STAFF), is_admin)
    button(broadcast.on_broadcast, StaffMenuCb.filter(F.action == StaffMenuAction.BROADCAST), is_admin)
    button(broadcast.on_history, StaffMenuCb.filter(F.action == StaffMenuAction.BROADCASTS), is_admin)
    # Counting takes a moment with many families: that press is answered at once, before it.
    button(stats.on_stats, StaffMenuCb.filter(F.action == StaffMenuAction.STATS), is_admin, flags=ANSWER_FIRST)
    # Anyone else who reaches these: refused and written down.
    button(admin.on_forbidden, StaffMenuCb.filter(F.action.in_(ADMIN_MENU)))
    button(on_forbidden, pressed(StaffMenuCb), ~anyone_on_staff)
    button(refusing("menu_unknown"), pressed(StaffMenuCb))
    router.message.register(on_join_phone, StateFilter(Join.phone), F.contact)
    router.message.register(on_join_phone, StateFilter(Join.phone), F.text, ~F.text.startswith("/"))
    router.message.register(on_join_other, StateFilter(Join.name, Join.phone), ~F.text.startswith("/"))
    return router

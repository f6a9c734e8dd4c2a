"""/help, /privacy, /stop and /delete_me."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.chat_member_updated import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.keyboards.profile import EraseCb, erase_keyboard
from bot.logging_setup import log_event
from bot.services import families as family_service
from bot.services import staff as staff_service
from bot.views.account import help_text, privacy_text
from db.records import StaffRecord, UserRecord
from handlers.replies import set_buttons
from handlers.steps import reask


async def on_help(message: Message, bot: Bot, state: FSMContext, app: AppContext, raw_state: str | None) -> None:
    await message.answer(help_text())
    await reask(bot, message.chat.id, state, app, raw_state)


async def on_privacy(message: Message, bot: Bot, state: FSMContext, app: AppContext, raw_state: str | None) -> None:
    await message.answer(privacy_text())
    await reask(bot, message.chat.id, state, app, raw_state)


async def on_stop(message: Message, app: AppContext, user: UserRecord | None) -> None:
    if user is None:
        await message.answer(
            _(
                "You are not registered, so I am not sending you anything. "
                "To continue registration send /start; to erase what you have told me send /delete_me."
            )
        )
        return
    await family_service.set_paused(app, user.id, True)
    await message.answer(
        _(
            "I have paused my messages. Only urgent safety messages can still reach you. "
            "Send /start whenever you want them again."
        )
    )


async def on_delete_me(message: Message) -> None:
    await message.answer(
        _(
            "This will permanently erase your profile, your pregnancy and children's details, "
            "and everything you have told me. It cannot be undone.\n\nErase everything?"
        ),
        reply_markup=erase_keyboard(),
    )


async def on_erase(
    callback: CallbackQuery, callback_data: EraseCb, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord | None,
    staff_member: StaffRecord | None = None,
) -> None:
    chat_id = callback.from_user.id
    await set_buttons(callback, None)
    if not callback_data.confirm:
        await bot.send_message(chat_id, _("Good, I have kept everything as it was."))
        return
    await state.clear()
    if user is not None:
        erased = await family_service.erase_user(app, user.id)
        await _delete_staff_copies(bot, erased.staff_messages)
    else:
        log_event("draft_erased", user_id=chat_id)
    if staff_member is not None:  # what is true: her staff account is not her data as a mother
        await bot.send_message(chat_id, _(
            "Done. I have erased all your data as a mother. Your staff account stays as it is; "
            "to end it, ask your programme coordinator."))
        return
    await bot.send_message(
        chat_id, _("Done. I have erased all your data. If you ever want to come back, send /start.")
    )


async def _delete_staff_copies(bot: Bot, messages: tuple[tuple[int, int], ...]) -> None:
    """Her name in staff chats: the bot's own recent messages about her (alerts, questions, notices)."""
    for chat_id, message_id in messages:
        try:
            await bot.delete_message(chat_id, message_id)
        except TelegramAPIError as error:  # too old, already deleted, or the chat blocked the bot
            log_event("erased_copy_kept", chat_id=chat_id, error=type(error).__name__)


async def on_blocked(event: ChatMemberUpdated, app: AppContext, user: UserRecord | None,
                     staff_member: StaffRecord | None = None) -> None:
    """She blocked the bot: nothing can reach her now; staff will see it (Step 3). A member of staff who
    blocks it is passed over by alerts and questions until she unblocks it."""
    if staff_member is not None:
        await staff_service.set_reachable(app, staff_member.user_id, False)
    if user is not None:
        await family_service.set_reachable(app, user.id, False)


async def on_unblocked(event: ChatMemberUpdated, app: AppContext, user: UserRecord | None,
                       staff_member: StaffRecord | None = None) -> None:
    if staff_member is not None:
        await staff_service.set_reachable(app, staff_member.user_id, True)
    if user is not None:
        await family_service.set_reachable(app, user.id, True)


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="account")
    router.message.register(on_help, Command("help"))
    router.message.register(on_privacy, Command("privacy"))
    router.message.register(on_stop, Command("stop"))
    router.message.register(on_delete_me, Command("delete_me"))
    router.callback_query.register(on_erase, EraseCb.filter())
    # Her own private chat only (the gate in bot/middlewares/private_chats.py already stops groups).
    router.my_chat_member.filter(F.chat.type == ChatType.PRIVATE)
    router.my_chat_member.register(on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(on_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router

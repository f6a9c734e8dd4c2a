"""Whatever no other handler took: every message gets a kind answer, nothing is lost."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.keyboards.questions import send_kept_keyboard
from bot.logging_setup import log_event, logger
from bot.views.account import free_message_reply
from db.records import UserRecord
from handlers.questions import keep_free_message
from handlers.start import begin_registration
from handlers.steps import reask, step_of


async def on_stale_button(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, callback_answer: CallbackAnswer
) -> None:
    """A button no handler took (an older question's, say): said in passing, and her question asked again."""
    callback_answer.text = _("This button is no longer active.")
    log_event("stale_button", user_id=callback.from_user.id)
    await reask(bot, callback.from_user.id, state, app)


async def on_anything_else(
    message: Message,
    bot: Bot,
    state: FSMContext,
    app: AppContext,
    user: UserRecord | None,
    raw_state: str | None,
    staff: Actor | None = None,
) -> None:
    chat_id = message.chat.id
    step = step_of(raw_state)
    if step is not None:
        if message.text and message.text.startswith("/"):
            await message.answer(_("I don't know this command. Let's continue:"))
        else:
            await message.answer(_("Please answer the question below, or use its buttons."))
        await reask(bot, chat_id, state, app, raw_state)
        return
    if staff is not None and user is None:
        await message.answer(_("Please use the menu: /start (or /help)."))
        return
    if user is None:
        await begin_registration(bot, chat_id, state, app)
        return
    kept = await keep_free_message(message, state)
    await message.answer(free_message_reply(kept), reply_markup=send_kept_keyboard(message.message_id) if kept else None)


async def on_error(event: ErrorEvent, bot: Bot, app: AppContext) -> bool:
    update = event.update
    user = None
    if update.message and update.message.from_user:
        user = update.message.from_user.id
    elif update.callback_query:
        user = update.callback_query.from_user.id
    app.errors += 1
    app.metrics.handler_errors.inc()
    # The exception type and update id only: the traceback could contain what she typed.
    logger.error("event=handler_error update_id=%s user_id=%s error=%s", update.update_id, user, type(event.exception).__name__)
    if user is not None:
        try:
            await bot.send_message(user, _("Sorry, something went wrong on my side. Please try again in a moment."))
        except Exception:  # noqa: BLE001 - the apology itself failing must not raise again
            log_event("apology_failed", user_id=user)
    return True


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="fallback")
    router.callback_query.register(on_stale_button)
    router.message.register(on_anything_else)
    router.errors.register(on_error)
    return router

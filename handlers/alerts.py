"""Alerts for staff: "I'm on it", what came of it (called, visit planned, could not reach), and
/alerts, the open ones within her scope, oldest first. Every press is checked again by the service
(bot/services/alerts.py) against who she is now."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.filters import IsStaff, pressed
from bot.keyboards.alerts import (
    OUTCOMES,
    AlertAction,
    AlertCb,
    alert_keyboard,
    alerts_page_keyboard,
)
from bot.logging_setup import log_event
from bot.services import alerts as alert_service
from bot.services.alerts import AlertView, Copy
from bot.views.alerts import alert_button_label, alert_text, open_alerts_text
from db.records import StaffRecord
from handlers.replies import alert, on_forbidden, refusing, say_refused, show_in_place

PAGE = 5


async def on_alert_button(
    callback: CallbackQuery, callback_data: AlertCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    """"I'm on it", and each outcome (which takes it too)."""
    outcome = None if callback_data.action is AlertAction.TAKE else callback_data.action
    taken = await alert_service.acknowledge(app, staff, callback_data.id, outcome)
    if taken is None:
        await say_refused(callback, callback_answer)
        return
    view = taken.view
    if not taken.by_me and view.taken_by is not None and view.taken_by.id != staff.staff_id:
        alert(callback_answer, _("{name} has already taken this alert.").format(name=view.taken_by.name))
    else:
        callback_answer.text = _("Saved.")
    mine = view.alert.acknowledged_by == staff.staff_id
    still_open = view.alert.acknowledged_at is None  # "could not reach" leaves it open: the buttons stay
    markup = alert_keyboard(view.alert.id, taken=mine) if mine or still_open else None
    await show_in_place(callback, alert_text(view, staff_member.language, app.today(), app.settings.tz), markup)
    if taken.copies:
        pressed_copy = (callback.message.chat.id, callback.message.message_id) if callback.message else None
        await _mark_copies_taken(app, bot, view, taken.copies, pressed_copy)


async def _mark_copies_taken(app: AppContext, bot: Bot, view: AlertView, copies: tuple[Copy, ...],
                             pressed_copy: tuple[int, int] | None) -> None:
    """Every other copy of the alert keeps what it said and now says who took it, without its buttons, in
    its reader's language: nobody is left pressing "I'm on it" under "Nobody has taken it yet"."""
    for copy in copies:
        if (copy.chat_id, copy.message_id) == pressed_copy:
            continue
        with app.i18n.use_locale(copy.language):
            text = alert_text(view, copy.language, app.today(), app.settings.tz)
        try:
            await bot.edit_message_text(text=text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=None)
        except TelegramAPIError as error:  # she deleted it or blocked the bot: her notice still goes by the outbox
            log_event("alert_copy_not_edited", chat_id=copy.chat_id, error=type(error).__name__)


async def on_open_alert(
    callback: CallbackQuery, callback_data: AlertCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    view = await alert_service.view(app, staff, callback_data.id)
    if view is None:
        await say_refused(callback, callback_answer)
        return
    taken = view.alert.acknowledged_at is not None
    mine = view.alert.acknowledged_by == staff.staff_id
    await bot.send_message(
        staff.user_id,
        alert_text(view, staff_member.language, app.today(), app.settings.tz),
        reply_markup=alert_keyboard(view.alert.id, taken=taken) if (mine or not taken) else None,
    )


async def _list(app: AppContext, staff: Actor, lang: str, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    total, views = await alert_service.open_alerts(app, staff, limit=PAGE, offset=page * PAGE)
    text = open_alerts_text(total, views, lang, app.today(), app.settings.tz)
    if total == 0:
        return text, None
    pages = (total + PAGE - 1) // PAGE
    return text, alerts_page_keyboard([(view.alert.id, alert_button_label(view, lang)) for view in views], page, pages)


async def on_alerts(message: Message, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    text, markup = await _list(app, staff, staff_member.language, 0)
    await message.answer(text, reply_markup=markup)


async def on_alerts_page(callback: CallbackQuery, callback_data: AlertCb, app: AppContext, staff: Actor,
                         staff_member: StaffRecord) -> None:
    await show_in_place(callback, *await _list(app, staff, staff_member.language, max(0, callback_data.page)))


def build_router() -> Router:
    router = Router(name="alerts")
    staff = IsStaff()
    button = router.callback_query.register
    router.message.register(on_alerts, Command("alerts"), staff)
    button(on_alerts_page, AlertCb.filter(F.action == AlertAction.PAGE), staff)
    button(on_open_alert, AlertCb.filter(F.action == AlertAction.OPEN), staff)
    button(on_alert_button, AlertCb.filter(F.action.in_({AlertAction.TAKE, *OUTCOMES})), staff)
    button(on_forbidden, pressed(AlertCb), ~staff)
    button(refusing("alert_unknown"), pressed(AlertCb))
    router.message.register(on_forbidden, Command("alerts"))
    return router

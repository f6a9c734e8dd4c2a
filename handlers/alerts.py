"""Alerts for staff: "I'm on it", what came of it (called, visit planned, could not reach), and
/alerts, the open ones within her scope, oldest first. Every press is checked again by the service
(bot/services/alerts.py) against who she is now."""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import questionnaire
from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.phone import format_phone
from bot.filters import IsStaff
from bot.keyboards.alerts import AlertCb, alert_keyboard, alerts_page_keyboard
from bot.logging_setup import log_event
from bot.services import alerts as alert_service
from bot.services.alerts import AlertView, Copy
from bot.services.questions import when
from bot.views.questions import who
from bot.views.screening import BAND_MARK, full_answers_text
from db.records import StaffRecord
from handlers.replies import on_forbidden, say_refused, show_in_place

PAGE = 5
OUTCOME_TEXT = {
    "called": lambda: _("📞 Called"),
    "visit": lambda: _("🏠 Visit planned"),
    "referred": lambda: _("🏥 Referred to hospital"),
    "unreached": lambda: _("📵 Could not reach"),
    "resolved": lambda: _("✔️ Resolved"),
}


def _alert_text(app: AppContext, view: AlertView, lang: str) -> str:
    alert = view.alert
    lines = [
        f"{BAND_MARK.get(alert.band, '•')} " + who(view.family, app.today()),
        f"📞 {html.quote(format_phone(view.family.user.phone))}",
        "",
        full_answers_text(view.screening, lang, app.settings.tz, view.family.user.language),
        "",
        _("🕒 Answered {at}").format(at=when(app, alert.created_at)),
    ]
    if view.taken_by is not None and alert.acknowledged_at is not None:
        lines.append(
            _("✅ Taken by {name} ({at})").format(name=html.quote(view.taken_by.name), at=when(app, alert.acknowledged_at))
        )
    if alert.outcome is not None:
        lines.append(OUTCOME_TEXT.get(alert.outcome, lambda: alert.outcome or "")())
    return "\n".join(lines)


async def on_alert_button(
    callback: CallbackQuery, callback_data: AlertCb, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    outcome = None if callback_data.action == "take" else callback_data.action
    taken = await alert_service.acknowledge(app, staff, callback_data.id, outcome)
    if taken is None:
        await say_refused(callback)
        return
    view = taken.view
    if not taken.by_me and view.taken_by is not None and view.taken_by.id != staff.staff_id:
        await callback.answer(
            _("{name} has already taken this alert.").format(name=view.taken_by.name), show_alert=True
        )
    else:
        await callback.answer(_("Saved."))
    mine = view.alert.acknowledged_by == staff.staff_id
    still_open = view.alert.acknowledged_at is None  # "could not reach" leaves it open: the buttons stay
    markup = alert_keyboard(view.alert.id, taken=mine) if mine or still_open else None
    await show_in_place(callback, _alert_text(app, view, staff_member.language), markup)
    if taken.copies:
        pressed = (callback.message.chat.id, callback.message.message_id) if callback.message else None
        await _mark_copies_taken(app, callback.bot, view, taken.copies, pressed)


async def _mark_copies_taken(app: AppContext, bot: Bot | None, view: AlertView, copies: tuple[Copy, ...],
                             pressed: tuple[int, int] | None) -> None:
    """Every other copy of the alert keeps what it said and now says who took it, without its buttons, in
    its reader's language: nobody is left pressing "I'm on it" under "Nobody has taken it yet"."""
    if bot is None:
        return
    for copy in copies:
        if (copy.chat_id, copy.message_id) == pressed:
            continue
        with app.i18n.use_locale(copy.language):
            text = _alert_text(app, view, copy.language)
        try:
            await bot.edit_message_text(text=text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=None)
        except TelegramAPIError as error:  # she deleted it or blocked the bot: her notice still goes by the outbox
            log_event("alert_copy_not_edited", chat_id=copy.chat_id, error=type(error).__name__)


async def on_open_alert(
    callback: CallbackQuery, callback_data: AlertCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    view = await alert_service.view(app, staff, callback_data.id)
    if view is None:
        await say_refused(callback)
        return
    await callback.answer()
    taken = view.alert.acknowledged_at is not None
    mine = view.alert.acknowledged_by == staff.staff_id
    await bot.send_message(
        staff.user_id,
        _alert_text(app, view, staff_member.language),
        reply_markup=alert_keyboard(view.alert.id, taken=taken) if (mine or not taken) else None,
    )


async def _list(app: AppContext, staff: Actor, lang: str, page: int) -> tuple[str, object]:
    total, views = await alert_service.open_alerts(app, staff, limit=PAGE, offset=page * PAGE)
    if total == 0:
        return _("✅ No open alerts: every alert has someone on it."), None
    pages = (total + PAGE - 1) // PAGE
    lines = [_("🚨 <b>Open alerts</b> (nobody has taken them yet), oldest first: {count}").format(count=total), ""]
    buttons = []
    for view in views:
        q = questionnaire(view.screening.questionnaire)
        title = q.title(lang) if q is not None else view.screening.questionnaire
        mark = BAND_MARK.get(view.alert.band, "•")
        lines.append(f"{mark} {when(app, view.alert.created_at)} · {who(view.family, app.today())} · {html.quote(title)}")
        buttons.append((view.alert.id, f"{mark} {view.family.user.name[:30]} · {title[:25]}"))
    return "\n".join(lines), alerts_page_keyboard(buttons, page, pages)


async def on_alerts(message: Message, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    text, markup = await _list(app, staff, staff_member.language, 0)
    await message.answer(text, reply_markup=markup)  # type: ignore[arg-type]


async def on_alerts_page(callback: CallbackQuery, callback_data: AlertCb, app: AppContext, staff: Actor,
                         staff_member: StaffRecord) -> None:
    text, markup = await _list(app, staff, staff_member.language, max(0, callback_data.page))
    await callback.answer()
    await show_in_place(callback, text, markup)  # type: ignore[arg-type]


def build_router() -> Router:
    router = Router(name="alerts")
    staff = IsStaff()
    router.message.register(on_alerts, Command("alerts"), staff)
    router.callback_query.register(on_alerts_page, AlertCb.filter(F.action == "page"), staff)
    router.callback_query.register(on_open_alert, AlertCb.filter(F.action == "open"), staff)
    router.callback_query.register(
        on_alert_button, AlertCb.filter(F.action.in_({"take", *alert_service.OUTCOMES})), staff
    )
    router.callback_query.register(on_forbidden, AlertCb.filter())
    router.message.register(on_forbidden, Command("alerts"))
    return router

"""/console: a one-time link to the web console, for every member of staff; /today: a nurse's day
at a glance in Telegram (the same figures as the console's "My day")."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, LinkPreviewOptions, Message, User
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.filters import IsStaff, any_staff
from bot.services import console as console_service
from bot.services import today as today_service
from bot.views.console import console_link_text
from bot.views.today import today_keyboard, today_text
from db.records import StaffRecord
from handlers.replies import mark_answered

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def on_console(event: Message | CallbackQuery, event_from_user: User, bot: Bot, app: AppContext, staff: Actor) -> None:
    """/console and the menu's "🖥 Console"."""
    if isinstance(event, CallbackQuery):
        await mark_answered(event)
    if not app.console_url:
        await bot.send_message(event_from_user.id, _("The console is not set up on this server yet. Please tell your administrator."))
        return
    link = await console_service.issue_link(app, staff, app.console_url)
    if link is None:
        await bot.send_message(
            event_from_user.id, _("You asked for several links in the last minutes. Please use the latest one, or wait 10 minutes.")
        )
        return
    await bot.send_message(event_from_user.id, console_link_text(link), link_preview_options=NO_PREVIEW)


async def on_today(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """/today and the nurse menu's "📋 My day": her day in one message, a button to each family named."""
    if isinstance(event, CallbackQuery):
        await mark_answered(event)
    day = await today_service.nurse_day(app, staff)
    await bot.send_message(
        event_from_user.id, today_text(day, app.settings.tz, staff_member.language), reply_markup=today_keyboard(day)
    )


async def on_head_elsewhere(message: Message) -> None:
    """A polyclinic head's other commands: her work is in the console."""
    await message.answer(_("Your work in AnaBala is in the console: send /console for a sign-in link."))


def build_router() -> Router:
    router = Router(name="console")
    router.message.register(on_console, Command("console"), any_staff())
    router.message.register(on_today, Command("today"), IsStaff(StaffRole.NURSE))
    router.message.register(on_head_elsewhere, IsStaff(StaffRole.HEAD), Command(
        "families", "alerts", "questions", "invite", "staff", "unassigned", "broadcast", "broadcasts", "stats", "today"))
    return router

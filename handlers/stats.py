"""/stats for admins (and the menu's "📊 Statistics", routed in handlers/staff.py): the figures of her
scope in one message, with a CSV export and a chart. Nurses and mothers are refused; the service
checks again."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message, User
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.filters import IsStaff, pressed
from bot.keyboards.stats import StatsAction, StatsCb, stats_keyboard
from bot.services import stats as stats_service
from bot.views import reports
from bot.views.charts import daily_chart
from db.records import StaffRecord
from handlers.replies import ANSWER_FIRST, refuse, refusing


async def on_stats(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """The counts of her scope in one message, with the CSV and chart buttons."""
    chat_id = event_from_user.id
    report = await stats_service.overview(app, staff)
    if report is None:
        await bot.send_message(chat_id, _("This is not available to you."))
        return
    text = reports.overview_text(report, staff_member.language, app.settings.tz)
    await bot.send_message(chat_id, text, reply_markup=stats_keyboard())


async def on_csv(callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    """📄 CSV, a document of her own scope whatever the button says."""
    chat_id = callback.from_user.id
    await bot.send_chat_action(chat_id, "upload_document")
    report = await stats_service.export(app, staff)
    if report is None:
        await bot.send_message(chat_id, _("This is not available to you."))
        return
    lang = staff_member.language
    name = reports.file_name(staff.region, report.as_of, app.settings.tz, "csv")
    caption = _("Statistics: {scope}. One row per region and polyclinic, then the last 30 days day by day.").format(
        scope=html.quote(reports.scope_name(staff.region, lang))
    )
    await bot.send_document(chat_id, BufferedInputFile(reports.csv_bytes(report, lang), filename=name), caption=caption)


async def on_chart(callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    """📈 Chart, a photo of her own scope whatever the button says."""
    chat_id = callback.from_user.id
    await bot.send_chat_action(chat_id, "upload_photo")
    days = await stats_service.daily(app, staff)
    if days is None:
        await bot.send_message(chat_id, _("This is not available to you."))
        return
    labels = reports.chart_labels(staff.region, staff_member.language)
    # Drawn in a worker thread: the bot goes on answering meanwhile.
    picture = await asyncio.to_thread(
        daily_chart, [d.day for d in days], [d.registrations for d in days], [d.delivered for d in days], labels
    )
    name = reports.file_name(staff.region, app.clock.now(), app.settings.tz, "png")
    await bot.send_photo(chat_id, BufferedInputFile(picture, filename=name), caption=html.quote(labels.title))


async def on_forbidden(event: Message | CallbackQuery, app: AppContext, callback_answer: CallbackAnswer | None = None) -> None:
    """/stats or its buttons from a nurse, a mother or a former admin: a polite no, written down."""
    await refuse(event, app, "stats", callback_answer)


def build_router() -> Router:
    router = Router(name="stats")
    admin = IsStaff(StaffRole.ADMIN)
    router.message.register(on_stats, Command("stats"), admin)  # the menu's button: handlers/staff.py
    # Counting and drawing take a moment: these presses are answered at once.
    router.callback_query.register(on_csv, StatsCb.filter(F.action == StatsAction.CSV), admin, flags=ANSWER_FIRST)
    router.callback_query.register(on_chart, StatsCb.filter(F.action == StatsAction.CHART), admin, flags=ANSWER_FIRST)
    router.message.register(on_forbidden, Command("stats"))
    router.callback_query.register(on_forbidden, pressed(StatsCb), ~admin)
    router.callback_query.register(refusing("stats_unknown"), pressed(StatsCb))
    return router

"""/stats for admins (and the menu's "📊 Statistics"): the figures of her scope in one message,
with a CSV export and a chart. Nurses and mothers are refused; the service checks again."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.filters import IsStaff
from bot.keyboards.staff import StaffMenuCb
from bot.keyboards.stats import StatsCb, stats_keyboard
from bot.services import staff as staff_service
from bot.services import stats as stats_service
from bot.views import reports
from bot.views.charts import daily_chart
from db.records import StaffRecord
from handlers.replies import refuse


async def on_stats(event: Message | CallbackQuery, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    """The counts of her scope in one message, with the CSV and chart buttons."""
    if isinstance(event, CallbackQuery):
        await event.answer()  # at once: with many families the counting takes a moment
    chat_id = event.from_user.id  # type: ignore[union-attr]
    report = await stats_service.overview(app, staff)
    if report is None:
        await bot.send_message(chat_id, _("This is not available to you."))
        return
    text = reports.overview_text(report, staff_member.language, app.settings.tz)
    await bot.send_message(chat_id, text, reply_markup=stats_keyboard())


async def _csv(app: AppContext, staff: Actor, lang: str) -> tuple[BufferedInputFile, str] | None:
    report = await stats_service.export(app, staff)
    if report is None:
        return None
    name = reports.file_name(staff.region, report.as_of, app.settings.tz, "csv")
    caption = _("Statistics: {scope}. One row per region and polyclinic, then the last 30 days day by day.")
    return BufferedInputFile(reports.csv_bytes(report, lang), filename=name), caption.format(scope=html.quote(reports.scope_name(staff.region, lang)))


async def _chart(app: AppContext, staff: Actor, lang: str) -> tuple[BufferedInputFile, str] | None:
    days = await stats_service.daily(app, staff)
    if days is None:
        return None
    labels = reports.chart_labels(staff.region, lang)
    # Drawn in a worker thread: the bot goes on answering meanwhile.
    picture = await asyncio.to_thread(
        daily_chart, [d.day for d in days], [d.registrations for d in days], [d.delivered for d in days], labels
    )
    name = reports.file_name(staff.region, app.clock.now(), app.settings.tz, "png")
    return BufferedInputFile(picture, filename=name), html.quote(labels.title)


async def on_export(
    callback: CallbackQuery, callback_data: StatsCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """📄 CSV (a document) or 📈 Chart (a photo), of her own scope whatever the button says."""
    build = {"csv": _csv, "chart": _chart}.get(callback_data.action)
    if build is None:
        await staff_service.refuse(app, staff.user_id, "stats_unknown")  # never what the forged button said
        await callback.answer(_("This is not available to you."), show_alert=True)
        return
    await callback.answer()  # at once: counting and drawing take a moment
    chat_id = callback.from_user.id
    await bot.send_chat_action(chat_id, "upload_document" if callback_data.action == "csv" else "upload_photo")
    made = await build(app, staff, staff_member.language)
    if made is None:
        await bot.send_message(chat_id, _("This is not available to you."))
        return
    upload, caption = made
    if callback_data.action == "csv":
        await bot.send_document(chat_id, upload, caption=caption)
    else:
        await bot.send_photo(chat_id, upload, caption=caption)


async def on_forbidden(event: Message | CallbackQuery, app: AppContext) -> None:
    """/stats or its buttons from a nurse, a mother or a former admin: a polite no, written down."""
    await refuse(event, app, "stats")


def build_router() -> Router:
    router = Router(name="stats")
    admin = IsStaff(StaffRole.ADMIN)
    router.message.register(on_stats, Command("stats"), admin)
    router.callback_query.register(on_stats, StaffMenuCb.filter(F.action == "stats"), admin)
    router.callback_query.register(on_export, StatsCb.filter(), admin)
    router.message.register(on_forbidden, Command("stats"))
    router.callback_query.register(on_forbidden, StatsCb.filter())
    router.callback_query.register(on_forbidden, StaffMenuCb.filter(F.action == "stats"))
    return router

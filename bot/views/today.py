"""A nurse's day as text for Telegram (/today)."""

from __future__ import annotations

from datetime import tzinfo

from aiogram.utils.i18n import gettext as _

from bot.domain.dates import format_date
from bot.services.today import NurseDay


def today_text(day: NurseDay, tz: tzinfo) -> str:
    return _("<b>Your day, {date}</b>").format(date=format_date(day.on))

"""The buttons under /stats: the CSV export and the chart. They carry no scope: the admin's own
staff row decides what is counted, whoever pressed."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard


class StatsCb(CallbackData, prefix="sx"):
    action: str  # csv | chart


def stats_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("📄 CSV"), callback_data=StatsCb(action="csv"))
    keyboard.button(text=_("📈 Chart"), callback_data=StatsCb(action="chart"))
    return keyboard.adjust(2).as_markup()

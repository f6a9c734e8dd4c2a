"""The buttons under /stats: the CSV export and the chart. They carry no scope: the admin's own
staff row decides what is counted, whoever pressed."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard


class StatsAction(StrEnum):
    CSV = "csv"
    CHART = "chart"


class StatsCb(CallbackData, prefix="sx"):
    action: StatsAction


def stats_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("📄 CSV"), callback_data=StatsCb(action=StatsAction.CSV))
    keyboard.button(text=_("📈 Chart"), callback_data=StatsCb(action=StatsAction.CHART))
    return keyboard.adjust(2).as_markup()

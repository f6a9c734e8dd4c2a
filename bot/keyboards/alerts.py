"""Buttons of a risk alert in staff chats, and the list of open alerts."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard


class AlertCb(CallbackData, prefix="al"):
    """Staff buttons. `id`: an alert; who may act on it is checked again on every press."""

    action: str  # take | called | visit | unreached | open | page
    id: int = 0
    page: int = 0


def alert_keyboard(alert_id: int, *, taken: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if not taken:
        keyboard.button(text=_("🙋 I'm on it"), callback_data=AlertCb(action="take", id=alert_id))
    keyboard.button(text=_("📞 Called"), callback_data=AlertCb(action="called", id=alert_id))
    keyboard.button(text=_("🏠 Visit planned"), callback_data=AlertCb(action="visit", id=alert_id))
    keyboard.button(text=_("🏥 Referred to hospital"), callback_data=AlertCb(action="referred", id=alert_id))
    keyboard.button(text=_("📵 Could not reach"), callback_data=AlertCb(action="unreached", id=alert_id))
    keyboard.button(text=_("✔️ Resolved"), callback_data=AlertCb(action="resolved", id=alert_id))
    return keyboard.adjust(1, 3).as_markup() if not taken else keyboard.adjust(3).as_markup()


def alerts_page_keyboard(views: Sequence[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    """(alert id, short label) of a page of /alerts, each opening it."""
    keyboard = Keyboard()
    for alert_id, label in views:
        keyboard.button(text=label, callback_data=AlertCb(action="open", id=alert_id))
    arrows = keyboard.page_arrows(page, pages, lambda p: AlertCb(action="page", page=p))
    sizes = [1] * len(views) + ([arrows] if arrows else [])
    return keyboard.adjust(*sizes).as_markup() if sizes else keyboard.as_markup()

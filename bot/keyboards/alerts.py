"""Buttons of a risk alert in staff chats, and the list of open alerts."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard


class AlertAction(StrEnum):
    TAKE = "take"  # "I'm on it"
    # What came of it (the service's OUTCOMES):
    CALLED = "called"
    VISIT = "visit"
    REFERRED = "referred"
    UNREACHED = "unreached"
    RESOLVED = "resolved"
    # /alerts:
    OPEN = "open"
    PAGE = "page"


OUTCOMES = frozenset({AlertAction.CALLED, AlertAction.VISIT, AlertAction.REFERRED, AlertAction.UNREACHED, AlertAction.RESOLVED})


class AlertCb(CallbackData, prefix="al"):
    """Staff buttons. `id`: an alert; who may act on it is checked again on every press."""

    action: AlertAction
    id: int = 0
    page: int = 0


def alert_keyboard(alert_id: int, *, taken: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if not taken:
        keyboard.button(text=_("🙋 I'm on it"), callback_data=AlertCb(action=AlertAction.TAKE, id=alert_id))
    keyboard.button(text=_("📞 Called"), callback_data=AlertCb(action=AlertAction.CALLED, id=alert_id))
    keyboard.button(text=_("🏠 Visit planned"), callback_data=AlertCb(action=AlertAction.VISIT, id=alert_id))
    keyboard.button(text=_("🏥 Referred to hospital"), callback_data=AlertCb(action=AlertAction.REFERRED, id=alert_id))
    keyboard.button(text=_("📵 Could not reach"), callback_data=AlertCb(action=AlertAction.UNREACHED, id=alert_id))
    keyboard.button(text=_("✔️ Resolved"), callback_data=AlertCb(action=AlertAction.RESOLVED, id=alert_id))
    return keyboard.adjust(1, 3).as_markup() if not taken else keyboard.adjust(3).as_markup()


def alerts_page_keyboard(views: Sequence[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    """(alert id, short label) of a page of /alerts, each opening it."""
    keyboard = Keyboard()
    for alert_id, label in views:
        keyboard.button(text=label, callback_data=AlertCb(action=AlertAction.OPEN, id=alert_id))
    arrows = keyboard.page_arrows(page, pages, lambda p: AlertCb(action=AlertAction.PAGE, page=p))
    sizes = [1] * len(views) + ([arrows] if arrows else [])
    return keyboard.adjust(*sizes).as_markup() if sizes else keyboard.as_markup()

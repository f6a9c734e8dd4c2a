"""Callback data and keyboards of announcements: the audience builder, the text and preview, the
live progress (pause, resume, cancel) and the list of past announcements.

The buttons only suggest: every value is checked again on the server (bot/services/broadcasts.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content import polyclinics, regions
from bot.domain.audience import AGE_BANDS, PARENT, PREGNANT, ROLES, TRIMESTERS, Audience
from bot.keyboards import Keyboard
from bot.views.broadcasts import (
    LANGUAGE_NAMES,
    age_label,
    role_label,
    trimester_label,
)
from db.broadcasts import PAUSED, SENDING_STATUS, BroadcastRecord

PAGE = 5


class BcAudienceCb(CallbackData, prefix="bca"):
    # role | tri | age | lang | rg | pc (toggle value v) ; rga | pca (all) ; view (v: main | rg | pc) ; next | cancel
    f: str
    v: str = ""


class BcComposeCb(CallbackData, prefix="bcc"):
    action: str  # one | each (texts) ; send | text | audience | cancel (preview)


class BcControlCb(CallbackData, prefix="bcx"):
    action: str  # pause | resume | cancel | cancel_yes | back
    id: int


class BcListCb(CallbackData, prefix="bcl"):
    action: str  # page | open | texts
    id: int = 0
    page: int = 0


def _mark(on: bool, label: str) -> str:
    return ("✅ " if on else "▫️ ") + label


def audience_keyboard(audience: Audience, *, national: bool, clinic_region: str | None) -> InlineKeyboardMarkup:
    """The builder's main view. `clinic_region`: the one region whose polyclinics can be chosen."""
    keyboard = Keyboard()
    sizes = [len(ROLES)]
    for role in ROLES:
        keyboard.button(text=_mark(role in audience.roles, role_label(role)), callback_data=BcAudienceCb(f="role", v=role))
    if PREGNANT in audience.roles:
        for trimester in TRIMESTERS:
            keyboard.button(
                text=_mark(trimester in audience.trimesters, trimester_label(trimester)),
                callback_data=BcAudienceCb(f="tri", v=str(trimester)),
            )
        sizes.append(len(TRIMESTERS))
    if PARENT in audience.roles:
        for band in AGE_BANDS:
            keyboard.button(text=_mark(band in audience.ages, age_label(band)), callback_data=BcAudienceCb(f="age", v=band))
        sizes.append(len(AGE_BANDS))
    for code, name in LANGUAGE_NAMES.items():
        keyboard.button(text=_mark(code in audience.languages, name), callback_data=BcAudienceCb(f="lang", v=code))
    sizes.append(len(LANGUAGE_NAMES))
    if national:
        keyboard.button(
            text=_("🗺 Regions: {chosen} ▸").format(chosen=len(audience.regions) if audience.regions else _("all")),
            callback_data=BcAudienceCb(f="view", v="rg"),
        )
        sizes.append(1)
    if clinic_region is not None:
        keyboard.button(
            text=_("🏥 Polyclinics: {chosen} ▸").format(chosen=len(audience.polyclinics) if audience.polyclinics else _("all")),
            callback_data=BcAudienceCb(f="view", v="pc"),
        )
        sizes.append(1)
    keyboard.button(text=_("Next: the text ➡️"), callback_data=BcAudienceCb(f="next"))
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcAudienceCb(f="cancel"))
    return keyboard.adjust(*sizes, 1).as_markup()


def regions_keyboard(audience: Audience, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for region in regions():
        keyboard.button(text=_mark(region.code in audience.regions, region.name(lang)), callback_data=BcAudienceCb(f="rg", v=region.code))
    keyboard.button(text=_mark(not audience.regions, _("All regions")), callback_data=BcAudienceCb(f="rga"))
    keyboard.button(text=_("⬅️ Done"), callback_data=BcAudienceCb(f="view", v="main"))
    return keyboard.adjust(2).as_markup()


def polyclinics_keyboard(audience: Audience, region_code: str, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    clinics = polyclinics(region_code)
    for clinic in clinics:
        keyboard.button(
            text=_mark(clinic.code in audience.polyclinics, clinic.name(lang)), callback_data=BcAudienceCb(f="pc", v=clinic.code)
        )
    keyboard.button(text=_mark(not audience.polyclinics, _("All polyclinics")), callback_data=BcAudienceCb(f="pca"))
    keyboard.button(text=_("⬅️ Done"), callback_data=BcAudienceCb(f="view", v="main"))
    return keyboard.adjust(1).as_markup()


def text_mode_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("One text for everyone"), callback_data=BcComposeCb(action="one"))
    keyboard.button(text=_("A text in each language"), callback_data=BcComposeCb(action="each"))
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcComposeCb(action="cancel"))
    return keyboard.adjust(1).as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcComposeCb(action="cancel"))
    return keyboard.as_markup()


def preview_keyboard(recipients: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(
        text=ngettext("✅ Send to {count} family", "✅ Send to {count} families", recipients).format(count=recipients),
        callback_data=BcComposeCb(action="send"),
    )
    keyboard.button(text=_("✏️ Edit the text"), callback_data=BcComposeCb(action="text"))
    keyboard.button(text=_("👥 Edit the audience"), callback_data=BcComposeCb(action="audience"))
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcComposeCb(action="cancel"))
    return keyboard.adjust(1, 2, 1).as_markup()


def control_keyboard(broadcast_id: int, status: str) -> InlineKeyboardMarkup | None:
    """On the live progress message, while there is something to pause, resume or cancel."""
    keyboard = Keyboard()
    if status == SENDING_STATUS:
        keyboard.button(text=_("⏸ Pause"), callback_data=BcControlCb(action="pause", id=broadcast_id))
    elif status == PAUSED:
        keyboard.button(text=_("▶️ Resume"), callback_data=BcControlCb(action="resume", id=broadcast_id))
    else:
        return None
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcControlCb(action="cancel", id=broadcast_id))
    return keyboard.adjust(2).as_markup()


def cancel_confirm_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("Yes, stop sending"), callback_data=BcControlCb(action="cancel_yes", id=broadcast_id))
    keyboard.button(text=_("No, go on"), callback_data=BcControlCb(action="back", id=broadcast_id))
    return keyboard.adjust(1).as_markup()


def history_keyboard(items: Sequence[BroadcastRecord], page: int, pages: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for item in items:
        keyboard.button(text=f"#{item.id}", callback_data=BcListCb(action="open", id=item.id, page=page))
    arrows = keyboard.page_arrows(page, pages, lambda to: BcListCb(action="page", page=to))
    return keyboard.adjust(*([len(items)] if items else []), max(arrows, 1)).as_markup()


def card_keyboard(broadcast: BroadcastRecord, page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("📝 Show the texts"), callback_data=BcListCb(action="texts", id=broadcast.id, page=page))
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=BcListCb(action="page", page=page))
    return keyboard.adjust(1).as_markup()

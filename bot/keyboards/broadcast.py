"""Callback data and keyboards of announcements: the audience builder, the text and preview, the
live progress (pause, resume, cancel) and the list of past announcements.

The buttons only suggest: every value is checked again on the server (bot/services/broadcasts.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content import polyclinics, regions
from bot.domain.audience import AGE_BANDS, PARENT, PREGNANT, ROLES, TRIMESTERS, Audience
from bot.keyboards import Keyboard
from bot.views.broadcasts import (
    age_label,
    role_label,
    trimester_label,
)
from bot.views.profile import LANGUAGE_NAMES
from db.broadcasts import BroadcastRecord, BroadcastStatus

PAGE = 5


class BcAudienceField(StrEnum):
    """What a button of the audience builder does: toggle one value `v` of a field, choose all
    regions or polyclinics, switch the view (`v`: main | rg | pc), go on, or cancel."""

    ROLE = "role"
    TRIMESTER = "tri"
    AGE = "age"
    LANGUAGE = "lang"
    REGION = "rg"
    POLYCLINIC = "pc"
    ALL_REGIONS = "rga"
    ALL_POLYCLINICS = "pca"
    VIEW = "view"
    NEXT = "next"
    CANCEL = "cancel"


class BcAudienceCb(CallbackData, prefix="bca"):
    f: BcAudienceField
    v: str = ""
    on: bool = True  # a value's button says chosen or not: a press handled twice leaves the same choice


class BcComposeAction(StrEnum):
    ONE = "one"  # one text for everyone
    EACH = "each"  # a text in each language
    SEND = "send"  # (the preview's buttons:)
    TEXT = "text"
    AUDIENCE = "audience"
    CANCEL = "cancel"


class BcComposeCb(CallbackData, prefix="bcc"):
    action: BcComposeAction


class BcControlAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"  # asks first
    CANCEL_YES = "cancel_yes"
    BACK = "back"  # "No, go on"


class BcControlCb(CallbackData, prefix="bcx"):
    action: BcControlAction
    id: int


class BcListAction(StrEnum):
    PAGE = "page"
    OPEN = "open"
    TEXTS = "texts"


class BcListCb(CallbackData, prefix="bcl"):
    action: BcListAction
    id: int = 0
    page: int = 0


def _mark(on: bool, label: str) -> str:
    return ("✅ " if on else "▫️ ") + label


def _choice(keyboard: Keyboard, field: BcAudienceField, value: str, chosen: bool, label: str) -> None:
    """One value of a filter: ticked or not, its press asking for the other."""
    keyboard.button(text=_mark(chosen, label), callback_data=BcAudienceCb(f=field, v=value, on=not chosen))


def audience_keyboard(audience: Audience, *, national: bool, clinic_region: str | None) -> InlineKeyboardMarkup:
    """The builder's main view. `clinic_region`: the one region whose polyclinics can be chosen."""
    keyboard = Keyboard()
    sizes = [len(ROLES)]
    for role in ROLES:
        _choice(keyboard, BcAudienceField.ROLE, role, role in audience.roles, role_label(role))
    if PREGNANT in audience.roles:
        for trimester in TRIMESTERS:
            _choice(keyboard, BcAudienceField.TRIMESTER, str(trimester), trimester in audience.trimesters,
                    trimester_label(trimester))
        sizes.append(len(TRIMESTERS))
    if PARENT in audience.roles:
        for band in AGE_BANDS:
            _choice(keyboard, BcAudienceField.AGE, band, band in audience.ages, age_label(band))
        sizes.append(len(AGE_BANDS))
    for code, name in LANGUAGE_NAMES.items():
        _choice(keyboard, BcAudienceField.LANGUAGE, code, code in audience.languages, name)
    sizes.append(len(LANGUAGE_NAMES))
    if national:
        keyboard.button(
            text=_("🗺 Regions: {chosen} ▸").format(chosen=len(audience.regions) if audience.regions else _("all")),
            callback_data=BcAudienceCb(f=BcAudienceField.VIEW, v="rg"),
        )
        sizes.append(1)
    if clinic_region is not None:
        keyboard.button(
            text=_("🏥 Polyclinics: {chosen} ▸").format(chosen=len(audience.polyclinics) if audience.polyclinics else _("all")),
            callback_data=BcAudienceCb(f=BcAudienceField.VIEW, v="pc"),
        )
        sizes.append(1)
    keyboard.button(text=_("Next: the text ➡️"), callback_data=BcAudienceCb(f=BcAudienceField.NEXT))
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcAudienceCb(f=BcAudienceField.CANCEL))
    return keyboard.adjust(*sizes, 1).as_markup()


def regions_keyboard(audience: Audience, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for region in regions():
        _choice(keyboard, BcAudienceField.REGION, region.code, region.code in audience.regions, region.name(lang))
    keyboard.button(text=_mark(not audience.regions, _("All regions")), callback_data=BcAudienceCb(f=BcAudienceField.ALL_REGIONS))
    keyboard.button(text=_("⬅️ Done"), callback_data=BcAudienceCb(f=BcAudienceField.VIEW, v="main"))
    return keyboard.adjust(2).as_markup()


def polyclinics_keyboard(audience: Audience, region_code: str, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    clinics = polyclinics(region_code)
    for clinic in clinics:
        _choice(keyboard, BcAudienceField.POLYCLINIC, clinic.code, clinic.code in audience.polyclinics, clinic.name(lang))
    keyboard.button(text=_mark(not audience.polyclinics, _("All polyclinics")),
        callback_data=BcAudienceCb(f=BcAudienceField.ALL_POLYCLINICS))
    keyboard.button(text=_("⬅️ Done"), callback_data=BcAudienceCb(f=BcAudienceField.VIEW, v="main"))
    return keyboard.adjust(1).as_markup()


def text_mode_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("One text for everyone"), callback_data=BcComposeCb(action=BcComposeAction.ONE))
    keyboard.button(text=_("A text in each language"), callback_data=BcComposeCb(action=BcComposeAction.EACH))
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcComposeCb(action=BcComposeAction.CANCEL))
    return keyboard.adjust(1).as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcComposeCb(action=BcComposeAction.CANCEL))
    return keyboard.as_markup()


def preview_keyboard(recipients: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(
        text=ngettext("✅ Send to {count} family", "✅ Send to {count} families", recipients).format(count=recipients),
        callback_data=BcComposeCb(action=BcComposeAction.SEND),
    )
    keyboard.button(text=_("✏️ Edit the text"), callback_data=BcComposeCb(action=BcComposeAction.TEXT))
    keyboard.button(text=_("👥 Edit the audience"), callback_data=BcComposeCb(action=BcComposeAction.AUDIENCE))
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcComposeCb(action=BcComposeAction.CANCEL))
    return keyboard.adjust(1, 2, 1).as_markup()


def control_keyboard(broadcast_id: int, status: str) -> InlineKeyboardMarkup | None:
    """On the live progress message, while there is something to pause, resume or cancel."""
    keyboard = Keyboard()
    if status == BroadcastStatus.SENDING:
        keyboard.button(text=_("⏸ Pause"), callback_data=BcControlCb(action=BcControlAction.PAUSE, id=broadcast_id))
    elif status == BroadcastStatus.PAUSED:
        keyboard.button(text=_("▶️ Resume"), callback_data=BcControlCb(action=BcControlAction.RESUME, id=broadcast_id))
    else:
        return None
    keyboard.button(text=_("✖️ Cancel"), callback_data=BcControlCb(action=BcControlAction.CANCEL, id=broadcast_id))
    return keyboard.adjust(2).as_markup()


def cancel_confirm_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("Yes, stop sending"), callback_data=BcControlCb(action=BcControlAction.CANCEL_YES, id=broadcast_id))
    keyboard.button(text=_("No, go on"), callback_data=BcControlCb(action=BcControlAction.BACK, id=broadcast_id))
    return keyboard.adjust(1).as_markup()


def history_keyboard(items: Sequence[BroadcastRecord], page: int, pages: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for item in items:
        keyboard.button(text=f"#{item.id}", callback_data=BcListCb(action=BcListAction.OPEN, id=item.id, page=page))
    arrows = keyboard.page_arrows(page, pages, lambda to: BcListCb(action=BcListAction.PAGE, page=to))
    return keyboard.adjust(*([len(items)] if items else []), max(arrows, 1)).as_markup()


def card_keyboard(broadcast: BroadcastRecord, page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("📝 Show the texts"), callback_data=BcListCb(action=BcListAction.TEXTS, id=broadcast.id, page=page))
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=BcListCb(action=BcListAction.PAGE, page=page))
    return keyboard.adjust(1).as_markup()

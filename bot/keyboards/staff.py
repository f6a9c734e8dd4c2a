"""Keyboards of the staff menus, joining, invitations and the staff list."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.content import polyclinics, regions
from bot.keyboards import Keyboard
from db.records import StaffRecord


class StaffMenuCb(CallbackData, prefix="sm"):
    action: str  # families | questions | unassigned | invite | staff | broadcast | broadcasts | stats


class JoinCb(CallbackData, prefix="join"):
    action: str  # name (keep her Telegram name) | cancel


class InviteCb(CallbackData, prefix="inv"):
    """The choices so far travel in the button; the service checks them all again."""

    step: str  # role | region | polyclinic | cancel
    role: str = ""  # nurse | admin | link (a polyclinic's registration link)
    region: str = ""
    polyclinic: str = ""


class AssignCb(CallbackData, prefix="as"):
    action: str  # pick (show nurses for this family) | to (assign to staff_id) | page
    family_id: int = 0
    staff_id: int = 0
    page: int = 0


class StaffCb(CallbackData, prefix="st"):
    action: str  # open | deactivate | confirm | back | page
    staff_id: int = 0
    page: int = 0

PAGE = 8


def nurse_menu() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👪 My families"), callback_data=StaffMenuCb(action="families"))
    keyboard.button(text=_("💬 Questions from families"), callback_data=StaffMenuCb(action="questions"))
    return keyboard.adjust(1).as_markup()


def admin_menu() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👪 Families"), callback_data=StaffMenuCb(action="families"))
    keyboard.button(text=_("🕓 Without a nurse"), callback_data=StaffMenuCb(action="unassigned"))
    keyboard.button(text=_("✉️ Invite"), callback_data=StaffMenuCb(action="invite"))
    keyboard.button(text=_("🧑‍⚕️ Staff"), callback_data=StaffMenuCb(action="staff"))
    keyboard.button(text=_("📣 New announcement"), callback_data=StaffMenuCb(action="broadcast"))
    keyboard.button(text=_("🗂 Past announcements"), callback_data=StaffMenuCb(action="broadcasts"))
    keyboard.button(text=_("📊 Statistics"), callback_data=StaffMenuCb(action="stats"))
    return keyboard.adjust(2).as_markup()


def keep_name_keyboard(name: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("✅ {name}").format(name=name), callback_data=JoinCb(action="name"))
    keyboard.button(text=_("Cancel"), callback_data=JoinCb(action="cancel"))
    return keyboard.adjust(1).as_markup()


def invite_role_keyboard(national: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("🧑‍⚕️ A nurse"), callback_data=InviteCb(step="role", role="nurse"))
    keyboard.button(
        text=_("🗺 A regional admin") if national else _("🗺 Another admin for my region"),
        callback_data=InviteCb(step="role", role="admin"),
    )
    keyboard.button(text=_("🔗 A polyclinic's registration link for families"), callback_data=InviteCb(step="role", role="link"))
    keyboard.button(text=_("Cancel"), callback_data=InviteCb(step="cancel"))
    return keyboard.adjust(1).as_markup()


def invite_region_keyboard(role: str, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for region in regions():
        keyboard.button(text=region.name(lang), callback_data=InviteCb(step="region", role=role, region=region.code))
    keyboard.button(text=_("Cancel"), callback_data=InviteCb(step="cancel"))
    return keyboard.adjust(2).as_markup()


def invite_polyclinic_keyboard(role: str, region_code: str, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for clinic in polyclinics(region_code):
        keyboard.button(
            text=clinic.name(lang),
            callback_data=InviteCb(step="polyclinic", role=role, polyclinic=clinic.code),  # 64 bytes: no region
        )
    keyboard.button(text=_("Cancel"), callback_data=InviteCb(step="cancel"))
    return keyboard.adjust(1).as_markup()


def unassigned_keyboard(family_ids: Sequence[int], names: Sequence[str], page: int, pages: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for family_id, name in zip(family_ids, names):
        keyboard.button(text=_("Assign {name}").format(name=name), callback_data=AssignCb(action="pick", family_id=family_id, page=page))
    keyboard.page_arrows(page, pages, lambda to: AssignCb(action="page", page=to))
    return keyboard.adjust(*([1] * len(family_ids)), 2).as_markup()


def nurse_choice_keyboard(family_id: int, nurses: Sequence[StaffRecord], page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for nurse in nurses:
        keyboard.button(text=nurse.name, callback_data=AssignCb(action="to", family_id=family_id, staff_id=nurse.id, page=page))
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=AssignCb(action="page", page=page))
    return keyboard.adjust(1).as_markup()


def staff_list_keyboard(members: Sequence[StaffRecord], page: int, pages: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for member in members:
        keyboard.button(text=member.name, callback_data=StaffCb(action="open", staff_id=member.id, page=page))
    keyboard.page_arrows(page, pages, lambda to: StaffCb(action="page", page=to))
    return keyboard.adjust(*([1] * len(members)), 2).as_markup() if members else keyboard.as_markup()


def staff_card_keyboard(member: StaffRecord, page: int, can_deactivate: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if can_deactivate:
        keyboard.button(text=_("⛔ Deactivate"), callback_data=StaffCb(action="deactivate", staff_id=member.id, page=page))
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=StaffCb(action="page", page=page))
    return keyboard.adjust(1).as_markup()


def deactivate_confirm_keyboard(member: StaffRecord, page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("Yes, deactivate"), callback_data=StaffCb(action="confirm", staff_id=member.id, page=page))
    keyboard.button(text=_("No, keep"), callback_data=StaffCb(action="open", staff_id=member.id, page=page))
    return keyboard.adjust(1).as_markup()

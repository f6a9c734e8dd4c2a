"""Keyboards of the staff menus, joining, invitations and the staff list."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.content import polyclinics, regions
from bot.keyboards import Keyboard
from db.records import StaffRecord


class StaffMenuAction(StrEnum):
    """The staff menus' buttons: the first two for everyone on staff, the rest for admins."""

    FAMILIES = "families"
    QUESTIONS = "questions"
    UNASSIGNED = "unassigned"
    INVITE = "invite"
    STAFF = "staff"
    BROADCAST = "broadcast"
    BROADCASTS = "broadcasts"
    STATS = "stats"
    CONSOLE = "console"  # a one-time link to the web console (Step 9)
    TODAY = "today"  # a nurse's day at a glance


ADMIN_MENU = frozenset(
    {
        StaffMenuAction.UNASSIGNED,
        StaffMenuAction.INVITE,
        StaffMenuAction.STAFF,
        StaffMenuAction.BROADCAST,
        StaffMenuAction.BROADCASTS,
        StaffMenuAction.STATS,
    }
)


class StaffMenuCb(CallbackData, prefix="sm"):
    action: StaffMenuAction


class JoinAction(StrEnum):
    NAME = "name"  # keep her Telegram name
    CANCEL = "cancel"


class JoinCb(CallbackData, prefix="join"):
    action: JoinAction


class InviteStep(StrEnum):
    ROLE = "role"
    REGION = "region"
    POLYCLINIC = "polyclinic"
    CANCEL = "cancel"


class InviteRole(StrEnum):
    NURSE = "nurse"
    HEAD = "head"  # a polyclinic's head (the console)
    ADMIN = "admin"
    LINK = "link"  # a polyclinic's registration link for families


class InviteCb(CallbackData, prefix="inv"):
    """The choices so far travel in the button; the service checks them all again."""

    step: InviteStep
    role: InviteRole | None = None  # None ("") only on "Cancel"
    region: str = ""
    polyclinic: str = ""


class AssignAction(StrEnum):
    PICK = "pick"  # show the nurses for this family
    TO = "to"  # assign her to staff_id
    PAGE = "page"


class AssignCb(CallbackData, prefix="as"):
    action: AssignAction
    family_id: int = 0
    staff_id: int = 0
    page: int = 0


class StaffAction(StrEnum):
    OPEN = "open"
    DEACTIVATE = "deactivate"
    CONFIRM = "confirm"
    PAGE = "page"


class StaffCb(CallbackData, prefix="st"):
    action: StaffAction
    staff_id: int = 0
    page: int = 0


PAGE = 8


def nurse_menu() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👪 My families"), callback_data=StaffMenuCb(action=StaffMenuAction.FAMILIES))
    keyboard.button(text=_("💬 Questions from families"), callback_data=StaffMenuCb(action=StaffMenuAction.QUESTIONS))
    keyboard.button(text=_("📋 My day"), callback_data=StaffMenuCb(action=StaffMenuAction.TODAY))
    keyboard.button(text=_("🖥 Console"), callback_data=StaffMenuCb(action=StaffMenuAction.CONSOLE))
    return keyboard.adjust(1).as_markup()


def head_menu() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("🖥 Console"), callback_data=StaffMenuCb(action=StaffMenuAction.CONSOLE))
    return keyboard.as_markup()


def admin_menu() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👪 Families"), callback_data=StaffMenuCb(action=StaffMenuAction.FAMILIES))
    keyboard.button(text=_("🕓 Without a nurse"), callback_data=StaffMenuCb(action=StaffMenuAction.UNASSIGNED))
    keyboard.button(text=_("✉️ Invite"), callback_data=StaffMenuCb(action=StaffMenuAction.INVITE))
    keyboard.button(text=_("🧑‍⚕️ Staff"), callback_data=StaffMenuCb(action=StaffMenuAction.STAFF))
    keyboard.button(text=_("📣 New announcement"), callback_data=StaffMenuCb(action=StaffMenuAction.BROADCAST))
    keyboard.button(text=_("🗂 Past announcements"), callback_data=StaffMenuCb(action=StaffMenuAction.BROADCASTS))
    keyboard.button(text=_("📊 Statistics"), callback_data=StaffMenuCb(action=StaffMenuAction.STATS))
    keyboard.button(text=_("🖥 Console"), callback_data=StaffMenuCb(action=StaffMenuAction.CONSOLE))
    return keyboard.adjust(2).as_markup()


def keep_name_keyboard(name: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("✅ {name}").format(name=name), callback_data=JoinCb(action=JoinAction.NAME))
    keyboard.button(text=_("Cancel"), callback_data=JoinCb(action=JoinAction.CANCEL))
    return keyboard.adjust(1).as_markup()


def invite_role_keyboard(national: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("🧑‍⚕️ A nurse"), callback_data=InviteCb(step=InviteStep.ROLE, role=InviteRole.NURSE))
    keyboard.button(text=_("🏥 A polyclinic head"), callback_data=InviteCb(step=InviteStep.ROLE, role=InviteRole.HEAD))
    keyboard.button(
        text=_("🗺 A regional admin") if national else _("🗺 Another admin for my region"),
        callback_data=InviteCb(step=InviteStep.ROLE, role=InviteRole.ADMIN),
    )
    keyboard.button(text=_("🔗 A polyclinic's registration link for families"),
        callback_data=InviteCb(step=InviteStep.ROLE, role=InviteRole.LINK))
    keyboard.button(text=_("Cancel"), callback_data=InviteCb(step=InviteStep.CANCEL))
    return keyboard.adjust(1).as_markup()


def invite_region_keyboard(role: InviteRole, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for region in regions():
        keyboard.button(text=region.name(lang), callback_data=InviteCb(step=InviteStep.REGION, role=role, region=region.code))
    keyboard.button(text=_("Cancel"), callback_data=InviteCb(step=InviteStep.CANCEL))
    return keyboard.adjust(2).as_markup()


def invite_polyclinic_keyboard(role: InviteRole, region_code: str, lang: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for clinic in polyclinics(region_code):
        keyboard.button(
            text=clinic.name(lang),
            callback_data=InviteCb(step=InviteStep.POLYCLINIC, role=role, polyclinic=clinic.code),  # 64 bytes: no region
        )
    keyboard.button(text=_("Cancel"), callback_data=InviteCb(step=InviteStep.CANCEL))
    return keyboard.adjust(1).as_markup()


def unassigned_keyboard(family_ids: Sequence[int], names: Sequence[str], page: int, pages: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for family_id, name in zip(family_ids, names, strict=True):
        keyboard.button(text=_("Assign {name}").format(name=name),
            callback_data=AssignCb(action=AssignAction.PICK, family_id=family_id, page=page))
    keyboard.page_arrows(page, pages, lambda to: AssignCb(action=AssignAction.PAGE, page=to))
    return keyboard.adjust(*([1] * len(family_ids)), 2).as_markup()


def nurse_choice_keyboard(family_id: int, nurses: Sequence[StaffRecord], page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for nurse in nurses:
        keyboard.button(text=nurse.name, callback_data=AssignCb(action=AssignAction.TO, family_id=family_id, staff_id=nurse.id, page=page))
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=AssignCb(action=AssignAction.PAGE, page=page))
    return keyboard.adjust(1).as_markup()


def staff_list_keyboard(members: Sequence[StaffRecord], page: int, pages: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for member in members:
        keyboard.button(text=member.name, callback_data=StaffCb(action=StaffAction.OPEN, staff_id=member.id, page=page))
    keyboard.page_arrows(page, pages, lambda to: StaffCb(action=StaffAction.PAGE, page=to))
    return keyboard.adjust(*([1] * len(members)), 2).as_markup() if members else keyboard.as_markup()


def staff_card_keyboard(member: StaffRecord, page: int, can_deactivate: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if can_deactivate:
        keyboard.button(text=_("⛔ Deactivate"), callback_data=StaffCb(action=StaffAction.DEACTIVATE, staff_id=member.id, page=page))
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=StaffCb(action=StaffAction.PAGE, page=page))
    return keyboard.adjust(1).as_markup()


def deactivate_confirm_keyboard(member: StaffRecord, page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("Yes, deactivate"), callback_data=StaffCb(action=StaffAction.CONFIRM, staff_id=member.id, page=page))
    keyboard.button(text=_("No, keep"), callback_data=StaffCb(action=StaffAction.OPEN, staff_id=member.id, page=page))
    return keyboard.adjust(1).as_markup()

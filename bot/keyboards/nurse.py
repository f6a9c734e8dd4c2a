"""Buttons of the nurse's day (the family list and card, visits, the support plan, appointments she
sets) and of the mother's side (her plan, her answer to an appointment).

Callback data carries ids and short codes only; every service checks them again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.domain.caseload import APPOINTMENT_KINDS, ASSESSED, RISKS, RiskLevel
from bot.keyboards import Keyboard
from bot.views.caseload import appointment_kind_label, assessed_label, risk_label
from db.caseload import GoalRecord
from db.records import StaffRecord


class FamilyAction(StrEnum):
    """What a family card's button does (values are what buttons already in chats carry)."""

    OPEN = "open"  # the card, as a new message (from a message about her)
    CARD = "card"  # the card, in place (from the list or one of the card's own screens)
    MESSAGE = "message"  # write to her
    VISIT = "visit"
    PLAN = "plan"
    APPOINTMENT = "appointment"
    RISK = "risk"
    RISK_PROGRESSIVE = "risk_prog"
    RISK_UNIVERSAL = "risk_univ"
    NOTE = "note"
    NOTE_CLEAR = "note_clear"
    CHECKS = "checks"
    REASSIGN = "reassign"


class FamilyCb(CallbackData, prefix="fam"):
    """A family card and its actions, for staff. The family id is re-checked against the acting
    nurse's or admin's scope on every press (bot.services.staff.may_view_family)."""

    action: FamilyAction
    family_id: int
    page: int = 0


class FamiliesAction(StrEnum):
    PAGE = "page"
    SEARCH = "search"


class FamiliesCb(CallbackData, prefix="nfl"):
    action: FamiliesAction
    page: int = 0


class VisitAction(StrEnum):
    TODAY = "today"
    ASSESSED = "a"  # toggle one assessed area (code)
    RISK = "r"  # toggle one named risk (code)
    NEXT = "next"
    SKIP = "skip"
    CANCEL = "cancel"


class VisitCb(CallbackData, prefix="nvs"):
    """A home visit being recorded (the family is in her flow's data, checked again on saving)."""

    action: VisitAction
    code: str = ""
    on: bool = True  # a toggle says ticked or not: a press handled twice leaves the same choice


class GoalAction(StrEnum):
    ADD = "add"
    OPEN = "open"
    GOAL = "goal"  # change what the goal says
    STEP = "step"  # change its next step
    DATE = "date"  # change its date
    REMOVE = "remove"
    REMOVE_YES = "remove_yes"


class GoalCb(CallbackData, prefix="ngl"):
    action: GoalAction
    family_id: int = 0
    goal_id: int = 0


class NurseApptAction(StrEnum):
    KIND = "kind"
    NO_TIME = "no_time"
    NO_PLACE = "no_place"
    MOVE = "move"
    CANCEL = "cancel"


class NurseApptCb(CallbackData, prefix="nap"):
    action: NurseApptAction
    code: str = ""
    id: int = 0  # the appointment (move)


class ReassignCb(CallbackData, prefix="nra"):
    family_id: int
    staff_id: int


class MotherPlanAction(StrEnum):
    SHOW = "show"
    DONE = "done"


class MotherPlanCb(CallbackData, prefix="mpl"):
    action: MotherPlanAction
    goal_id: int = 0
    in_plan: bool = False  # pressed under her plan (which is then shown again in place)


class MotherApptAction(StrEnum):
    """Her answer to an appointment staff set (the service's RESPONSES)."""

    COMING = "coming"
    OTHER_TIME = "other_time"


class MotherApptCb(CallbackData, prefix="mapt"):
    action: MotherApptAction
    id: int


# --- the family list and card --------------------------------------------------------------------

def family_list_keyboard(
    families: Sequence[tuple[int, str]], page: int, pages: int, *, paged: bool = True
) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for family_id, name in families:
        keyboard.button(text=name, callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id, page=page))
    navigation = keyboard.page_arrows(page, pages, lambda to: FamiliesCb(action=FamiliesAction.PAGE, page=to)) if paged else 0
    keyboard.button(text=_("🔎 Search"), callback_data=FamiliesCb(action=FamiliesAction.SEARCH))
    if not paged:
        keyboard.button(text=_("👪 All families"), callback_data=FamiliesCb(action=FamiliesAction.PAGE))
    sizes = [1] * len(families) + ([navigation] if navigation else [])
    return keyboard.adjust(*sizes, 2).as_markup()


def card_keyboard(family_id: int, page: int) -> InlineKeyboardMarkup:
    def button(text: str, action: FamilyAction) -> None:
        keyboard.button(text=text, callback_data=FamilyCb(action=action, family_id=family_id, page=page))

    keyboard = Keyboard()
    button(_("✉️ Write to her"), FamilyAction.MESSAGE)
    button(_("🏠 Record a visit"), FamilyAction.VISIT)
    button(_("📋 Support plan"), FamilyAction.PLAN)
    button(_("📅 Set an appointment"), FamilyAction.APPOINTMENT)
    button(_("🟠 Risk level"), FamilyAction.RISK)
    button(_("📝 Note"), FamilyAction.NOTE)
    button(_("🩺 Self-checks"), FamilyAction.CHECKS)
    button(_("🔁 Reassign"), FamilyAction.REASSIGN)
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=FamiliesCb(action=FamiliesAction.PAGE, page=page))
    return keyboard.adjust(2).as_markup()


def back_to_card(family_id: int, page: int = 0) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("⬅️ Back to the card"), callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id, page=page))
    return keyboard.as_markup()


def back_to_list(page: int = 0) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("⬅️ Back to the list"), callback_data=FamiliesCb(action=FamiliesAction.PAGE, page=page))
    return keyboard.as_markup()


def risk_keyboard(family_id: int, current: RiskLevel, page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if current is RiskLevel.UNIVERSAL:
        keyboard.button(text=_("🟠 Switch to progressive"),
            callback_data=FamilyCb(action=FamilyAction.RISK_PROGRESSIVE, family_id=family_id, page=page))
    else:
        keyboard.button(text=_("Switch to universal"),
            callback_data=FamilyCb(action=FamilyAction.RISK_UNIVERSAL, family_id=family_id, page=page))
    keyboard.button(text=_("⬅️ Back to the card"), callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id, page=page))
    return keyboard.adjust(1).as_markup()


def suggest_progressive_keyboard(family_id: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("🟠 Yes, progressive"), callback_data=FamilyCb(action=FamilyAction.RISK_PROGRESSIVE, family_id=family_id))
    keyboard.button(text=_("No, keep universal"), callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id))
    return keyboard.adjust(1).as_markup()


def note_keyboard(family_id: int, has_note: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    if has_note:
        keyboard.button(text=_("🗑 Remove the note"), callback_data=FamilyCb(action=FamilyAction.NOTE_CLEAR, family_id=family_id))
    keyboard.button(text=_("⬅️ Back to the card"), callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id))
    return keyboard.adjust(1).as_markup()


def reassign_keyboard(family_id: int, nurses: Sequence[StaffRecord], page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for nurse in nurses:
        keyboard.button(text=nurse.name, callback_data=ReassignCb(family_id=family_id, staff_id=nurse.id))
    keyboard.button(text=_("⬅️ Back to the card"), callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id, page=page))
    return keyboard.adjust(1).as_markup()


# --- a home visit --------------------------------------------------------------------------------

def visit_date_keyboard(today_label: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("Today, {date}").format(date=today_label), callback_data=VisitCb(action=VisitAction.TODAY))
    keyboard.button(text=_("Cancel"), callback_data=VisitCb(action=VisitAction.CANCEL))
    return keyboard.adjust(1).as_markup()


def _choices(
    action: VisitAction, codes: Sequence[str], chosen: Sequence[str], label: Callable[[str], str], done_text: str
) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for code in codes:
        mark = "✅ " if code in chosen else "▫️ "
        keyboard.button(text=mark + label(code), callback_data=VisitCb(action=action, code=code, on=code not in chosen))
    keyboard.button(text=done_text, callback_data=VisitCb(action=VisitAction.NEXT))
    keyboard.button(text=_("Cancel"), callback_data=VisitCb(action=VisitAction.CANCEL))
    return keyboard.adjust(*([2] * ((len(codes) + 1) // 2)), 1).as_markup()


def assessed_keyboard(chosen: Sequence[str]) -> InlineKeyboardMarkup:
    return _choices(VisitAction.ASSESSED, ASSESSED, chosen, assessed_label, _("Next ➡️"))


def risks_keyboard(chosen: Sequence[str]) -> InlineKeyboardMarkup:
    return _choices(VisitAction.RISK, RISKS, chosen, risk_label, _("Next ➡️") if chosen else _("No risks named ➡️"))


def skip_keyboard(callback_data: CallbackData, text: str | None = None) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=text or _("Skip"), callback_data=callback_data)
    return keyboard.as_markup()


# --- the support plan ----------------------------------------------------------------------------

def plan_keyboard(family_id: int, goals: Sequence[GoalRecord], page: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for number, goal in enumerate(goals, start=1):
        keyboard.button(text=_("✏️ Goal {n}").format(n=number), callback_data=GoalCb(action=GoalAction.OPEN, goal_id=goal.id))
    keyboard.button(text=_("➕ Add a goal"), callback_data=GoalCb(action=GoalAction.ADD, family_id=family_id))
    keyboard.button(text=_("⬅️ Back to the card"), callback_data=FamilyCb(action=FamilyAction.CARD, family_id=family_id, page=page))
    return keyboard.adjust(*([3] * (-(-len(goals) // 3))), 1).as_markup()


def goal_keyboard(goal: GoalRecord) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("📝 The goal"), callback_data=GoalCb(action=GoalAction.GOAL, goal_id=goal.id))
    keyboard.button(text=_("👣 The next step"), callback_data=GoalCb(action=GoalAction.STEP, goal_id=goal.id))
    keyboard.button(text=_("📅 The date"), callback_data=GoalCb(action=GoalAction.DATE, goal_id=goal.id))
    keyboard.button(text=_("🗑 Remove"), callback_data=GoalCb(action=GoalAction.REMOVE, goal_id=goal.id))
    keyboard.button(text=_("⬅️ Back to the plan"), callback_data=FamilyCb(action=FamilyAction.PLAN, family_id=goal.user_id))
    return keyboard.adjust(3, 1, 1).as_markup()


def remove_goal_keyboard(goal: GoalRecord) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("Yes, remove it"), callback_data=GoalCb(action=GoalAction.REMOVE_YES, goal_id=goal.id))
    keyboard.button(text=_("No, keep it"), callback_data=GoalCb(action=GoalAction.OPEN, goal_id=goal.id))
    return keyboard.adjust(2).as_markup()


def mother_plan_keyboard(goals: Sequence[GoalRecord]) -> InlineKeyboardMarkup | None:
    open_goals = [(number, goal) for number, goal in enumerate(goals, start=1) if not goal.done]
    if not open_goals:
        return None
    keyboard = Keyboard()
    for number, goal in open_goals:
        keyboard.button(text=_("✅ Done: goal {n}").format(n=number),
            callback_data=MotherPlanCb(action=MotherPlanAction.DONE, goal_id=goal.id, in_plan=True))
    return keyboard.adjust(1).as_markup()


def my_plan_button(goal_id: int | None = None) -> InlineKeyboardMarkup:
    """Under a message about her plan: open it (and, for a reminder, tick the goal off)."""
    keyboard = Keyboard()
    if goal_id is not None:
        keyboard.button(text=_("✅ Done"), callback_data=MotherPlanCb(action=MotherPlanAction.DONE, goal_id=goal_id))
    keyboard.button(text=_("📋 My plan"), callback_data=MotherPlanCb(action=MotherPlanAction.SHOW))
    return keyboard.adjust(2).as_markup()


# --- appointments staff set ----------------------------------------------------------------------

def appointment_kind_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for code in APPOINTMENT_KINDS:
        keyboard.button(text=appointment_kind_label(code), callback_data=NurseApptCb(action=NurseApptAction.KIND, code=code))
    keyboard.button(text=_("Cancel"), callback_data=NurseApptCb(action=NurseApptAction.CANCEL))
    return keyboard.adjust(2, 2, 2, 1).as_markup()


def appointment_answer_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("✅ I'll come"), callback_data=MotherApptCb(action=MotherApptAction.COMING, id=appointment_id))
    keyboard.button(text=_("🔁 I need another time"), callback_data=MotherApptCb(action=MotherApptAction.OTHER_TIME, id=appointment_id))
    return keyboard.adjust(1).as_markup()


def about_appointment_keyboard(family_id: int, appointment_id: int, offer_move: bool) -> InlineKeyboardMarkup:
    """Under a message to staff about a family's appointment."""
    keyboard = Keyboard()
    if offer_move:
        keyboard.button(text=_("📅 Give another date"), callback_data=NurseApptCb(action=NurseApptAction.MOVE, id=appointment_id))
    keyboard.button(text=_("👪 Open her card"), callback_data=FamilyCb(action=FamilyAction.OPEN, family_id=family_id))
    return keyboard.adjust(1).as_markup()


def open_card_keyboard(family_id: int) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("👪 Open her card"), callback_data=FamilyCb(action=FamilyAction.OPEN, family_id=family_id))
    return keyboard.as_markup()

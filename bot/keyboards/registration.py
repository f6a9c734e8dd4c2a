"""Keyboards of the registration questions (also used by profile edits)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Final, Literal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.content import polyclinics, regions
from bot.domain.children import Sex
from bot.domain.flow import Role
from bot.domain.pregnancy import DatingMethod
from bot.keyboards import Keyboard
from bot.views.profile import LANGUAGE_NAMES


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class ConsentCb(CallbackData, prefix="cons"):
    agree: bool


CONTINUE: Final = "done"  # the roles question's "Continue" button (its value in RoleCb.role)


class RoleCb(CallbackData, prefix="role"):
    role: Role | Literal["done"]  # a role ticked or unticked, or CONTINUE
    # What the press asks for (ticked or not), not "the other way round": a press handled twice (its worker
    # killed before it noted the update done) leaves the same choice. Ignored for CONTINUE.
    on: bool = True


class RegionCb(CallbackData, prefix="reg"):
    code: str


class PolyclinicCb(CallbackData, prefix="pc"):
    code: str  # "-" when hers is not in the list


class DatingMethodCb(CallbackData, prefix="dm"):
    method: DatingMethod


class DatingConfirmCb(CallbackData, prefix="dc"):
    ok: bool


class SexCb(CallbackData, prefix="sex"):
    sex: Sex


class DontKnowCb(CallbackData, prefix="dk"):
    """"I don't know" under a question that may stay unanswered (the current step says which)."""


class FixPregnancyCb(CallbackData, prefix="fixp"):
    """Registration: a child's date of birth does not fit the pregnancy; the pregnancy dates are wrong."""


class MoreChildrenCb(CallbackData, prefix="more"):
    more: bool


class SummaryAction(StrEnum):
    CONFIRM = "confirm"
    NAME = "name"
    PHONE = "phone"
    PLACE = "place"
    ROLES = "roles"
    PREGNANCY = "pregnancy"
    CHILDREN = "children"


class SummaryCb(CallbackData, prefix="sum"):
    action: SummaryAction


class DraftChildAction(StrEnum):
    """The children listed in the registration summary."""

    REMOVE = "remove"
    ADD = "add"
    BACK = "back"


class DraftChildCb(CallbackData, prefix="dch"):
    action: DraftChildAction
    index: int = 0  # REMOVE: which child of the draft


class RestartCb(CallbackData, prefix="restart"):
    pass



def language_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    for code, label in LANGUAGE_NAMES.items():
        builder.button(text=label, callback_data=LanguageCb(code=code))
    builder.adjust(3)
    return builder.as_markup()


def consent_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✅ I agree"), callback_data=ConsentCb(agree=True))
    builder.button(text=_("No, thank you"), callback_data=ConsentCb(agree=False))
    builder.adjust(1)
    return builder.as_markup()


def roles_keyboard(chosen: Sequence[str]) -> InlineKeyboardMarkup:
    labels = {
        Role.PREGNANT: _("🤰 I am pregnant"),
        Role.PLANNING: _("🌱 I am planning a pregnancy"),
        Role.PARENT: _("👶 I have a child under five"),
    }
    builder = Keyboard()
    for role, label in labels.items():
        mark = "✅ " if role in chosen else "▫️ "
        builder.button(text=mark + label, callback_data=RoleCb(role=role, on=role not in chosen))
    builder.button(text=_("Continue ➡️"), callback_data=RoleCb(role=CONTINUE))
    builder.adjust(1)
    return builder.as_markup()


def phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def region_keyboard(lang: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for region in regions():
        builder.button(text=region.name(lang), callback_data=RegionCb(code=region.code))
    builder.adjust(2)
    return builder.as_markup()


def polyclinic_keyboard(region_code: str, lang: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for clinic in polyclinics(region_code):
        builder.button(text=clinic.name(lang), callback_data=PolyclinicCb(code=clinic.code))
    builder.button(text=_("My polyclinic is not in the list"), callback_data=PolyclinicCb(code="-"))
    builder.adjust(1)
    return builder.as_markup()


def dating_method_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("📅 I know my due date"), callback_data=DatingMethodCb(method=DatingMethod.DUE_DATE))
    builder.button(text=_("🩸 I know the first day of my last period"), callback_data=DatingMethodCb(method=DatingMethod.LMP))
    builder.button(text=_("🔢 I only know the week"), callback_data=DatingMethodCb(method=DatingMethod.WEEK))
    builder.adjust(1)
    return builder.as_markup()


def dating_confirm_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✅ Yes, that's right"), callback_data=DatingConfirmCb(ok=True))
    builder.button(text=_("✏️ Change"), callback_data=DatingConfirmCb(ok=False))
    builder.adjust(2)
    return builder.as_markup()


def sex_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("👧 Girl"), callback_data=SexCb(sex=Sex.GIRL))
    builder.button(text=_("👦 Boy"), callback_data=SexCb(sex=Sex.BOY))
    builder.adjust(2)
    return builder.as_markup()


def dont_know_keyboard() -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("🤷 I don't know"), callback_data=DontKnowCb()).as_markup()


def fix_pregnancy_keyboard() -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("✏️ Change the pregnancy dates"), callback_data=FixPregnancyCb()).as_markup()


def more_children_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("➕ Add another child"), callback_data=MoreChildrenCb(more=True))
    builder.button(text=_("No, that's all"), callback_data=MoreChildrenCb(more=False))
    builder.adjust(1)
    return builder.as_markup()


def summary_keyboard(roles: Sequence[str]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✏️ Name"), callback_data=SummaryCb(action=SummaryAction.NAME))
    builder.button(text=_("✏️ Phone"), callback_data=SummaryCb(action=SummaryAction.PHONE))
    builder.button(text=_("✏️ Region and polyclinic"), callback_data=SummaryCb(action=SummaryAction.PLACE))
    builder.button(text=_("✏️ Who I am"), callback_data=SummaryCb(action=SummaryAction.ROLES))
    if Role.PREGNANT in roles:
        builder.button(text=_("✏️ Pregnancy"), callback_data=SummaryCb(action=SummaryAction.PREGNANCY))
    if Role.PARENT in roles:
        builder.button(text=_("✏️ Children"), callback_data=SummaryCb(action=SummaryAction.CHILDREN))
    builder.button(text=_("✅ Confirm"), callback_data=SummaryCb(action=SummaryAction.CONFIRM))
    builder.adjust(2)
    return builder.as_markup()


def draft_children_keyboard(names: Sequence[str]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for index, name in enumerate(names):
        builder.button(text=_("🗑 Remove {name}").format(name=name), callback_data=DraftChildCb(action=DraftChildAction.REMOVE, index=index))
    builder.button(text=_("➕ Add a child"), callback_data=DraftChildCb(action=DraftChildAction.ADD))
    builder.button(text=_("⬅️ Back to the summary"), callback_data=DraftChildCb(action=DraftChildAction.BACK))
    builder.adjust(1)
    return builder.as_markup()


def restart_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("🔄 Start over"), callback_data=RestartCb())
    return builder.as_markup()

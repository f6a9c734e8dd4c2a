"""Keyboards of /profile, a child's card, /delete_me and the pregnancy outcome questions."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard


class ProfileAction(StrEnum):
    SHOW = "show"
    LANGUAGE = "language"
    PLANNING = "planning"  # on or off
    # Profile edits (a question or two, then saved).
    NAME = "name"
    PHONE = "phone"
    PLACE = "place"
    PREGNANCY = "pregnancy"  # new, or its dates corrected
    BORN = "born"
    ADD_CHILD = "add_child"
    # The pregnancy ends.
    LOST = "lost"
    LOST_YES = "lost_yes"
    # One of her children (ProfileCb.child_id).
    CHILD = "child"
    CHILD_NAME = "child_name"
    CHILD_BIRTH = "child_birth"
    CHILD_SEX = "child_sex"
    CHILD_REMOVE = "child_remove"
    CHILD_REMOVE_YES = "child_remove_yes"


class ProfileCb(CallbackData, prefix="pf"):
    action: ProfileAction
    child_id: int = 0


class EraseCb(CallbackData, prefix="erase"):
    confirm: bool



def profile_keyboard(*, pregnant: bool, planning: bool, children: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✏️ Name"), callback_data=ProfileCb(action=ProfileAction.NAME))
    builder.button(text=_("✏️ Phone"), callback_data=ProfileCb(action=ProfileAction.PHONE))
    builder.button(text=_("✏️ Region and polyclinic"), callback_data=ProfileCb(action=ProfileAction.PLACE))
    builder.button(text=_("🌐 Language"), callback_data=ProfileCb(action=ProfileAction.LANGUAGE))
    sizes = [2, 2]
    if pregnant:
        builder.button(text=_("✏️ Due date"), callback_data=ProfileCb(action=ProfileAction.PREGNANCY))
        builder.button(text=_("👶 My baby is born"), callback_data=ProfileCb(action=ProfileAction.BORN))
        builder.button(text=_("💔 I lost the pregnancy"), callback_data=ProfileCb(action=ProfileAction.LOST))
        sizes += [1, 1, 1]
    else:
        builder.button(text=_("🤰 I am pregnant"), callback_data=ProfileCb(action=ProfileAction.PREGNANCY))
        label = _("🌱 I am no longer planning a pregnancy") if planning else _("🌱 I am planning a pregnancy")
        builder.button(text=label, callback_data=ProfileCb(action=ProfileAction.PLANNING))
        sizes += [1, 1]
    for child_id, name in children:
        builder.button(
            text=_("✏️ {name}").format(name=name), callback_data=ProfileCb(action=ProfileAction.CHILD, child_id=child_id)
        )
        sizes.append(1)
    builder.button(text=_("➕ Add a child"), callback_data=ProfileCb(action=ProfileAction.ADD_CHILD))
    sizes.append(1)
    builder.adjust(*sizes)
    return builder.as_markup()


def child_keyboard(child_id: int) -> InlineKeyboardMarkup:
    def about_child(action: ProfileAction) -> ProfileCb:
        return ProfileCb(action=action, child_id=child_id)

    builder = Keyboard()
    builder.button(text=_("✏️ Name"), callback_data=about_child(ProfileAction.CHILD_NAME))
    builder.button(text=_("✏️ Date of birth"), callback_data=about_child(ProfileAction.CHILD_BIRTH))
    builder.button(text=_("✏️ Girl or boy"), callback_data=about_child(ProfileAction.CHILD_SEX))
    builder.button(text=_("🗑 Remove from my profile"), callback_data=about_child(ProfileAction.CHILD_REMOVE))
    builder.button(text=_("⬅️ Back to my profile"), callback_data=ProfileCb(action=ProfileAction.SHOW))
    builder.adjust(2, 1, 1, 1)
    return builder.as_markup()


def confirm_remove_child_keyboard(child_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("Yes, remove"), callback_data=ProfileCb(action=ProfileAction.CHILD_REMOVE_YES, child_id=child_id)
    )
    builder.button(text=_("No, keep"), callback_data=ProfileCb(action=ProfileAction.SHOW))
    builder.adjust(2)
    return builder.as_markup()


def confirm_loss_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("Yes, the pregnancy has ended"), callback_data=ProfileCb(action=ProfileAction.LOST_YES))
    builder.button(text=_("No, go back"), callback_data=ProfileCb(action=ProfileAction.SHOW))
    builder.adjust(1)
    return builder.as_markup()


def erase_keyboard() -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("🗑 Yes, erase everything"), callback_data=EraseCb(confirm=True))
    builder.button(text=_("No, keep my data"), callback_data=EraseCb(confirm=False))
    builder.adjust(1)
    return builder.as_markup()

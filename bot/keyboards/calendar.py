"""Buttons under reminders and in /appointments."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.domain.calendar import TrackCode
from bot.keyboards import Keyboard


class CareAction(StrEnum):
    """Her answer to a reminder."""

    DONE = "done"
    APPOINTMENT = "appt"  # she has an appointment for it: its date and time are asked
    LATER = "later"
    NOT_FOR_ME = "no"


class CareCb(CallbackData, prefix="care"):
    """A reminder's answer. ref: the pregnancy's or the child's id (0 for planning); item: a care item id."""

    action: CareAction
    track: TrackCode
    ref: int
    item: str


class AppointmentAction(StrEnum):
    ADD = "add"
    CHANGE = "change"  # then one of MOVE, WHAT, PLACE
    MOVE = "move"  # its date and time
    WHAT = "what"
    PLACE = "place"
    CANCEL = "cancel"  # then CANCEL_YES or KEEP
    CANCEL_YES = "cancel_yes"
    KEEP = "keep"
    NO_TIME = "no_time"  # the time question: there is no set time
    NO_PLACE = "no_place"  # the place question: skip it, or take the place away


class AppointmentCb(CallbackData, prefix="appt"):
    action: AppointmentAction
    id: int = 0  # 0: a new appointment


def reminder_keyboard(track: TrackCode, ref: int, item: str) -> InlineKeyboardMarkup:

    def answer(action: CareAction) -> CareCb:
        return CareCb(action=action, track=track, ref=ref, item=item)

    builder = Keyboard()
    builder.button(text=_("✅ Done"), callback_data=answer(CareAction.DONE))
    builder.button(text=_("📅 I have an appointment"), callback_data=answer(CareAction.APPOINTMENT))
    builder.button(text=_("⏰ Remind me later"), callback_data=answer(CareAction.LATER))
    builder.button(text=_("Not for me"), callback_data=answer(CareAction.NOT_FOR_ME))
    builder.adjust(2, 2)
    return builder.as_markup()


def appointments_keyboard(items: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for appointment_id, label in items:
        builder.button(
            text=_("✏️ Change {what}").format(what=label),
            callback_data=AppointmentCb(action=AppointmentAction.CHANGE, id=appointment_id),
        )
        builder.button(
            text=_("🗑 Cancel {what}").format(what=label),
            callback_data=AppointmentCb(action=AppointmentAction.CANCEL, id=appointment_id),
        )
    builder.button(text=_("➕ Add an appointment"), callback_data=AppointmentCb(action=AppointmentAction.ADD))
    builder.adjust(*([2] * len(items)), 1)
    return builder.as_markup()


def confirm_cancel_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("Yes, cancel it"), callback_data=AppointmentCb(action=AppointmentAction.CANCEL_YES, id=appointment_id))
    builder.button(text=_("No, keep it"), callback_data=AppointmentCb(action=AppointmentAction.KEEP, id=appointment_id))
    builder.adjust(2)
    return builder.as_markup()


def change_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    """What to change in one of her appointments."""
    builder = Keyboard()
    builder.button(text=_("📅 Date and time"), callback_data=AppointmentCb(action=AppointmentAction.MOVE, id=appointment_id))
    builder.button(text=_("📝 What it is"), callback_data=AppointmentCb(action=AppointmentAction.WHAT, id=appointment_id))
    builder.button(text=_("📍 Where"), callback_data=AppointmentCb(action=AppointmentAction.PLACE, id=appointment_id))
    builder.adjust(1)
    return builder.as_markup()


def skip_keyboard(action: AppointmentAction, appointment_id: int = 0) -> InlineKeyboardMarkup:
    """No set time, or skip the place. A change carries the appointment's id, so an old button cannot touch it."""
    builder = Keyboard()
    label = _("No set time") if action is AppointmentAction.NO_TIME else _("Skip")
    builder.button(text=label, callback_data=AppointmentCb(action=action, id=appointment_id))
    return builder.as_markup()


def remove_place_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(
        text=_("🗑 Remove the place"), callback_data=AppointmentCb(action=AppointmentAction.NO_PLACE, id=appointment_id)
    )
    return builder.as_markup()

"""Buttons under reminders and in /appointments."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard


class CareCb(CallbackData, prefix="care"):
    """A reminder's answer. track: p (pregnancy), c (child), l (planning); ref: pregnancy or child id."""

    action: str  # done | appt | later | no
    track: str
    ref: int
    item: str


class AppointmentCb(CallbackData, prefix="appt"):
    action: str  # add | change (then move | what | place) | cancel | cancel_yes | keep | no_time | no_place
    id: int = 0


def reminder_keyboard(track_code: str, ref: int, item: str) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("✅ Done"), callback_data=CareCb(action="done", track=track_code, ref=ref, item=item))
    builder.button(text=_("📅 I have an appointment"), callback_data=CareCb(action="appt", track=track_code, ref=ref, item=item))
    builder.button(text=_("⏰ Remind me later"), callback_data=CareCb(action="later", track=track_code, ref=ref, item=item))
    builder.button(text=_("Not for me"), callback_data=CareCb(action="no", track=track_code, ref=ref, item=item))
    builder.adjust(2, 2)
    return builder.as_markup()


def appointments_keyboard(items: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for appointment_id, label in items:
        builder.button(text=_("✏️ Change {what}").format(what=label), callback_data=AppointmentCb(action="change", id=appointment_id))
        builder.button(text=_("🗑 Cancel {what}").format(what=label), callback_data=AppointmentCb(action="cancel", id=appointment_id))
    builder.button(text=_("➕ Add an appointment"), callback_data=AppointmentCb(action="add"))
    builder.adjust(*([2] * len(items)), 1)
    return builder.as_markup()


def confirm_cancel_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("Yes, cancel it"), callback_data=AppointmentCb(action="cancel_yes", id=appointment_id))
    builder.button(text=_("No, keep it"), callback_data=AppointmentCb(action="keep", id=appointment_id))
    builder.adjust(2)
    return builder.as_markup()


def change_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    """What to change in one of her appointments."""
    builder = Keyboard()
    builder.button(text=_("📅 Date and time"), callback_data=AppointmentCb(action="move", id=appointment_id))
    builder.button(text=_("📝 What it is"), callback_data=AppointmentCb(action="what", id=appointment_id))
    builder.button(text=_("📍 Where"), callback_data=AppointmentCb(action="place", id=appointment_id))
    builder.adjust(1)
    return builder.as_markup()


def skip_keyboard(action: str, appointment_id: int = 0) -> InlineKeyboardMarkup:
    """No set time, or skip the place. A change carries the appointment's id, so an old button cannot touch it."""
    builder = Keyboard()
    label = _("No set time") if action == "no_time" else _("Skip")
    builder.button(text=label, callback_data=AppointmentCb(action=action, id=appointment_id))
    return builder.as_markup()


def remove_place_keyboard(appointment_id: int) -> InlineKeyboardMarkup:
    builder = Keyboard()
    builder.button(text=_("🗑 Remove the place"), callback_data=AppointmentCb(action="no_place", id=appointment_id))
    return builder.as_markup()

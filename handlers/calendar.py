"""Answers to reminders (done, appointment, later, not for me), /calendar and /appointments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, MagicData, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.content.care import CareItem, care_item
from bot.context import AppContext
from bot.domain.calendar import SNOOZE, CareStatus, Track
from bot.domain.dates import format_date, parse_date
from bot.filters import pressed
from bot.keyboards.calendar import (
    AppointmentAction,
    AppointmentCb,
    CareAction,
    CareCb,
    appointments_keyboard,
    change_keyboard,
    confirm_cancel_keyboard,
    remove_place_keyboard,
    skip_keyboard,
)
from bot.logging_setup import log_event
from bot.services import care as care_service
from bot.views.calendar import (
    appointment_changed_text,
    appointment_saved_text,
    appointments_text,
    calendar_text,
    place_question,
    snoozed_text,
    too_long_text,
)
from db.care import AppointmentRecord
from db.records import Family
from handlers.replies import alert, example_date, mark_answered, stale, typed


class AppointmentFlow(StatesGroup):
    what = State()
    on_date = State()
    at_time = State()
    place = State()


# --- a reminder's buttons ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reminder:
    """The care item a reminder's button is about, checked to be of her current pregnancy, child or planning."""

    family: Family
    track: Track
    ref: int
    item: CareItem

    @property
    def user_id(self) -> int:
        return self.family.user.id


def _her_ref(family: Family, track: Track, ref: int) -> bool:
    if track is Track.PREGNANCY:
        return family.pregnancy is not None and family.pregnancy.id == ref
    if track is Track.CHILD:
        return any(c.id == ref for c in family.children)
    return track is Track.PLANNING and ref == 0


async def _her_reminder(callback: CallbackQuery, callback_data: CareCb, family: Family | None) -> dict[str, Reminder] | bool:
    """A filter: callback data is a claim; what it names must be hers and current (else the press is stale)."""
    track = callback_data.track.track
    item = care_item(callback_data.item)
    if family is None or item is None or item.track != track or not _her_ref(family, track, callback_data.ref):
        return False
    return {"reminder": Reminder(family, track, callback_data.ref, item)}


async def on_has_appointment(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, reminder: Reminder) -> None:
    """She has an appointment for it: its date, time and place are asked, and it replaces the reminders."""
    await mark_answered(callback)
    await state.set_state(AppointmentFlow.on_date)
    await state.set_data({
        "what": reminder.item.title(reminder.family.user.language),
        "care_item": f"{reminder.track}:{reminder.ref}:{reminder.item.id}",
    })
    await bot.send_message(
        reminder.user_id, _("On which date is it? For example: {example}").format(example=example_date(app, 7))
    )


async def _note(callback: CallbackQuery, bot: Bot, app: AppContext, reminder: Reminder, status: CareStatus, reply: str) -> None:
    await mark_answered(callback)
    await care_service.set_item_state(app, reminder.user_id, reminder.track, reminder.ref, reminder.item.id, status)
    await bot.send_message(reminder.user_id, reply)


async def on_done(callback: CallbackQuery, bot: Bot, app: AppContext, reminder: Reminder) -> None:
    await _note(callback, bot, app, reminder, CareStatus.DONE, _("Well done! I have noted it."))


async def on_later(callback: CallbackQuery, bot: Bot, app: AppContext, reminder: Reminder) -> None:
    await _note(callback, bot, app, reminder, CareStatus.SNOOZED, snoozed_text(SNOOZE.days))


async def on_not_for_me(callback: CallbackQuery, bot: Bot, app: AppContext, reminder: Reminder) -> None:
    await _note(callback, bot, app, reminder, CareStatus.NOT_FOR_ME, _("Understood. I will not remind you about this."))


async def on_stale_reminder_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)
    log_event("care_answer_refused", user_id=callback.from_user.id)


# --- /appointments and its buttons ---------------------------------------------------------------

async def on_appointments(message: Message, app: AppContext, state: FSMContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    await state.clear()
    upcoming = await care_service.upcoming_appointments(app, family.user.id)
    await message.answer(appointments_text(upcoming), reply_markup=appointments_keyboard([(a.id, a.what[:20]) for a in upcoming]))


async def _her_appointment(
    callback: CallbackQuery, callback_data: AppointmentCb, app: AppContext, family: Family
) -> dict[str, AppointmentRecord] | bool:
    """A filter: the button's appointment, as `appointment`, if it is hers and not cancelled."""
    appointment = await care_service.appointment_of(app, family.user.id, callback_data.id)
    return {"appointment": appointment} if appointment is not None else False


async def _for_the_question_on_screen(callback: CallbackQuery, callback_data: AppointmentCb, state: FSMContext) -> bool:
    """A filter for "No set time" and "Skip": only the question on screen now, about the appointment
    it names (0: a new one) — an old message's button changes nothing."""
    return bool((await state.get_data()).get("id", 0) == callback_data.id)


async def on_unregistered(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    alert(callback_answer, _("Please register first: send /start."))


async def on_stale_appointment_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)


async def on_no_time(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await state.update_data(at_time=None)
    await _after_time(bot, callback.from_user.id, state, app)


async def on_no_place(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await state.update_data(place=None)
    await _save(bot, callback.from_user.id, state, app)


async def on_add(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await state.set_state(AppointmentFlow.what)
    await state.set_data({})
    await bot.send_message(
        callback.from_user.id, _("What is the appointment? For example: ultrasound, or the vaccination at 2 months.")
    )


async def on_cancel(callback: CallbackQuery, bot: Bot, appointment: AppointmentRecord) -> None:
    await bot.send_message(
        callback.from_user.id,
        _("Cancel «{what}» on {date}?").format(what=html.quote(appointment.what), date=format_date(appointment.on_date)),
        reply_markup=confirm_cancel_keyboard(appointment.id),
    )


async def on_cancel_confirmed(callback: CallbackQuery, bot: Bot, app: AppContext, appointment: AppointmentRecord) -> None:
    await mark_answered(callback)
    await care_service.cancel_appointment(app, callback.from_user.id, appointment.id)
    await bot.send_message(callback.from_user.id, _("Cancelled. I will not remind you about it."))


async def on_keep(callback: CallbackQuery) -> None:
    await mark_answered(callback)


async def on_change(callback: CallbackQuery, bot: Bot, appointment: AppointmentRecord) -> None:
    await bot.send_message(
        callback.from_user.id,
        _("What would you like to change in «{what}» on {date}?").format(
            what=html.quote(appointment.what), date=format_date(appointment.on_date)
        ),
        reply_markup=change_keyboard(appointment.id),
    )


# Changing one of hers: the one thing she changes is asked; the rest of the appointment stays as it is.

async def _begin_change(callback: CallbackQuery, state: FSMContext, appointment: AppointmentRecord, change: AppointmentAction,
                        asked: State) -> dict[str, Any]:
    await mark_answered(callback)
    data = {
        "id": appointment.id,
        "change": change.value,
        "what": appointment.what,
        "on_date": appointment.on_date.isoformat(),
        "at_time": appointment.at_time,
        "place": appointment.place,
    }
    await state.set_data(data)
    await state.set_state(asked)
    return data


async def on_move(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, appointment: AppointmentRecord) -> None:
    await _begin_change(callback, state, appointment, AppointmentAction.MOVE, AppointmentFlow.on_date)
    await bot.send_message(
        callback.from_user.id, _("What is the new date? For example: {example}").format(example=example_date(app, 7))
    )


async def on_change_what(callback: CallbackQuery, bot: Bot, state: FSMContext, appointment: AppointmentRecord) -> None:
    await _begin_change(callback, state, appointment, AppointmentAction.WHAT, AppointmentFlow.what)
    await bot.send_message(
        callback.from_user.id,
        _("Now it says «{what}». What should it say? For example: ultrasound, or the vaccination at 2 months.").format(
            what=html.quote(appointment.what)
        ),
    )


async def on_change_place(callback: CallbackQuery, bot: Bot, state: FSMContext, appointment: AppointmentRecord) -> None:
    data = await _begin_change(callback, state, appointment, AppointmentAction.PLACE, AppointmentFlow.place)
    await bot.send_message(callback.from_user.id, place_question(appointment.place), reply_markup=_place_markup(data))


# --- an appointment typed, question by question ---------------------------------------------------

def _place_markup(data: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """A new appointment may skip the place; a change may take away the place it had."""
    if not data.get("id"):
        return skip_keyboard(AppointmentAction.NO_PLACE)
    return remove_place_keyboard(int(data["id"])) if data.get("place") else None


async def on_what(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    what = typed(message)
    if not what or what.startswith("/"):
        await message.answer(_("Please type a few words about the appointment."))
        return
    if len(what) > care_service.MAX_TEXT:
        await message.answer(too_long_text(care_service.MAX_TEXT))
        return
    data = await state.update_data(what=what)
    if data.get("id"):  # changing what one of hers is: nothing else to ask
        await _save(bot, message.chat.id, state, app)
        return
    await state.set_state(AppointmentFlow.on_date)
    await message.answer(_("On which date is it? For example: {example}").format(example=example_date(app, 7)))


async def on_date(message: Message, state: FSMContext, app: AppContext) -> None:
    when = parse_date(message.text or "", app.today())
    if when is None:
        await message.answer(_("I could not read this date. Please type it as day.month.year, for example 15.03.2027."))
        return
    if when < app.today() or when > app.today() + timedelta(days=366):
        await message.answer(_("Please type a date from today to one year ahead."))
        return
    data = await state.update_data(on_date=when.isoformat())
    await state.set_state(AppointmentFlow.at_time)
    await message.answer(
        _("At what time? For example: 14:30. If there is no set time, press the button."),
        reply_markup=skip_keyboard(AppointmentAction.NO_TIME, data.get("id", 0)),
    )


def parse_time(text: str) -> time | None:
    cleaned = text.strip().replace(".", ":").replace("-", ":").replace(" ", ":")
    try:
        hours, minutes = (int(part) for part in cleaned.split(":")) if ":" in cleaned else (int(cleaned), 0)
        return time(hours, minutes)
    except ValueError:
        return None


async def on_time(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    at = parse_time(message.text or "")
    if at is None:
        data = await state.get_data()
        await message.answer(
            _("I could not read this time. Please type it like 14:30."),
            reply_markup=skip_keyboard(AppointmentAction.NO_TIME, data.get("id", 0)),
        )
        return
    await state.update_data(at_time=at.strftime("%H:%M"))
    await _after_time(bot, message.chat.id, state, app)


async def _after_time(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    data = await state.get_data()
    if data.get("id"):  # moving one of hers: the date and time were all
        await _save(bot, chat_id, state, app)
        return
    await state.set_state(AppointmentFlow.place)
    await bot.send_message(chat_id, place_question(None), reply_markup=_place_markup(data))


async def on_place(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    place = typed(message)
    if not place or place.startswith("/"):
        await message.answer(
            _("Please type where the appointment is, for example: polyclinic No. 5, room 12."),
            reply_markup=_place_markup(await state.get_data()),
        )
        return
    if len(place) > care_service.MAX_TEXT:
        await message.answer(too_long_text(care_service.MAX_TEXT), reply_markup=_place_markup(await state.get_data()))
        return
    await state.update_data(place=place)
    await _save(bot, message.chat.id, state, app)


async def _save(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    data: dict[str, Any] = await state.get_data()
    await state.clear()
    saved = await care_service.save_appointment(app, chat_id, data)
    if not saved:
        await bot.send_message(chat_id, _("Sorry, I could not save this appointment. Please try again from /appointments."))
        return
    on_date = date.fromisoformat(data["on_date"])
    if data.get("id"):
        text = appointment_changed_text(on_date, data.get("at_time"), str(data["what"]), data.get("place"))
    else:
        text = appointment_saved_text(on_date, data.get("at_time"), str(data.get("what")))
    await bot.send_message(chat_id, text)


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please answer the question above with a short text."))


async def on_calendar(message: Message, app: AppContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    calendar = await care_service.her_calendar(app, family)
    await message.answer(calendar_text(calendar.entries, calendar.appointments, family.user.language))


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="calendar")
    # A reminder's buttons: each checks (_her_reminder) that what it names is hers and current.
    router.callback_query.register(on_done, CareCb.filter(F.action == CareAction.DONE), _her_reminder)
    router.callback_query.register(on_has_appointment, CareCb.filter(F.action == CareAction.APPOINTMENT), _her_reminder)
    router.callback_query.register(on_later, CareCb.filter(F.action == CareAction.LATER), _her_reminder)
    router.callback_query.register(on_not_for_me, CareCb.filter(F.action == CareAction.NOT_FOR_ME), _her_reminder)
    router.callback_query.register(on_stale_reminder_button, pressed(CareCb))
    # /appointments' buttons: hers only (so every handler below has her `family`).
    router.callback_query.register(on_unregistered, pressed(AppointmentCb), MagicData(F.family.is_(None)))
    router.callback_query.register(
        on_no_time,
        StateFilter(AppointmentFlow.at_time),
        AppointmentCb.filter(F.action == AppointmentAction.NO_TIME),
        _for_the_question_on_screen,
    )
    router.callback_query.register(
        on_no_place,
        StateFilter(AppointmentFlow.place),
        AppointmentCb.filter(F.action == AppointmentAction.NO_PLACE),
        _for_the_question_on_screen,
    )
    router.callback_query.register(on_add, AppointmentCb.filter(F.action == AppointmentAction.ADD))
    # An appointment of hers (_her_appointment: not someone else's, not cancelled meanwhile).
    router.callback_query.register(on_cancel, AppointmentCb.filter(F.action == AppointmentAction.CANCEL), _her_appointment)
    router.callback_query.register(
        on_cancel_confirmed, AppointmentCb.filter(F.action == AppointmentAction.CANCEL_YES), _her_appointment
    )
    router.callback_query.register(on_keep, AppointmentCb.filter(F.action == AppointmentAction.KEEP), _her_appointment)
    router.callback_query.register(on_change, AppointmentCb.filter(F.action == AppointmentAction.CHANGE), _her_appointment)
    router.callback_query.register(on_move, AppointmentCb.filter(F.action == AppointmentAction.MOVE), _her_appointment)
    router.callback_query.register(on_change_what, AppointmentCb.filter(F.action == AppointmentAction.WHAT), _her_appointment)
    router.callback_query.register(on_change_place, AppointmentCb.filter(F.action == AppointmentAction.PLACE), _her_appointment)
    router.callback_query.register(on_stale_appointment_button, pressed(AppointmentCb))
    router.message.register(on_calendar, Command("calendar"))
    router.message.register(on_appointments, Command("appointments"))
    router.message.register(on_what, StateFilter(AppointmentFlow.what), F.text)
    router.message.register(on_date, StateFilter(AppointmentFlow.on_date), F.text)
    router.message.register(on_time, StateFilter(AppointmentFlow.at_time), F.text)
    router.message.register(on_place, StateFilter(AppointmentFlow.place), F.text)
    router.message.register(on_flow_other, StateFilter(AppointmentFlow))
    return router

"""Answers to reminders (done, appointment, later, not for me), /calendar and /appointments."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content.care import care_item
from bot.context import AppContext
from bot.domain.calendar import CHILD, PLANNING, PREGNANCY, SNOOZE, TRACK_CODES
from bot.domain.dates import format_date, parse_date
from bot.keyboards.calendar import (
    AppointmentCb,
    CareCb,
    appointments_keyboard,
    change_keyboard,
    confirm_cancel_keyboard,
    remove_place_keyboard,
    skip_keyboard,
)
from bot.logging_setup import log_event
from bot.services import care as care_service
from bot.views.calendar import appointment_line
from db.care import AppointmentRecord
from db.records import Family
from handlers.replies import mark_answered

TRACKS_BY_CODE = {code: track for track, code in TRACK_CODES.items()}


class AppointmentFlow(StatesGroup):
    what = State()
    on_date = State()
    at_time = State()
    place = State()


def _her_ref(family: Family, track: str, ref: int) -> bool:
    """Callback data is a claim: the pregnancy or child must be hers and current."""
    if track == PREGNANCY:
        return family.pregnancy is not None and family.pregnancy.id == ref
    if track == CHILD:
        return any(c.id == ref for c in family.children)
    return track == PLANNING and ref == 0


async def on_care_answer(
    callback: CallbackQuery,
    callback_data: CareCb,
    bot: Bot,
    state: FSMContext,
    app: AppContext,
    family: Family | None,
) -> None:
    track = TRACKS_BY_CODE.get(callback_data.track)
    item = care_item(callback_data.item)
    if family is None or track is None or item is None or item.track.value != track or not _her_ref(family, track, callback_data.ref):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        log_event("care_answer_refused", user_id=callback.from_user.id)
        return
    await callback.answer()
    user_id = family.user.id
    action = callback_data.action
    if action == "appt":
        await mark_answered(callback)
        await state.set_state(AppointmentFlow.on_date)
        await state.set_data(
            {"what": item.title(family.user.language), "care_item": f"{track}:{callback_data.ref}:{item.id}"}
        )
        await bot.send_message(user_id, _("On which date is it? For example: {example}").format(example=_example_date(app)))
        return
    if action not in ("done", "later", "no"):
        return
    await mark_answered(callback)
    status = {"done": "done", "later": "snoozed", "no": "not_for_me"}[action]
    await care_service.set_item_state(app, user_id, track, callback_data.ref, item.id, status)
    replies = {
        "done": _("Well done! I have noted it."),
        "later": ngettext(
            "All right, I will remind you again in {days} day.", "All right, I will remind you again in {days} days.", SNOOZE.days
        ).format(days=SNOOZE.days),
        "no": _("Understood. I will not remind you about this."),
    }
    await bot.send_message(user_id, replies[action])


def _example_date(app: AppContext) -> str:
    return format_date(app.today() + timedelta(days=7))


async def on_appointments(message: Message, app: AppContext, state: FSMContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    await state.clear()
    upcoming = await care_service.upcoming_appointments(app, family.user.id)
    if not upcoming:
        text = _("You have no appointments saved. Add one, and I will remind you the day before and two hours before.")
    else:
        lines = [_("<b>Your appointments</b>"), ""]
        lines += [f"• {appointment_line(a.on_date, a.at_time, a.what, a.place)}" for a in upcoming]
        text = "\n".join(lines)
    buttons = [(a.id, a.what[:20]) for a in upcoming]
    await message.answer(text, reply_markup=appointments_keyboard(buttons))


async def on_appointment_button(
    callback: CallbackQuery, callback_data: AppointmentCb, bot: Bot, state: FSMContext, app: AppContext, family: Family | None
) -> None:
    if family is None:
        await callback.answer(_("Please register first: send /start."), show_alert=True)
        return
    user_id = family.user.id
    action = callback_data.action
    if action in ("no_time", "no_place"):
        # Only for the question on screen now, and for the appointment it is about (0: a new one).
        expected = AppointmentFlow.at_time.state if action == "no_time" else AppointmentFlow.place.state
        if await state.get_state() != expected or (await state.get_data()).get("id", 0) != callback_data.id:
            await callback.answer(_("This button is no longer active."), show_alert=True)
            return
        await callback.answer()
        await mark_answered(callback)
        if action == "no_time":
            await state.update_data(at_time=None)
            await _after_time(bot, user_id, state, app)
        else:
            await state.update_data(place=None)
            await _save(bot, user_id, state, app)
        return
    if action == "add":
        await callback.answer()
        await state.set_state(AppointmentFlow.what)
        await state.set_data({})
        await bot.send_message(user_id, _("What is the appointment? For example: ultrasound, or the vaccination at 2 months."))
        return
    appointment = await care_service.appointment_of(app, user_id, callback_data.id)
    if appointment is None:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()
    if action == "cancel":
        await bot.send_message(
            user_id,
            _("Cancel «{what}» on {date}?").format(what=html.quote(appointment.what), date=format_date(appointment.on_date)),
            reply_markup=confirm_cancel_keyboard(appointment.id),
        )
    elif action == "cancel_yes":
        await mark_answered(callback)
        await care_service.cancel_appointment(app, user_id, appointment.id)
        await bot.send_message(user_id, _("Cancelled. I will not remind you about it."))
    elif action == "keep":
        await mark_answered(callback)
    elif action == "change":
        await bot.send_message(
            user_id,
            _("What would you like to change in «{what}» on {date}?").format(
                what=html.quote(appointment.what), date=format_date(appointment.on_date)
            ),
            reply_markup=change_keyboard(appointment.id),
        )
    elif action in care_service.CHANGES:
        await mark_answered(callback)
        await _start_change(bot, user_id, state, app, appointment, action)


async def _start_change(
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, appointment: AppointmentRecord, change: str
) -> None:
    """Ask for the one thing she changes; the rest of the appointment stays as it is."""
    data = {
        "id": appointment.id,
        "change": change,
        "what": appointment.what,
        "on_date": appointment.on_date.isoformat(),
        "at_time": appointment.at_time,
        "place": appointment.place,
    }
    await state.set_data(data)
    if change == "move":
        await state.set_state(AppointmentFlow.on_date)
        await bot.send_message(chat_id, _("What is the new date? For example: {example}").format(example=_example_date(app)))
    elif change == "what":
        await state.set_state(AppointmentFlow.what)
        await bot.send_message(
            chat_id,
            _("Now it says «{what}». What should it say? For example: ultrasound, or the vaccination at 2 months.").format(
                what=html.quote(appointment.what)
            ),
        )
    else:
        await state.set_state(AppointmentFlow.place)
        await bot.send_message(chat_id, _place_question(appointment.place), reply_markup=_place_markup(data))


def _place_question(current: str | None) -> str:
    if current:
        return _("Now the place is «{place}». Where is it? For example: polyclinic No. 5, room 12.").format(
            place=html.quote(current)
        )
    return _("Where is it? For example: polyclinic No. 5, room 12.")


def _place_markup(data: dict[str, Any]) -> InlineKeyboardMarkup | None:
    """A new appointment may skip the place; a change may take away the place it had."""
    if not data.get("id"):
        return skip_keyboard("no_place")
    return remove_place_keyboard(int(data["id"])) if data.get("place") else None


def _typed(message: Message) -> str:
    return " ".join((message.text or "").split())


def _too_long() -> str:
    return _("This is a bit long for me. Please keep it to {limit} characters or fewer.").format(limit=care_service.MAX_TEXT)


async def on_what(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    what = _typed(message)
    if not what or what.startswith("/"):
        await message.answer(_("Please type a few words about the appointment."))
        return
    if len(what) > care_service.MAX_TEXT:
        await message.answer(_too_long())
        return
    data = await state.update_data(what=what)
    if data.get("id"):  # changing what one of hers is: nothing else to ask
        await _save(bot, message.chat.id, state, app)
        return
    await state.set_state(AppointmentFlow.on_date)
    await message.answer(_("On which date is it? For example: {example}").format(example=_example_date(app)))


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
        reply_markup=skip_keyboard("no_time", data.get("id", 0)),
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
            _("I could not read this time. Please type it like 14:30."), reply_markup=skip_keyboard("no_time", data.get("id", 0))
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
    await bot.send_message(chat_id, _place_question(None), reply_markup=_place_markup(data))


async def on_place(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    place = _typed(message)
    if not place or place.startswith("/"):
        await message.answer(
            _("Please type where the appointment is, for example: polyclinic No. 5, room 12."),
            reply_markup=_place_markup(await state.get_data()),
        )
        return
    if len(place) > care_service.MAX_TEXT:
        await message.answer(_too_long(), reply_markup=_place_markup(await state.get_data()))
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
        line = appointment_line(on_date, data.get("at_time"), str(data["what"]), data.get("place"))
        await bot.send_message(
            chat_id,
            _(
                "Changed. Your appointment now:\n{appointment}\n\n"
                "I will remind you the day before at 18:00 and, if it has a time, two hours before."
            ).format(appointment=line),
        )
        return
    await bot.send_message(
        chat_id,
        _("Saved: {what}, {when}. I will remind you the day before at 18:00 and, if you gave a time, two hours before.").format(
            what=html.quote(str(data.get("what"))),
            when=format_date(on_date) + (f", {data['at_time']}" if data.get("at_time") else ""),
        ),
    )


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please answer the question above with a short text."))


async def on_calendar(message: Message, app: AppContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    await message.answer(await care_service.calendar_text(app, family))


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="calendar")
    router.callback_query.register(on_care_answer, CareCb.filter())
    router.callback_query.register(on_appointment_button, AppointmentCb.filter())
    router.message.register(on_calendar, Command("calendar"))
    router.message.register(on_appointments, Command("appointments"))
    router.message.register(on_what, StateFilter(AppointmentFlow.what), F.text)
    router.message.register(on_date, StateFilter(AppointmentFlow.on_date), F.text)
    router.message.register(on_time, StateFilter(AppointmentFlow.at_time), F.text)
    router.message.register(on_place, StateFilter(AppointmentFlow.place), F.text)
    router.message.register(on_flow_other, StateFilter(AppointmentFlow))
    return router

"""Appointments staff set for a family from her card (and moving one to another date), and the
mother's answer: "✅ I'll come" / "🔁 I need another time".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.caseload import APPOINTMENT_KINDS, OTHER, text_problem
from bot.domain.dates import format_date
from bot.filters import IsStaff, pressed
from bot.keyboards import nurse as kb
from bot.keyboards.nurse import (
    MotherApptAction,
    MotherApptCb,
    NurseApptAction,
    NurseApptCb,
)
from bot.services import nurse_appointments as appointment_service
from bot.services.care import MAX_TEXT
from bot.views.caseload import when
from bot.views.replies import from_today, not_available, text_reply
from db.records import Family, StaffRecord
from handlers.calendar import parse_time
from handlers.replies import (
    Press,
    alert,
    example_date,
    family_brief,
    mark_answered,
    on_flow_other,
    on_forbidden,
    read_date,
    refusing,
    say_refused,
    stale,
    typed,
)


class NurseAppointmentFlow(StatesGroup):
    kind = State()
    what = State()
    on_date = State()
    at_time = State()
    place = State()


# --- appointments staff set ----------------------------------------------------------------------

async def start_appointment(press: Press) -> None:
    if not (found := await family_brief(press, "appointment")):
        return
    await press.state.set_state(NurseAppointmentFlow.kind)
    await press.state.set_data({"family_id": press.family_id})
    await press.bot.send_message(
        press.chat_id,
        _("<b>An appointment for {name}</b>\nWhat is it?").format(name=html.quote(found.family.user.name)),
        reply_markup=kb.appointment_kind_keyboard(),
    )


async def on_move_appointment(
    callback: CallbackQuery, callback_data: NurseApptCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    """"📅 Give another date" under her answer "I need another time"."""
    appointment = await appointment_service.appointment_for_staff(app, staff, callback_data.id)
    if appointment is None:
        await say_refused(callback, callback_answer)
        return
    if appointment.cancelled:
        alert(callback_answer, _("She has cancelled this appointment meanwhile."))
        return
    await state.set_state(NurseAppointmentFlow.on_date)
    await state.set_data({"family_id": appointment.user_id, "id": appointment.id})
    await bot.send_message(
        callback.from_user.id,
        _("A new date for «{what}» (now {date})? For example: {example}").format(
            what=html.quote(appointment.what), date=format_date(appointment.on_date), example=example_date(app, 7)
        ),
    )


# The buttons of the question on screen now (the others are stale: on_stale_appointment_button).

async def on_appointment_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await mark_answered(callback)
    await state.clear()
    await bot.send_message(callback.from_user.id, _("Cancelled: nothing is saved."))


async def on_appointment_kind(callback: CallbackQuery, callback_data: NurseApptCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await state.update_data(kind=callback_data.code)
    if callback_data.code == OTHER:
        await state.set_state(NurseAppointmentFlow.what)
        await bot.send_message(callback.from_user.id, _("What is it? A few words, for example: consultation with the paediatrician."))
    else:
        await _ask_appointment_date(bot, callback.from_user.id, state, app)


async def on_no_time(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await mark_answered(callback)
    await state.update_data(at_time=None)
    await _after_appointment_time(bot, callback.from_user.id, state, app, staff, staff_member)


async def on_no_place(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await mark_answered(callback)
    await state.update_data(place=None)
    await _save_appointment(bot, callback.from_user.id, state, app, staff, staff_member)


async def on_stale_appointment_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)


async def _ask_appointment_date(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    await state.set_state(NurseAppointmentFlow.on_date)
    await bot.send_message(chat_id, _("On which date? For example: {example}").format(example=example_date(app, 7)))


async def on_appointment_what(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    what = typed(message)
    problem = text_problem(what, MAX_TEXT)
    if problem is not None:
        await message.answer(text_reply(problem, MAX_TEXT, len(what)))
        return
    await state.update_data(what=what)
    await _ask_appointment_date(bot, message.chat.id, state, app)


async def on_appointment_date(message: Message, state: FSMContext, app: AppContext) -> None:
    on_date = await read_date(message, app, appointment_service.appointment_date_ok, from_today())
    if on_date is None:
        return
    await state.update_data(on_date=on_date.isoformat())
    await state.set_state(NurseAppointmentFlow.at_time)
    await message.answer(
        _("At what time? For example: 14:30. If there is no set time, press the button."),
        reply_markup=_no_time_keyboard(),
    )


def _no_time_keyboard() -> InlineKeyboardMarkup:
    return kb.skip_keyboard(NurseApptCb(action=NurseApptAction.NO_TIME), _("No set time"))


async def on_appointment_time(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    at = parse_time(message.text or "")
    if at is None:
        await message.answer(
            _("I could not read this time. Please type it like 14:30."),
            reply_markup=_no_time_keyboard(),
        )
        return
    await state.update_data(at_time=at.strftime("%H:%M"))
    await _after_appointment_time(bot, message.chat.id, state, app, staff, staff_member)


async def _after_appointment_time(
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, staff: Actor, member: StaffRecord
) -> None:
    if (await state.get_data()).get("id"):  # another date for one she set: nothing else to ask
        await _save_appointment(bot, chat_id, state, app, staff, member)
        return
    await state.set_state(NurseAppointmentFlow.place)
    await bot.send_message(
        chat_id,
        _("Where is it? For example: polyclinic No. 5, room 12. Or press «Skip»."),
        reply_markup=kb.skip_keyboard(NurseApptCb(action=NurseApptAction.NO_PLACE)),
    )


async def on_appointment_place(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    place = typed(message)
    problem = text_problem(place, MAX_TEXT)
    if problem is not None:
        skip = kb.skip_keyboard(NurseApptCb(action=NurseApptAction.NO_PLACE))
        await message.answer(text_reply(problem, MAX_TEXT, len(place)), reply_markup=skip)
        return
    await state.update_data(place=place)
    await _save_appointment(bot, message.chat.id, state, app, staff, staff_member)


async def _save_appointment(bot: Bot, chat_id: int, state: FSMContext, app: AppContext, staff: Actor, member: StaffRecord) -> None:
    data: dict[str, Any] = await state.get_data()
    await state.clear()
    family_id, on_date, at_time = int(data["family_id"]), date.fromisoformat(data["on_date"]), data.get("at_time")
    if data.get("id"):
        saved = await appointment_service.move_appointment(app, staff, int(data["id"]), on_date, at_time)
    else:
        saved = await appointment_service.set_appointment(
            app, staff, family_id, str(data.get("kind")), data.get("what"), on_date, at_time, data.get("place")
        ) is not None
    if not saved:
        await bot.send_message(chat_id, not_available())
        return
    await bot.send_message(
        chat_id,
        _("Saved: {date}. She is asked whether she can come, and you will get her answer here.").format(
            date=when(on_date, at_time)
        ),
        reply_markup=kb.back_to_card(family_id),
    )


# --- the mother's answer -------------------------------------------------------------------------

async def _her_answer(
    callback: CallbackQuery, callback_data: MotherApptCb, app: AppContext, family: Family | None, answer: CallbackAnswer
) -> bool:
    """Her answer saved (and the buttons taken away); False, said kindly, when the button no longer applies."""
    answered = (
        await appointment_service.answer_appointment(app, family.user.id, callback_data.id, callback_data.action) if family else None
    )
    if answered is None:
        stale(answer)
        return False
    await mark_answered(callback)
    return True


async def on_coming(
    callback: CallbackQuery, callback_data: MotherApptCb, bot: Bot, app: AppContext, family: Family | None,
    callback_answer: CallbackAnswer,
) -> None:
    if await _her_answer(callback, callback_data, app, family, callback_answer):
        await bot.send_message(callback.from_user.id, _("Thank you! Your nurse will know. I will remind you the evening before."))


async def on_other_time(
    callback: CallbackQuery, callback_data: MotherApptCb, bot: Bot, app: AppContext, family: Family | None,
    callback_answer: CallbackAnswer,
) -> None:
    if await _her_answer(callback, callback_data, app, family, callback_answer):
        await bot.send_message(
            callback.from_user.id,
            _(
                "All right, I have told your nurse: she will suggest another time. "
                "Until then the appointment stays in /appointments, where you can also cancel it."
            ),
        )


def build_router() -> Router:
    router = Router(name="nurse_appointments")
    is_staff = IsStaff()
    button = router.callback_query.register
    button(on_move_appointment, NurseApptCb.filter(F.action == NurseApptAction.MOVE), is_staff)
    button(on_appointment_cancel, NurseApptCb.filter(F.action == NurseApptAction.CANCEL), StateFilter(NurseAppointmentFlow), is_staff)
    kind = (F.action == NurseApptAction.KIND) & F.code.in_(APPOINTMENT_KINDS)
    button(on_appointment_kind, NurseApptCb.filter(kind), StateFilter(NurseAppointmentFlow.kind), is_staff)
    button(on_no_time, NurseApptCb.filter(F.action == NurseApptAction.NO_TIME), StateFilter(NurseAppointmentFlow.at_time), is_staff)
    button(on_no_place, NurseApptCb.filter(F.action == NurseApptAction.NO_PLACE), StateFilter(NurseAppointmentFlow.place), is_staff)
    button(on_stale_appointment_button, NurseApptCb.filter(), is_staff)
    text = (F.text, ~F.text.startswith("/"), is_staff)  # a command leaves the flow to its own router
    router.message.register(on_appointment_what, StateFilter(NurseAppointmentFlow.what), *text)
    router.message.register(on_appointment_date, StateFilter(NurseAppointmentFlow.on_date), *text)
    router.message.register(on_appointment_time, StateFilter(NurseAppointmentFlow.at_time), *text)
    router.message.register(on_appointment_place, StateFilter(NurseAppointmentFlow.place), *text)
    router.message.register(on_flow_other, StateFilter(NurseAppointmentFlow), ~F.text.startswith("/"), is_staff)
    # The mother's answer.
    button(on_coming, MotherApptCb.filter(F.action == MotherApptAction.COMING))
    button(on_other_time, MotherApptCb.filter(F.action == MotherApptAction.OTHER_TIME))
    button(on_stale_appointment_button, pressed(MotherApptCb))
    # Anyone not staff who reaches these buttons: refused and written down.
    button(on_forbidden, pressed(NurseApptCb), ~is_staff)
    button(refusing("appointment_unknown"), pressed(NurseApptCb))
    return router

"""The nurse's day: her families (and finding one), a family card and its actions (risk level, note,
home visit, support plan, appointment, reassigning), and the mother's side of these (/plan, her
answer to an appointment her nurse set).

Routers only route: every service checks again, with what the database says now, that she may see
the family; a refusal is audited and answered politely. "✉️ Write to her" (FamilyCb "message") is
handled by the questions router.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import FamilyCb, StaffMenuCb
from bot.caseload_views import (
    card_text,
    chosen_text,
    goal_text,
    family_list_text,
    mother_plan_text,
    risk_explanation,
    search_results_text,
    staff_plan_text,
    visit_saved_text,
)
from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.caseload import (
    APPOINTMENT_KINDS,
    ASSESSED,
    MAX_GOAL,
    MAX_NOTE,
    MAX_VISIT_NOTE,
    OTHER,
    RISKS,
    RiskLevel,
    text_problem,
    toggle,
)
from bot.domain.dates import format_date, parse_date
from bot.filters import IsStaff
from bot.keyboards import nurse as kb
from bot.keyboards.nurse import FamiliesCb, GoalCb, MotherApptCb, MotherPlanCb, NurseApptCb, ReassignCb, VisitCb
from bot.services import caseload as caseload_service
from bot.services import staff as staff_service
from bot.services.care import MAX_TEXT, entry_title
from bot.services.caseload import FamilyList
from db.records import Family, StaffRecord
from handlers.calendar import parse_time
from handlers.common import mark_answered, not_available, refuse, say_refused, set_buttons


class SearchFlow(StatesGroup):
    query = State()


class NoteFlow(StatesGroup):
    text = State()


class VisitFlow(StatesGroup):
    on_date = State()
    assessed = State()
    risks = State()
    note = State()


class GoalFlow(StatesGroup):
    goal = State()
    step = State()
    due = State()


class NurseAppointmentFlow(StatesGroup):
    kind = State()
    what = State()
    on_date = State()
    at_time = State()
    place = State()


async def _refused(callback: CallbackQuery) -> None:
    """The service said no (and wrote it to the audit log)."""
    await say_refused(callback)


async def _stale(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer active."), show_alert=True)


async def _edit(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show a screen in place of the message she pressed (the list, the card, the plan …)."""
    message = callback.message
    if not isinstance(message, Message):
        await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message:
            raise


def _typed(message: Message) -> str:
    return " ".join((message.text or "").split())


def _text_reply(problem: str, limit: int, length: int) -> str:
    """What to say when a typed text cannot be saved (see bot.domain.caseload.text_problem)."""
    if problem == "too_long":
        return _("This is {length} characters; please keep it to {limit} or fewer.").format(length=length, limit=limit)
    return _("Please type it as text.")


async def _read_date(message: Message, app: AppContext, fits: Callable[[date, date], bool], out_of_range: str) -> date | None:
    """A typed date within what `fits` (date, today) allows; else she is told why, and None."""
    typed = parse_date(message.text or "", app.today())
    if typed is None:
        await message.answer(_("I could not read this date. Please type it as day.month.year, for example 15.03.2027."))
        return None
    if not fits(typed, app.today()):
        await message.answer(out_of_range)
        return None
    return typed


def _from_today() -> str:
    return _("Please type a date from today to one year ahead.")


# --- "My families" -------------------------------------------------------------------------------

def _list_view(listing: FamilyList, member: StaffRecord, app: AppContext, staff: Actor) -> tuple[str, InlineKeyboardMarkup]:
    text = family_list_text(listing, member.language, app.today(), nurse=staff.is_nurse)
    names = [(e.family.user.id, e.family.user.name) for e in listing.entries]
    return text, kb.family_list_keyboard(names, listing.page, listing.pages)


async def on_families(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await state.clear()
    text, markup = _list_view(await caseload_service.families_page(app, staff, 0), staff_member, app, staff)
    if isinstance(event, CallbackQuery):
        await event.answer()
    await bot.send_message(event.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def on_families_button(
    callback: CallbackQuery, callback_data: FamiliesCb, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    if callback_data.action == "search":
        await callback.answer()
        await state.set_state(SearchFlow.query)
        await state.set_data({})
        await callback.bot.send_message(  # type: ignore[union-attr]
            callback.from_user.id, _("Type part of her name, or some digits of her phone number (for example 701 123):")
        )
        return
    await callback.answer()
    listing = await caseload_service.families_page(app, staff, callback_data.page)
    await _edit(callback, *_list_view(listing, staff_member, app, staff))


async def on_search(message: Message, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    query = _typed(message)
    listing = await caseload_service.search(app, staff, query) if not query.startswith("/") else None
    if listing is None:
        await message.answer(_("Please type at least three digits of her phone number, or a part of her name."))
        return
    await state.clear()
    names = [(e.family.user.id, e.family.user.name) for e in listing.entries]
    await message.answer(
        search_results_text(listing, query, staff_member.language, app.today()),
        reply_markup=kb.family_list_keyboard(names, 0, 1, paged=False),
    )


# --- the family card -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Press:
    """A button of a family card pressed: what every card action needs."""

    callback: CallbackQuery
    bot: Bot
    state: FSMContext
    app: AppContext
    staff: Actor
    member: StaffRecord
    family_id: int
    page: int

    @property
    def chat_id(self) -> int:
        return self.callback.from_user.id


async def _card_view(press: Press, action: str) -> tuple[str, InlineKeyboardMarkup] | None:
    card = await caseload_service.open_card(press.app, press.staff, press.family_id, action=action)
    if card is None:
        return None
    return card_text(card, press.member.language, press.app.today()), kb.card_keyboard(press.family_id, press.page)


async def _show_card(press: Press, *, in_place: bool, action: str = "open") -> None:
    """"open" (from a message about her) sends the card; "card" (from the list or one of the
    card's own screens) shows it in place."""
    view = await _card_view(press, action)
    if view is None:
        await _refused(press.callback)
        return
    await press.callback.answer()
    await press.state.clear()
    if in_place:
        await _edit(press.callback, *view)
    else:
        await press.bot.send_message(press.chat_id, view[0], reply_markup=view[1])


async def _set_risk(press: Press, level: RiskLevel) -> None:
    if not await caseload_service.set_risk(press.app, press.staff, press.family_id, level):
        await _refused(press.callback)
        return
    await press.callback.answer(_("Saved."))
    view = await _card_view(press, "risk")
    if view is not None:
        await _edit(press.callback, *view)


async def _plan(press: Press) -> None:
    plan = await caseload_service.plan_of(press.app, press.staff, press.family_id)
    if plan is None:
        await _refused(press.callback)
        return
    await press.callback.answer()
    family, goals = plan
    await _edit(press.callback, staff_plan_text(family.user.name, goals), kb.plan_keyboard(press.family_id, goals, press.page))


async def _brief(press: Press, action: str) -> caseload_service.FamilyBrief | None:
    """Who she is, once the service has checked the family is hers to see (else refused)."""
    found = await caseload_service.brief(press.app, press.staff, press.family_id, action)
    if found is None:
        await _refused(press.callback)
        return None
    await press.callback.answer()
    return found


async def _risk(press: Press) -> None:
    if found := await _brief(press, "risk"):
        await _edit(press.callback, risk_explanation(found.family.user.name, found.risk), kb.risk_keyboard(press.family_id, found.risk, press.page))


async def _note(press: Press) -> None:
    if not (found := await _brief(press, "note")):
        return
    await press.state.set_state(NoteFlow.text)
    await press.state.set_data({"family_id": press.family_id})
    lines = [_("<b>Note on {name}</b>").format(name=html.quote(found.family.user.name))]
    if found.note:
        lines += [_("Now:"), f"<i>{html.quote(found.note)}</i>", ""]
    lines.append(
        _("Type the note (up to {limit} characters); it replaces the one there is. Only staff see it, never the family.").format(
            limit=MAX_NOTE
        )
    )
    await press.bot.send_message(press.chat_id, "\n".join(lines), reply_markup=kb.note_keyboard(press.family_id, bool(found.note)))


async def _clear_note(press: Press) -> None:
    if not await caseload_service.set_note(press.app, press.staff, press.family_id, None):
        await _refused(press.callback)
        return
    await press.callback.answer()
    await press.state.clear()
    await mark_answered(press.callback)
    await press.bot.send_message(press.chat_id, _("The note is removed."), reply_markup=kb.back_to_card(press.family_id))


async def _visit(press: Press) -> None:
    if not (found := await _brief(press, "visit")):
        return
    today = press.app.today()
    await press.state.set_state(VisitFlow.on_date)
    await press.state.set_data({"family_id": press.family_id, "assessed": [], "risks": []})
    await press.bot.send_message(
        press.chat_id,
        _("<b>Home visit to {name}</b>\nWhen was it? Press «Today» or type the date, for example {example}.").format(
            name=html.quote(found.family.user.name), example=format_date(today - timedelta(days=1))
        ),
        reply_markup=kb.visit_date_keyboard(format_date(today)),
    )


async def _appointment(press: Press) -> None:
    if not (found := await _brief(press, "appointment")):
        return
    await press.state.set_state(NurseAppointmentFlow.kind)
    await press.state.set_data({"family_id": press.family_id})
    await press.bot.send_message(
        press.chat_id,
        _("<b>An appointment for {name}</b>\nWhat is it?").format(name=html.quote(found.family.user.name)),
        reply_markup=kb.appointment_kind_keyboard(),
    )


async def _reassign_choices(press: Press) -> None:
    nurses = await caseload_service.reassign_choices(press.app, press.staff, press.family_id)
    if nurses is None:
        await _refused(press.callback)
        return
    await press.callback.answer()
    if not nurses:
        text = _("There is no other nurse to hand this family to: ask your coordinator to invite one.")
    else:
        text = _("To which nurse should this family go? She and the family are told.")
    await _edit(press.callback, text, kb.reassign_keyboard(press.family_id, nurses, press.page))


_CARD_ACTIONS: dict[str, Callable[[Press], Awaitable[None]]] = {
    "open": lambda press: _show_card(press, in_place=False),
    "card": lambda press: _show_card(press, in_place=True, action="card"),
    "risk": _risk,
    "risk_prog": lambda press: _set_risk(press, RiskLevel.PROGRESSIVE),
    "risk_univ": lambda press: _set_risk(press, RiskLevel.UNIVERSAL),
    "note": _note,
    "note_clear": _clear_note,
    "visit": _visit,
    "plan": _plan,
    "appointment": _appointment,
    "reassign": _reassign_choices,
}


async def on_family(
    callback: CallbackQuery,
    callback_data: FamilyCb,
    bot: Bot,
    state: FSMContext,
    app: AppContext,
    staff: Actor,
    staff_member: StaffRecord,
) -> None:
    """Every button of a family card. Each action's service checks the family is hers to see."""
    action = _CARD_ACTIONS.get(callback_data.action)
    if action is None:  # no button of ours says this
        await staff_service.refuse(app, staff.user_id, "family_" + callback_data.action[:24], family_id=callback_data.family_id)
        await _refused(callback)
        return
    await action(Press(callback, bot, state, app, staff, staff_member, callback_data.family_id, callback_data.page))


async def on_note(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    note = (message.text or "").strip()
    problem = text_problem(note, MAX_NOTE)
    if problem is not None:
        await message.answer(
            _(
                "This note is {length} characters, and a note can hold up to {limit}. "
                "Could you shorten it a little, to the main points? Nothing is saved yet."
            ).format(length=len(note), limit=MAX_NOTE)
            if problem == "too_long"
            else _("Please type the note as text.")
        )
        return
    family_id = int((await state.get_data())["family_id"])
    await state.clear()
    if not await caseload_service.set_note(app, staff, family_id, note):
        await message.answer(not_available())
        return
    await message.answer(_("Saved: the note is on her card."), reply_markup=kb.back_to_card(family_id))


# --- reassigning ---------------------------------------------------------------------------------

async def on_reassign(callback: CallbackQuery, callback_data: ReassignCb, app: AppContext, staff: Actor) -> None:
    nurse = await caseload_service.reassign(app, staff, callback_data.family_id, callback_data.staff_id)
    if nurse is None:
        await _refused(callback)
        return
    await callback.answer()
    text = _("Done: {nurse} looks after this family now. She and the family are told.").format(nurse=html.quote(nurse.name))
    # An admin still sees the family; a nurse who handed her on does not.
    markup = kb.back_to_card(callback_data.family_id) if staff.is_admin else kb.back_to_list()
    await _edit(callback, text, markup)


# --- a home visit --------------------------------------------------------------------------------

async def _ask_assessed(bot: Bot, chat_id: int, state: FSMContext) -> None:
    await state.set_state(VisitFlow.assessed)
    await bot.send_message(
        chat_id, _("What did you assess? Choose all that apply, then press «Next»."), reply_markup=kb.assessed_keyboard([])
    )


async def on_visit_date(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    visited_on = await _read_date(
        message, app, caseload_service.visit_date_ok, _("Please type a date within the last year, and not in the future.")
    )
    if visited_on is None:
        return
    await state.update_data(visited_on=visited_on.isoformat())
    await _ask_assessed(bot, message.chat.id, state)


_CHOICES = {"a": ("assessed", ASSESSED, VisitFlow.assessed), "r": ("risks", RISKS, VisitFlow.risks)}


async def on_visit_button(callback: CallbackQuery, callback_data: VisitCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    """The buttons of a visit being recorded: only those of the question on screen now count."""
    current = await state.get_state()
    action, chat_id = callback_data.action, callback.from_user.id
    if action == "cancel" and current in VisitFlow:
        await callback.answer()
        await state.clear()
        await mark_answered(callback)
        await bot.send_message(chat_id, _("Cancelled: nothing is saved."))
    elif action == "today" and current == VisitFlow.on_date.state:
        await callback.answer()
        await mark_answered(callback)
        await state.update_data(visited_on=app.today().isoformat())
        await _ask_assessed(bot, chat_id, state)
    elif action in _CHOICES and current == _CHOICES[action][2].state:
        field, codes, _stage = _CHOICES[action]
        await callback.answer()
        chosen = toggle((await state.get_data()).get(field, []), callback_data.code, codes)
        await state.update_data({field: chosen})
        await set_buttons(callback, kb.assessed_keyboard(chosen) if field == "assessed" else kb.risks_keyboard(chosen))
    elif action == "next" and current == VisitFlow.assessed.state:
        await callback.answer()
        await mark_answered(callback, chosen_text((await state.get_data()).get("assessed", []), ASSESSED))
        await state.set_state(VisitFlow.risks)
        await bot.send_message(chat_id, _("Which risks did you name, if any?"), reply_markup=kb.risks_keyboard([]))
    elif action == "next" and current == VisitFlow.risks.state:
        await callback.answer()
        await mark_answered(callback, chosen_text((await state.get_data()).get("risks", []), RISKS))
        await state.set_state(VisitFlow.note)
        await bot.send_message(
            chat_id, _("Anything to note about the visit? Type it, or press «Skip»."), reply_markup=kb.skip_keyboard(VisitCb(action="skip"))
        )
    else:
        await _stale(callback)


async def on_visit_skip(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    await callback.answer()
    await mark_answered(callback)
    await _save_visit(bot, callback.from_user.id, state, app, staff, staff_member, None)


async def on_visit_note(message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    note = (message.text or "").strip()
    problem = text_problem(note, MAX_VISIT_NOTE)
    if problem is not None:
        await message.answer(_text_reply(problem, MAX_VISIT_NOTE, len(note)), reply_markup=kb.skip_keyboard(VisitCb(action="skip")))
        return
    await _save_visit(bot, message.chat.id, state, app, staff, staff_member, note)


async def _save_visit(
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, staff: Actor, member: StaffRecord, note: str | None
) -> None:
    data: dict[str, Any] = await state.get_data()
    await state.clear()
    family_id = int(data["family_id"])
    saved = await caseload_service.record_visit(
        app, staff, family_id, date.fromisoformat(data["visited_on"]), data.get("assessed", []), data.get("risks", []), note
    )
    if saved is None:
        await bot.send_message(chat_id, not_available())
        return
    title = entry_title(saved.entry, member.language) if saved.entry is not None else None
    markup = kb.suggest_progressive_keyboard(family_id) if saved.suggest_progressive else kb.back_to_card(family_id)
    await bot.send_message(chat_id, visit_saved_text(title, saved.suggest_progressive), reply_markup=markup)


# --- the support plan ----------------------------------------------------------------------------

def _example_date(app: AppContext, days: int = 14) -> str:
    return format_date(app.today() + timedelta(days=days))


async def on_goal_button(
    callback: CallbackQuery, callback_data: GoalCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor
) -> None:
    action, chat_id = callback_data.action, callback.from_user.id
    if action == "add":
        found = await caseload_service.brief(app, staff, callback_data.family_id, "plan")
        if found is None:
            await _refused(callback)
            return
        await callback.answer()
        await state.set_state(GoalFlow.goal)
        await state.set_data({"family_id": found.family.user.id})
        await bot.send_message(
            chat_id,
            _("What is the goal? A few words she will understand, for example: Breastfeeding goes well. (Up to {limit} characters.)").format(
                limit=MAX_GOAL
            ),
        )
        return
    goal = await caseload_service.goal_for_staff(app, staff, callback_data.goal_id)
    if goal is None:
        await _refused(callback)
        return
    await callback.answer()
    if action == "open":
        await _edit(callback, goal_text(None, goal), kb.goal_keyboard(goal))
    elif action == "remove":
        await _edit(callback, _("Remove this goal from her plan?") + "\n\n" + goal_text(None, goal), kb.remove_goal_keyboard(goal))
    elif action == "remove_yes":
        await caseload_service.remove_goal(app, staff, goal.id)
        await _show_plan(callback, app, staff, goal.user_id)
    elif action in ("goal", "step", "date"):
        await state.set_state({"goal": GoalFlow.goal, "step": GoalFlow.step, "date": GoalFlow.due}[action])
        await state.set_data({"family_id": goal.user_id, "goal_id": goal.id})
        prompts = {
            "goal": _("Now: «{now}». What should the goal say?").format(now=html.quote(goal.goal)),
            "step": _("Now: «{now}». What is the next step?").format(now=html.quote(goal.next_step)),
            "date": _("Now: {now}. What is the new date? For example: {example}").format(
                now=format_date(goal.due_on), example=_example_date(app)
            ),
        }
        await bot.send_message(chat_id, prompts[action])


async def _show_plan(event: CallbackQuery | Message, app: AppContext, staff: Actor, family_id: int) -> None:
    plan = await caseload_service.plan_of(app, staff, family_id)
    if plan is None:
        return
    family, goals = plan
    text, markup = staff_plan_text(family.user.name, goals), kb.plan_keyboard(family_id, goals, 0)
    if isinstance(event, CallbackQuery):
        await _edit(event, text, markup)
    else:
        await event.answer(text, reply_markup=markup)


async def _goal_change(message: Message, state: FSMContext, app: AppContext, staff: Actor, **change: Any) -> bool:
    """In a change of one goal (not a new one): save the one field and show the plan."""
    data = await state.get_data()
    if not data.get("goal_id"):
        return False
    await state.clear()
    if await caseload_service.change_goal(app, staff, int(data["goal_id"]), **change) is None:
        await message.answer(not_available())
        return True
    await message.answer(_("Saved."))
    await _show_plan(message, app, staff, int(data["family_id"]))
    return True


def _goal_words() -> dict[str, tuple[str, State, str]]:
    """The two typed parts of a goal: the field it fills, the next question and how it is asked."""
    return {
        GoalFlow.goal.state: (
            "goal",
            GoalFlow.step,
            _("What is the next step towards it? For example: Ask the nurse to watch one feed. (Up to {limit} characters.)"),
        ),
        GoalFlow.step.state: ("next_step", GoalFlow.due, _("By which date? For example: {example}")),
    }


async def on_goal_words(message: Message, state: FSMContext, app: AppContext, staff: Actor, raw_state: str | None) -> None:
    """The goal, then its next step (each at most MAX_GOAL characters)."""
    words = _typed(message)
    problem = text_problem(words, MAX_GOAL)
    if problem is not None:
        await message.answer(_text_reply(problem, MAX_GOAL, len(words)))
        return
    field, next_state, question = _goal_words()[str(raw_state)]
    if await _goal_change(message, state, app, staff, **{field: words}):
        return
    await state.update_data({field: words})
    await state.set_state(next_state)
    await message.answer(question.format(limit=MAX_GOAL, example=_example_date(app)))


async def on_goal_due(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    due_on = await _read_date(message, app, caseload_service.goal_date_ok, _from_today())
    if due_on is None:
        return
    if await _goal_change(message, state, app, staff, due_on=due_on):
        return
    data = await state.get_data()
    await state.clear()
    family_id = int(data["family_id"])
    if await caseload_service.add_goal(app, staff, family_id, str(data["goal"]), str(data["next_step"]), due_on) is None:
        await message.answer(not_available())
        return
    await message.answer(_("Added. She is told now, and reminded on {date}.").format(date=format_date(due_on)))
    await _show_plan(message, app, staff, family_id)


# --- appointments staff set ----------------------------------------------------------------------

async def on_appointment_button(
    callback: CallbackQuery, callback_data: NurseApptCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord,
) -> None:
    action, chat_id = callback_data.action, callback.from_user.id
    current = await state.get_state()
    if action == "move":
        appointment = await caseload_service.appointment_for_staff(app, staff, callback_data.id)
        if appointment is None:
            await _refused(callback)
            return
        if appointment.cancelled:
            await callback.answer(_("She has cancelled this appointment meanwhile."), show_alert=True)
            return
        await callback.answer()
        await state.set_state(NurseAppointmentFlow.on_date)
        await state.set_data({"family_id": appointment.user_id, "id": appointment.id})
        await bot.send_message(
            chat_id,
            _("A new date for «{what}» (now {date})? For example: {example}").format(
                what=html.quote(appointment.what), date=format_date(appointment.on_date), example=_example_date(app, 7)
            ),
        )
        return
    # Only the buttons of the question on screen now count.
    expected = {
        "cancel": current if current in NurseAppointmentFlow else None,
        "kind": NurseAppointmentFlow.kind.state if callback_data.code in APPOINTMENT_KINDS else None,
        "no_time": NurseAppointmentFlow.at_time.state,
        "no_place": NurseAppointmentFlow.place.state,
    }.get(action)
    if expected is None or current != expected:
        await _stale(callback)
        return
    await callback.answer()
    await mark_answered(callback)
    if action == "cancel":
        await state.clear()
        await bot.send_message(chat_id, _("Cancelled: nothing is saved."))
    elif action == "kind":
        await state.update_data(kind=callback_data.code)
        if callback_data.code == OTHER:
            await state.set_state(NurseAppointmentFlow.what)
            await bot.send_message(chat_id, _("What is it? A few words, for example: consultation with the paediatrician."))
        else:
            await _ask_appointment_date(bot, chat_id, state, app)
    elif action == "no_time":
        await state.update_data(at_time=None)
        await _after_appointment_time(bot, chat_id, state, app, staff, staff_member)
    else:
        await state.update_data(place=None)
        await _save_appointment(bot, chat_id, state, app, staff, staff_member)


async def _ask_appointment_date(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    await state.set_state(NurseAppointmentFlow.on_date)
    await bot.send_message(chat_id, _("On which date? For example: {example}").format(example=_example_date(app, 7)))


async def on_appointment_what(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    what = _typed(message)
    problem = text_problem(what, MAX_TEXT)
    if problem is not None:
        await message.answer(_text_reply(problem, MAX_TEXT, len(what)))
        return
    await state.update_data(what=what)
    await _ask_appointment_date(bot, message.chat.id, state, app)


async def on_appointment_date(message: Message, state: FSMContext, app: AppContext) -> None:
    on_date = await _read_date(message, app, caseload_service.appointment_date_ok, _from_today())
    if on_date is None:
        return
    await state.update_data(on_date=on_date.isoformat())
    await state.set_state(NurseAppointmentFlow.at_time)
    await message.answer(
        _("At what time? For example: 14:30. If there is no set time, press the button."),
        reply_markup=kb.skip_keyboard(NurseApptCb(action="no_time"), _("No set time")),
    )


async def on_appointment_time(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    at = parse_time(message.text or "")
    if at is None:
        await message.answer(
            _("I could not read this time. Please type it like 14:30."),
            reply_markup=kb.skip_keyboard(NurseApptCb(action="no_time"), _("No set time")),
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
        reply_markup=kb.skip_keyboard(NurseApptCb(action="no_place")),
    )


async def on_appointment_place(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    place = _typed(message)
    problem = text_problem(place, MAX_TEXT)
    if problem is not None:
        await message.answer(_text_reply(problem, MAX_TEXT, len(place)), reply_markup=kb.skip_keyboard(NurseApptCb(action="no_place")))
        return
    await state.update_data(place=place)
    await _save_appointment(bot, message.chat.id, state, app, staff, staff_member)


async def _save_appointment(bot: Bot, chat_id: int, state: FSMContext, app: AppContext, staff: Actor, member: StaffRecord) -> None:
    data: dict[str, Any] = await state.get_data()
    await state.clear()
    family_id, on_date, at_time = int(data["family_id"]), date.fromisoformat(data["on_date"]), data.get("at_time")
    if data.get("id"):
        saved = await caseload_service.move_appointment(app, staff, int(data["id"]), on_date, at_time)
    else:
        saved = await caseload_service.set_appointment(
            app, staff, family_id, str(data.get("kind")), data.get("what"), on_date, at_time, data.get("place")
        ) is not None
    if not saved:
        await bot.send_message(chat_id, not_available())
        return
    await bot.send_message(
        chat_id,
        _("Saved: {date}. She is asked whether she can come, and you will get her answer here.").format(
            date=format_date(on_date) + (f", {at_time}" if at_time else "")
        ),
        reply_markup=kb.back_to_card(family_id),
    )


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please answer the question above with a short text, or press /families to leave."))


# --- the mother's side ---------------------------------------------------------------------------

async def _send_plan(bot: Bot, chat_id: int, app: AppContext, in_place: CallbackQuery | None = None) -> None:
    goals = await caseload_service.my_plan(app, chat_id)
    if in_place is not None:
        await _edit(in_place, mother_plan_text(goals), kb.mother_plan_keyboard(goals))
    else:
        await bot.send_message(chat_id, mother_plan_text(goals), reply_markup=kb.mother_plan_keyboard(goals))


async def on_plan(message: Message, bot: Bot, app: AppContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    await _send_plan(bot, message.chat.id, app)


async def on_mother_plan(callback: CallbackQuery, callback_data: MotherPlanCb, bot: Bot, app: AppContext, family: Family | None) -> None:
    if family is None:
        await _stale(callback)
        return
    if callback_data.action == "done":
        if await caseload_service.tick_goal(app, family.user.id, callback_data.goal_id) is None:
            await _stale(callback)
            return
        await callback.answer(_("Well done!"))
        if callback_data.in_plan:
            await _send_plan(bot, family.user.id, app, in_place=callback)
            return
        await mark_answered(callback)
    else:
        await callback.answer()
    await _send_plan(bot, family.user.id, app)


async def on_mother_appointment(callback: CallbackQuery, callback_data: MotherApptCb, bot: Bot, app: AppContext, family: Family | None) -> None:
    answered = (
        await caseload_service.answer_appointment(app, family.user.id, callback_data.id, callback_data.action) if family else None
    )
    if answered is None:
        await _stale(callback)
        return
    await callback.answer()
    await mark_answered(callback)
    if callback_data.action == "coming":
        text = _("Thank you! Your nurse will know. I will remind you the evening before.")
    else:
        text = _(
            "All right, I have told your nurse: she will suggest another time. "
            "Until then the appointment stays in /appointments, where you can also cancel it."
        )
    await bot.send_message(callback.from_user.id, text)


# --- refusals ------------------------------------------------------------------------------------

async def on_forbidden(event: Message | CallbackQuery, app: AppContext) -> None:
    """A staff button or command from someone who is not staff (or not any more): refused, audited."""
    await refuse(event, app, "staff_only")


def build_router() -> Router:
    router = Router(name="nurse")
    is_staff = IsStaff()
    router.message.register(on_families, Command("families"), is_staff)
    router.callback_query.register(on_families, StaffMenuCb.filter(F.action == "families"), is_staff)
    router.callback_query.register(on_families_button, FamiliesCb.filter(), is_staff)
    router.callback_query.register(on_family, FamilyCb.filter(F.action != "message"), is_staff)
    router.callback_query.register(on_reassign, ReassignCb.filter(), is_staff)
    router.callback_query.register(on_visit_skip, StateFilter(VisitFlow.note), VisitCb.filter(F.action == "skip"), is_staff)
    router.callback_query.register(on_visit_button, VisitCb.filter(), is_staff)
    router.callback_query.register(on_goal_button, GoalCb.filter(), is_staff)
    router.callback_query.register(on_appointment_button, NurseApptCb.filter(), is_staff)
    text = (F.text, ~F.text.startswith("/"), is_staff)  # a command leaves the flow to its own router
    router.message.register(on_search, StateFilter(SearchFlow.query), *text)
    router.message.register(on_note, StateFilter(NoteFlow.text), *text)
    router.message.register(on_visit_date, StateFilter(VisitFlow.on_date), *text)
    router.message.register(on_visit_note, StateFilter(VisitFlow.note), *text)
    router.message.register(on_goal_words, StateFilter(GoalFlow.goal, GoalFlow.step), *text)
    router.message.register(on_goal_due, StateFilter(GoalFlow.due), *text)
    router.message.register(on_appointment_what, StateFilter(NurseAppointmentFlow.what), *text)
    router.message.register(on_appointment_date, StateFilter(NurseAppointmentFlow.on_date), *text)
    router.message.register(on_appointment_time, StateFilter(NurseAppointmentFlow.at_time), *text)
    router.message.register(on_appointment_place, StateFilter(NurseAppointmentFlow.place), *text)
    router.message.register(
        on_flow_other, StateFilter(SearchFlow, NoteFlow, VisitFlow, GoalFlow, NurseAppointmentFlow), ~F.text.startswith("/"), is_staff
    )
    # The mother's side.
    router.message.register(on_plan, Command("plan"), ~is_staff)
    router.callback_query.register(on_mother_plan, MotherPlanCb.filter())
    router.callback_query.register(on_mother_appointment, MotherApptCb.filter(F.action.in_(caseload_service.RESPONSES)))
    # Anyone not staff who reaches a staff button: refused and written down. (Staff's "✉️ Write to
    # her" goes on to the questions router.)
    for callback_data in (FamilyCb, FamiliesCb, ReassignCb, VisitCb, GoalCb, NurseApptCb):
        router.callback_query.register(on_forbidden, callback_data.filter(), ~is_staff)
    router.callback_query.register(on_forbidden, StaffMenuCb.filter(F.action == "families"), ~is_staff)
    return router

"""The support plan: the nurse's side (goals with a next step and a date: add, change, remove) and
the mother's (`/plan`, and ticking a goal off).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.caseload import MAX_GOAL, text_problem
from bot.domain.dates import format_date
from bot.filters import IsStaff, pressed
from bot.keyboards import nurse as kb
from bot.keyboards.nurse import GoalAction, GoalCb, MotherPlanAction, MotherPlanCb
from bot.services import caseload as caseload_service
from bot.services import plans as plan_service
from bot.views.caseload import goal_text, mother_plan_text, staff_plan_text
from bot.views.replies import from_today, not_available, text_reply
from db.caseload import GoalRecord
from db.records import Family
from handlers.replies import (
    Press,
    answer_or_refuse,
    example_date,
    mark_answered,
    on_flow_other,
    on_forbidden,
    read_date,
    refusing,
    say_refused,
    show_in_place,
    stale,
    typed,
)


class GoalFlow(StatesGroup):
    goal = State()
    step = State()
    due = State()


# --- the nurse's side ----------------------------------------------------------------------------

async def open_plan(press: Press) -> None:
    plan = await answer_or_refuse(press, await plan_service.plan_of(press.app, press.staff, press.family_id))
    if plan is None:
        return
    family, goals = plan
    await show_in_place(press.callback, staff_plan_text(family.user.name, goals), kb.plan_keyboard(press.family_id, goals, press.page))


async def on_add_goal(
    callback: CallbackQuery, callback_data: GoalCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    found = await caseload_service.brief(app, staff, callback_data.family_id, "plan")
    if found is None:
        await say_refused(callback, callback_answer)
        return
    await state.set_state(GoalFlow.goal)
    await state.set_data({"family_id": found.family.user.id})
    await bot.send_message(
        callback.from_user.id,
        _("What is the goal? A few words she will understand, for example: Breastfeeding goes well. (Up to {limit} characters.)").format(
            limit=MAX_GOAL
        ),
    )


async def _goal(callback: CallbackQuery, callback_data: GoalCb, app: AppContext, staff: Actor, answer: CallbackAnswer) -> GoalRecord | None:
    """The goal the button is about, if it is of a family she may see; else refused (and audited)."""
    goal = await plan_service.goal_for_staff(app, staff, callback_data.goal_id)
    if goal is None:
        await say_refused(callback, answer)
    return goal


async def on_open_goal(
    callback: CallbackQuery, callback_data: GoalCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    if goal := await _goal(callback, callback_data, app, staff, callback_answer):
        await show_in_place(callback, goal_text(None, goal), kb.goal_keyboard(goal))


async def on_remove_goal(
    callback: CallbackQuery, callback_data: GoalCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    if goal := await _goal(callback, callback_data, app, staff, callback_answer):
        await show_in_place(callback, _("Remove this goal from her plan?") + "\n\n" + goal_text(None, goal), kb.remove_goal_keyboard(goal))


async def on_remove_goal_yes(
    callback: CallbackQuery, callback_data: GoalCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    if goal := await _goal(callback, callback_data, app, staff, callback_answer):
        await plan_service.remove_goal(app, staff, goal.id)
        await _show_plan(callback, app, staff, goal.user_id)


async def _ask_change(bot: Bot, chat_id: int, state: FSMContext, goal: GoalRecord, asking: State, question: str) -> None:
    """One part of a goal to change: the next thing she types replaces it."""
    await state.set_state(asking)
    await state.set_data({"family_id": goal.user_id, "goal_id": goal.id})
    await bot.send_message(chat_id, question)


async def on_change_goal(
    callback: CallbackQuery, callback_data: GoalCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    if goal := await _goal(callback, callback_data, app, staff, callback_answer):
        question = _("Now: «{now}». What should the goal say?").format(now=html.quote(goal.goal))
        await _ask_change(bot, callback.from_user.id, state, goal, GoalFlow.goal, question)


async def on_change_step(
    callback: CallbackQuery, callback_data: GoalCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    if goal := await _goal(callback, callback_data, app, staff, callback_answer):
        question = _("Now: «{now}». What is the next step?").format(now=html.quote(goal.next_step))
        await _ask_change(bot, callback.from_user.id, state, goal, GoalFlow.step, question)


async def on_change_date(
    callback: CallbackQuery, callback_data: GoalCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    if goal := await _goal(callback, callback_data, app, staff, callback_answer):
        question = _("Now: {now}. What is the new date? For example: {example}").format(
            now=format_date(goal.due_on), example=example_date(app)
        )
        await _ask_change(bot, callback.from_user.id, state, goal, GoalFlow.due, question)


async def _show_plan(event: CallbackQuery | Message, app: AppContext, staff: Actor, family_id: int) -> None:
    plan = await plan_service.plan_of(app, staff, family_id)
    if plan is None:
        return
    family, goals = plan
    text, markup = staff_plan_text(family.user.name, goals), kb.plan_keyboard(family_id, goals, 0)
    if isinstance(event, CallbackQuery):
        await show_in_place(event, text, markup)
    else:
        await event.answer(text, reply_markup=markup)


async def _goal_change(message: Message, state: FSMContext, app: AppContext, staff: Actor, **change: Any) -> bool:
    """In a change of one goal (not a new one): save the one field and show the plan."""
    data = await state.get_data()
    if not data.get("goal_id"):
        return False
    await state.clear()
    if await plan_service.change_goal(app, staff, int(data["goal_id"]), **change) is None:
        await message.answer(not_available())
        return True
    await message.answer(_("Saved."))
    await _show_plan(message, app, staff, int(data["family_id"]))
    return True


async def _take_words(message: Message, state: FSMContext, app: AppContext, staff: Actor, field: str) -> str | None:
    """The goal or its next step, as typed (at most MAX_GOAL characters): saved at once in a change of
    one goal (None), else returned for the next question."""
    words = typed(message)
    problem = text_problem(words, MAX_GOAL)
    if problem is not None:
        await message.answer(text_reply(problem, MAX_GOAL, len(words)))
        return None
    if await _goal_change(message, state, app, staff, **{field: words}):
        return None
    await state.update_data({field: words})
    return words


async def on_goal_words(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    if await _take_words(message, state, app, staff, "goal") is not None:
        await state.set_state(GoalFlow.step)
        await message.answer(
            _("What is the next step towards it? For example: Ask the nurse to watch one feed. (Up to {limit} characters.)").format(
                limit=MAX_GOAL
            )
        )


async def on_step_words(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    if await _take_words(message, state, app, staff, "next_step") is not None:
        await state.set_state(GoalFlow.due)
        await message.answer(_("By which date? For example: {example}").format(example=example_date(app)))


async def on_goal_due(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    due_on = await read_date(message, app, plan_service.goal_date_ok, from_today())
    if due_on is None:
        return
    if await _goal_change(message, state, app, staff, due_on=due_on):
        return
    data = await state.get_data()
    await state.clear()
    family_id = int(data["family_id"])
    if await plan_service.add_goal(app, staff, family_id, str(data["goal"]), str(data["next_step"]), due_on) is None:
        await message.answer(not_available())
        return
    await message.answer(_("Added. She is told now, and reminded on {date}.").format(date=format_date(due_on)))
    await _show_plan(message, app, staff, family_id)


# --- the mother's side ---------------------------------------------------------------------------

async def _send_plan(bot: Bot, chat_id: int, app: AppContext, in_place: CallbackQuery | None = None) -> None:
    goals = await plan_service.my_plan(app, chat_id)
    if in_place is not None:
        await show_in_place(in_place, mother_plan_text(goals), kb.mother_plan_keyboard(goals))
    else:
        await bot.send_message(chat_id, mother_plan_text(goals), reply_markup=kb.mother_plan_keyboard(goals))


async def on_plan(message: Message, bot: Bot, app: AppContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    await _send_plan(bot, message.chat.id, app)


async def on_show_plan(callback: CallbackQuery, bot: Bot, app: AppContext, family: Family | None, callback_answer: CallbackAnswer) -> None:
    if family is None:
        stale(callback_answer)
        return
    await _send_plan(bot, family.user.id, app)


async def on_goal_done(
    callback: CallbackQuery, callback_data: MotherPlanCb, bot: Bot, app: AppContext, family: Family | None,
    callback_answer: CallbackAnswer,
) -> None:
    if family is None or await plan_service.tick_goal(app, family.user.id, callback_data.goal_id) is None:
        stale(callback_answer)
        return
    callback_answer.text = _("Well done!")
    if callback_data.in_plan:
        await _send_plan(bot, family.user.id, app, in_place=callback)
        return
    await mark_answered(callback)
    await _send_plan(bot, family.user.id, app)


async def on_stale_plan_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)


def build_router() -> Router:
    router = Router(name="plans")
    is_staff = IsStaff()
    button = router.callback_query.register
    button(on_add_goal, GoalCb.filter(F.action == GoalAction.ADD), is_staff)
    button(on_open_goal, GoalCb.filter(F.action == GoalAction.OPEN), is_staff)
    button(on_change_goal, GoalCb.filter(F.action == GoalAction.GOAL), is_staff)
    button(on_change_step, GoalCb.filter(F.action == GoalAction.STEP), is_staff)
    button(on_change_date, GoalCb.filter(F.action == GoalAction.DATE), is_staff)
    button(on_remove_goal, GoalCb.filter(F.action == GoalAction.REMOVE), is_staff)
    button(on_remove_goal_yes, GoalCb.filter(F.action == GoalAction.REMOVE_YES), is_staff)
    text = (F.text, ~F.text.startswith("/"), is_staff)  # a command leaves the flow to its own router
    router.message.register(on_goal_words, StateFilter(GoalFlow.goal), *text)
    router.message.register(on_step_words, StateFilter(GoalFlow.step), *text)
    router.message.register(on_goal_due, StateFilter(GoalFlow.due), *text)
    router.message.register(on_flow_other, StateFilter(GoalFlow), ~F.text.startswith("/"), is_staff)
    # The mother's side.
    router.message.register(on_plan, Command("plan"), ~is_staff)
    button(on_show_plan, MotherPlanCb.filter(F.action == MotherPlanAction.SHOW))
    button(on_goal_done, MotherPlanCb.filter(F.action == MotherPlanAction.DONE))
    button(on_stale_plan_button, pressed(MotherPlanCb))
    # Anyone not staff who reaches these buttons: refused and written down.
    button(on_forbidden, pressed(GoalCb), ~is_staff)
    button(refusing("goal_unknown"), pressed(GoalCb))
    return router

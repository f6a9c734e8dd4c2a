"""The question for each step, moving to the next one, and the profile card.

Registration and profile edits share these: each handler stores an answer in the FSM data and
calls `advance`, which asks whatever `next_step` says is missing (or saves a finished edit).
"""

from __future__ import annotations

from types import EllipsisType
from typing import Unpack, cast

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.flow import Draft, Mode, Step, next_step
from bot.keyboards import profile as profile_kb
from bot.keyboards import registration as kb
from bot.logging_setup import log_event
from bot.services import families as family_service
from bot.views.profile import profile_text
from bot.views.registration import step_question
from db.records import Family

# One state per question, named "Flow:<step value>": one list (Step), and the names flows stored in
# the database already carry. APPLY is no question: a finished profile edit is saved at once.
_STATES: dict[Step, State] = {step: State() for step in Step if step is not Step.APPLY}
Flow = type("Flow", (StatesGroup,), {step.value: state for step, state in _STATES.items()})


def state_for(step: Step) -> State:
    """The state of a step's question (what handlers filter on; `Flow`'s attributes are made at run time)."""
    return _STATES[step]


def step_of(state_name: str | None) -> Step | None:
    if not state_name or not state_name.startswith("Flow:"):
        return None
    return Step(state_name.removeprefix("Flow:"))


async def draft_of(state: FSMContext) -> Draft:
    """Her answers so far (the FSM data is what the handlers of a flow wrote: a Draft)."""
    return cast(Draft, await state.get_data())


async def update_draft(state: FSMContext, **answers: Unpack[Draft]) -> Draft:
    return cast(Draft, await state.update_data(answers))


def step_keyboard(step: Step, data: Draft, lang: str) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The buttons under a step's question (None where she types the answer)."""
    match step:
        case Step.LANGUAGE:
            return kb.language_keyboard()
        case Step.CONSENT:
            return kb.consent_keyboard()
        case Step.ROLES:
            return kb.roles_keyboard(data.get("roles", []))
        case Step.PHONE:
            return kb.phone_keyboard()
        case Step.REGION:
            return kb.region_keyboard(lang)
        case Step.POLYCLINIC:
            return kb.polyclinic_keyboard(data["region"], lang)
        case Step.DATING_METHOD:
            return kb.dating_method_keyboard()
        case Step.DATING_CONFIRM:
            return kb.dating_confirm_keyboard()
        case Step.CHILD_SEX:
            return kb.sex_keyboard()
        case Step.CHILD_GESTATION | Step.CHILD_WEIGHT:
            return kb.dont_know_keyboard()
        case Step.MORE_CHILDREN:
            return kb.more_children_keyboard()
        case Step.SUMMARY:
            return kb.summary_keyboard(data.get("roles", []))
    return None


async def ask(step: Step, bot: Bot, chat_id: int, data: Draft, app: AppContext) -> None:
    lang = data.get("lang") or app.settings.default_language
    text = step_question(step, data, app.today(), app.i18n)
    await bot.send_message(chat_id, text, reply_markup=step_keyboard(step, data, lang))


async def advance(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    """Ask the next missing answer, or save a finished profile edit."""
    data = await draft_of(state)
    step = next_step(data)
    if step is Step.APPLY:
        try:
            await family_service.apply_profile_edit(app, chat_id, data)
        except family_service.InvalidDraft:
            log_event("profile_edit_rejected", user_id=chat_id)
            await state.clear()
            await bot.send_message(chat_id, _("Sorry, I could not save this change. Please try again from /profile."))
            return
        await state.clear()
        await bot.send_message(chat_id, _("Saved."), reply_markup=ReplyKeyboardRemove())
        await send_profile(bot, chat_id, app)
        return
    await state.set_state(state_for(step))
    await ask(step, bot, chat_id, data, app)


async def reask(
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, raw_state: str | None | EllipsisType = ...
) -> bool:
    """Repeat the current question (after a stray message or command). False if no flow is open.

    Pass the handler's `raw_state` when it has one: it saves a read on the hot path.
    """
    step = step_of(await state.get_state() if raw_state is ... else raw_state)
    if step is None:
        return False
    await ask(step, bot, chat_id, await draft_of(state), app)
    return True


async def start_profile_edit(state: FSMContext, edit: Draft) -> None:
    """A profile edit begins, whatever flow was open: `edit` holds her language and what it changes."""
    draft: Draft = {"mode": Mode.PROFILE.value, **edit}
    await state.set_state(None)
    await state.set_data(draft)


async def send_profile(bot: Bot, chat_id: int, app: AppContext, family: Family | None = None) -> None:
    """Her profile card. Pass the update's `family` when nothing changed since it was loaded."""
    family = family or await family_service.load_family(app, chat_id)
    if family is None:
        await bot.send_message(chat_id, _("You are not registered yet. Send /start to begin."))
        return
    today = app.today()
    user = family.user
    dating = family_service.dating_of(family.pregnancy) if family.pregnancy else None
    text = profile_text(
        name=user.name,
        phone=user.phone,
        lang=user.language,
        region=user.region,
        polyclinic=user.polyclinic,
        planning=user.planning,
        paused=user.paused,
        dating=dating,
        kids=[(c.name, c.birth_date, c.sex) for c in family.children],
        today=today,
    )
    await bot.send_message(
        chat_id,
        text,
        reply_markup=profile_kb.profile_keyboard(
            pregnant=family.pregnancy is not None,
            planning=user.planning,
            children=[(c.id, c.name) for c in family.children],
        ),
    )


"""The question for each step, moving to the next one, and the profile card.

Registration and profile edits share these: each handler stores an answer in the FSM data and
calls `advance`, which asks whatever `next_step` says is missing (or saves a finished edit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.flow import Mode, Step, next_step
from bot.keyboards import profile as profile_kb
from bot.keyboards import registration as kb
from bot.logging_setup import log_event
from bot.services import families as family_service
from bot.views.profile import profile_text
from bot.views.registration import step_question
from db.records import Family


class Flow(StatesGroup):
    """One state per question; the state names are Step values."""

    language = State()
    consent = State()
    roles = State()
    name = State()
    phone = State()
    region = State()
    polyclinic = State()
    dating_method = State()
    dating_date = State()
    dating_week = State()
    dating_confirm = State()
    child_name = State()
    child_birth = State()
    child_sex = State()
    child_gestation = State()
    child_weight = State()
    more_children = State()
    summary = State()


def state_for(step: Step) -> State:
    return getattr(Flow, step.value)  # type: ignore[no-any-return]


def step_of(state_name: str | None) -> Step | None:
    if not state_name or not state_name.startswith("Flow:"):
        return None
    return Step(state_name.removeprefix("Flow:"))


def step_keyboard(step: Step, data: Mapping[str, Any], lang: str) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
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


async def ask(step: Step, bot: Bot, chat_id: int, data: Mapping[str, Any], app: AppContext) -> None:
    lang = data.get("lang") or app.settings.default_language
    text = step_question(step, data, app.today(), app.i18n)
    await bot.send_message(chat_id, text, reply_markup=step_keyboard(step, data, lang))


async def advance(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    """Ask the next missing answer, or save a finished profile edit."""
    data = await state.get_data()
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
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, raw_state: str | None | object = ...
) -> bool:
    """Repeat the current question (after a stray message or command). False if no flow is open.

    Pass the handler's `raw_state` when it has one: it saves a read on the hot path.
    """
    step = step_of(await state.get_state() if raw_state is ... else raw_state)  # type: ignore[arg-type]
    if step is None:
        return False
    await ask(step, bot, chat_id, await state.get_data(), app)
    return True


async def start_profile_edit(state: FSMContext, lang: str, target: str, **extra: Any) -> None:
    await state.set_state(None)
    await state.set_data({"mode": Mode.PROFILE.value, "lang": lang, "target": target, **extra})


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


"""Answers to the registration questions. Profile edits reuse the same questions (see steps.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Literal

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.commands import set_chat_commands
from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.context import AppContext
from bot.domain.birth import (
    asks_birth_facts,
    fits_pregnancy,
    parse_birth_weight,
    parse_gestation_weeks,
)
from bot.domain.children import MAX_CHILDREN, BirthDateError, validate_birth_date
from bot.domain.dates import parse_date
from bot.domain.flow import (
    ChildDraft,
    Draft,
    EditTarget,
    Mode,
    Role,
    Step,
    child_complete,
    dating_from_draft,
    dating_to_draft,
    toggle_role,
)
from bot.domain.names import clean_person_name
from bot.domain.phone import format_phone
from bot.domain.pregnancy import (
    FULL_TERM_DAYS,
    DatingError,
    DatingMethod,
    DatingValidationError,
    PregnancyDating,
    date_from_due,
    date_from_lmp,
    date_from_week,
    parse_week,
)
from bot.filters import pressed
from bot.keyboards.registration import (
    CONTINUE,
    DatingConfirmCb,
    DatingMethodCb,
    DontKnowCb,
    DraftChildAction,
    DraftChildCb,
    FixPregnancyCb,
    MoreChildrenCb,
    PolyclinicCb,
    RegionCb,
    RoleCb,
    SexCb,
    SummaryAction,
    SummaryCb,
    dont_know_keyboard,
    draft_children_keyboard,
    fix_pregnancy_keyboard,
    roles_keyboard,
)
from bot.logging_setup import log_event
from bot.services import families as family_service
from bot.services import questions as questions_service
from bot.views.registration import (
    bad_date_text,
    birth_clash_text,
    children_limit_text,
    dating_clash_text,
    dating_error_text,
    registered_text,
)
from db.records import Family
from handlers.replies import alert, mark_answered, phone_from, set_buttons, stale
from handlers.steps import advance, draft_of, state_for, update_draft


def _at(step: Step) -> StateFilter:
    """Only while her question is `step`'s (a bare State would run in a worker thread: see build_router)."""
    return StateFilter(state_for(step))


# --- who she is --------------------------------------------------------------------------------

async def on_role(callback: CallbackQuery, callback_data: RoleCb, state: FSMContext) -> None:
    """A role ticked or unticked: the buttons show what she has chosen."""
    roles = toggle_role((await draft_of(state)).get("roles", []), Role(callback_data.role), callback_data.on)
    await update_draft(state, roles=roles)
    await set_buttons(callback, roles_keyboard(roles))


async def on_roles_done(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, callback_answer: CallbackAnswer
) -> None:
    roles = (await draft_of(state)).get("roles", [])
    if not roles:
        alert(callback_answer, _("Please choose at least one option."))
        return
    buttons = [b.text for row in roles_keyboard(roles).inline_keyboard for b in row]
    await mark_answered(callback, ", ".join(t.removeprefix("✅ ") for t in buttons if t.startswith("✅ ")))
    await update_draft(state, roles_done=True)
    await advance(bot, callback.from_user.id, state, app)


# --- name and phone ----------------------------------------------------------------------------

async def on_name(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    name = clean_person_name(message.text or "")
    if name is None:
        await message.answer(_("I could not read this as a name. Please type your name in letters, for example: Aigerim."))
        return
    await update_draft(state, name=name)
    await advance(bot, message.chat.id, state, app)


async def on_phone(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    """A shared contact or a typed number."""
    phone = await phone_from(message)
    if phone is None:
        return
    await update_draft(state, phone=phone)
    await message.answer(_("Thank you. Your number: {phone}").format(phone=format_phone(phone)), reply_markup=ReplyKeyboardRemove())
    await advance(bot, message.chat.id, state, app)


# --- region and polyclinic ---------------------------------------------------------------------

async def on_region(
    callback: CallbackQuery, callback_data: RegionCb, bot: Bot, state: FSMContext, app: AppContext,
    callback_answer: CallbackAnswer,
) -> None:
    if find_region(callback_data.code) is None:
        alert(callback_answer, _("Please choose a region from the list."))
        return
    await mark_answered(callback)
    data = await draft_of(state)
    data.pop("polyclinic", None)
    data["region"] = callback_data.code
    await state.set_data(data)
    await advance(bot, callback.from_user.id, state, app)


async def on_polyclinic(
    callback: CallbackQuery, callback_data: PolyclinicCb, bot: Bot, state: FSMContext, app: AppContext,
    callback_answer: CallbackAnswer,
) -> None:
    code = callback_data.code
    if code != "-":
        clinic = find_polyclinic(code)
        if clinic is None or clinic.region != (await draft_of(state)).get("region"):
            alert(callback_answer, _("Please choose a polyclinic from the list."))
            return
    await mark_answered(callback)
    await update_draft(state, polyclinic="" if code == "-" else code)
    await advance(bot, callback.from_user.id, state, app)


# --- pregnancy ---------------------------------------------------------------------------------

async def on_dating_method(
    callback: CallbackQuery, callback_data: DatingMethodCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await mark_answered(callback)
    await update_draft(state, dating_method=callback_data.method.value, pregnancy=None)
    await advance(bot, callback.from_user.id, state, app)


async def _store_dating(message: Message, bot: Bot, state: FSMContext, app: AppContext,
                        build: Callable[[], PregnancyDating], family: Family | None) -> None:
    try:
        dating = build()
    except DatingValidationError as exc:
        await message.answer(dating_error_text(exc.error))
        return
    data = await draft_of(state)
    started = dating.due_date - timedelta(days=FULL_TERM_DAYS)
    children: list[ChildDraft] = data.get("children", []) if data.get("mode") == Mode.REGISTER else [
        {"name": c.name, "birth": c.birth_date.isoformat()} for c in (family.children if family else ())
    ]
    clash = next((c for c in children if c.get("birth") and not fits_pregnancy(date.fromisoformat(c["birth"]), started)), None)
    if clash is not None:
        await message.answer(dating_clash_text(str(clash.get("name") or ""), date.fromisoformat(clash["birth"]), started))
        return
    await update_draft(state, pregnancy=dating_to_draft(dating))
    await advance(bot, message.chat.id, state, app)


async def on_dating_date(message: Message, bot: Bot, state: FSMContext, app: AppContext,
                         family: Family | None = None) -> None:
    today = app.today()
    when = parse_date(message.text or "", today)
    if when is None:
        await message.answer(bad_date_text())
        return
    method = (await draft_of(state)).get("dating_method")
    build = (lambda: date_from_due(when, today)) if method == DatingMethod.DUE_DATE else (lambda: date_from_lmp(when, today))
    await _store_dating(message, bot, state, app, build, family)


async def on_dating_week(message: Message, bot: Bot, state: FSMContext, app: AppContext,
                         family: Family | None = None) -> None:
    week = parse_week(message.text or "")
    if week is None:
        await message.answer(dating_error_text(DatingError.WEEK_OUT_OF_RANGE))
        return
    await _store_dating(message, bot, state, app, lambda: date_from_week(week, app.today()), family)


async def on_dating_confirm(
    callback: CallbackQuery, callback_data: DatingConfirmCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await mark_answered(callback)
    if callback_data.ok:
        await update_draft(state, pregnancy_confirmed=True)
    else:
        await update_draft(state, dating_method=None, pregnancy=None, pregnancy_confirmed=False)
    await advance(bot, callback.from_user.id, state, app)


# --- children ----------------------------------------------------------------------------------

async def _update_child(state: FSMContext, answer: ChildDraft) -> None:
    data = await draft_of(state)
    child: ChildDraft = {**(data.get("child") or {}), **answer}
    data["child"] = child
    # In registration a finished child joins the list; a profile edit saves it on APPLY.
    if data.get("mode") == Mode.REGISTER and child_complete(child):
        data["children"] = [*data.get("children", []), child]
        del data["child"]
    await state.set_data(data)


async def on_child_name(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    name = clean_person_name(message.text or "")
    if name is None:
        await message.answer(_("I could not read this as a name. Please type the child's name in letters."))
        return
    await _update_child(state, {"name": name})
    await advance(bot, message.chat.id, state, app)


def _pregnancy_start(data: Draft, family: Family | None) -> date | None:
    """Day 0 of the pregnancy a new child must fit: the draft's (registration) or her active one (profile)."""
    if data.get("mode") == Mode.REGISTER:
        pregnancy = data.get("pregnancy")
        if Role.PREGNANT in data.get("roles", []) and pregnancy:
            return dating_from_draft(pregnancy).due_date - timedelta(days=FULL_TERM_DAYS)
        return None
    if data.get("target") == EditTarget.ADD_CHILD and family is not None and family.pregnancy is not None:
        return family.pregnancy.due_date - timedelta(days=FULL_TERM_DAYS)
    return None


async def on_child_birth(message: Message, bot: Bot, state: FSMContext, app: AppContext,
                         family: Family | None = None) -> None:
    today = app.today()
    born = parse_date(message.text or "", today)
    if born is None:
        await message.answer(_("I could not read this date. Please type it as day.month.year, for example 05.09.2025."))
        return
    error = validate_birth_date(born, today)
    if error is BirthDateError.IN_FUTURE:
        await message.answer(_("This date is in the future. Please type the date of birth."))
        return
    if error is BirthDateError.TOO_OLD:
        await message.answer(
            _("This date is six or more years ago. AnaBala follows children up to the age of five. Please check the date.")
        )
        return
    data = await draft_of(state)
    started = _pregnancy_start(data, family)
    if started is not None and not fits_pregnancy(born, started):
        registering = data.get("mode") == Mode.REGISTER
        await message.answer(
            birth_clash_text(started, registering=registering),
            reply_markup=fix_pregnancy_keyboard() if registering else None,
        )
        return
    await _update_child(state, {"birth": born.isoformat(), "infant": asks_birth_facts(born, today)})
    await advance(bot, message.chat.id, state, app)


async def on_child_sex(callback: CallbackQuery, callback_data: SexCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await _update_child(state, {"sex": callback_data.sex.value})
    await advance(bot, callback.from_user.id, state, app)


async def on_fix_pregnancy(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    """Registration: the child's date was right, the pregnancy's dates were not: ask them again."""
    await mark_answered(callback)
    await state.set_data(_forget(await draft_of(state), SummaryAction.PREGNANCY))
    await advance(bot, callback.from_user.id, state, app)


async def _birth_fact(message: Message, bot: Bot, state: FSMContext, app: AppContext,
                      answer: ChildDraft | None, retry: str) -> None:
    """Weeks at birth or birth weight: saved and on to the next question, or asked again kindly."""
    if answer is None:
        await message.answer(retry, reply_markup=dont_know_keyboard())  # the button it names, right here
        return
    await _update_child(state, answer)
    await advance(bot, message.chat.id, state, app)


async def on_child_gestation(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    weeks = parse_gestation_weeks(message.text or "")
    await _birth_fact(message, bot, state, app, None if weeks is None else {"weeks": weeks}, _(
        "Please type the number of weeks, from 22 to 44, for example 39. If you do not know, press “I don't know”."))


async def on_child_weight(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    grams = parse_birth_weight(message.text or "")
    await _birth_fact(message, bot, state, app, None if grams is None else {"grams": grams}, _(
        "Please type the weight in grams, for example 3200 (or in kilograms: 3.2). "
        "If you do not know, press “I don't know”."))


async def on_birth_fact_unknown(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, raw_state: str | None) -> None:
    """"I don't know": the question on screen stays unanswered, and the flow goes on."""
    await mark_answered(callback)
    gestation = raw_state == state_for(Step.CHILD_GESTATION).state
    await _update_child(state, {"weeks": None} if gestation else {"grams": None})
    await advance(bot, callback.from_user.id, state, app)


async def on_more_children(
    callback: CallbackQuery, callback_data: MoreChildrenCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await mark_answered(callback)
    if callback_data.more and len((await draft_of(state)).get("children", [])) >= MAX_CHILDREN:
        await bot.send_message(callback.from_user.id, children_limit_text())
        await update_draft(state, children_done=True)
    elif callback_data.more:
        await update_draft(state, child={})
    else:
        await update_draft(state, children_done=True)
    await advance(bot, callback.from_user.id, state, app)


# --- summary -----------------------------------------------------------------------------------

_Answer = Literal["name", "phone", "region", "polyclinic", "roles_done", "dating_method", "pregnancy", "pregnancy_confirmed"]

# What to forget so that `next_step` asks that part again.
_ASKED_AGAIN: dict[SummaryAction, tuple[_Answer, ...]] = {
    SummaryAction.NAME: ("name",),
    SummaryAction.PHONE: ("phone",),
    SummaryAction.PLACE: ("region", "polyclinic"),
    SummaryAction.ROLES: ("roles_done",),
    SummaryAction.PREGNANCY: ("dating_method", "pregnancy", "pregnancy_confirmed"),
}


def _forget(data: Draft, part: SummaryAction) -> Draft:
    for answer in _ASKED_AGAIN[part]:
        data.pop(answer, None)
    return data


async def on_confirm(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    chat_id = callback.from_user.id
    data = await draft_of(state)
    await mark_answered(callback)
    try:
        user = await family_service.complete_registration(app, chat_id, data)
    except family_service.InvalidDraft:
        log_event("registration_rejected", user_id=chat_id)
        await bot.send_message(chat_id, _("Something in your answers needs checking. Let's go through them again."))
        again: Draft = {"mode": Mode.REGISTER.value, "consent": True}
        if lang := data.get("lang"):
            again["lang"] = lang
        await state.set_data(again)
        await advance(bot, chat_id, state, app)
        return
    await state.clear()
    await set_chat_commands(bot, chat_id, user.language, app)
    await bot.send_message(chat_id, registered_text(user, await questions_service.her_nurse(app, chat_id)))


async def on_show_children(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    names = [c.get("name", "") for c in (await draft_of(state)).get("children", [])]
    await bot.send_message(callback.from_user.id, _("Your children:"), reply_markup=draft_children_keyboard(names))


async def on_change_from_summary(
    callback: CallbackQuery, callback_data: SummaryCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    """Name, phone, place, who she is or the pregnancy: that part is asked again, then the summary."""
    await mark_answered(callback)
    await state.set_data(_forget(await draft_of(state), callback_data.action))
    await advance(bot, callback.from_user.id, state, app)


async def on_remove_draft_child(
    callback: CallbackQuery, callback_data: DraftChildCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await mark_answered(callback)
    data = await draft_of(state)
    children = list(data.get("children", []))
    if 0 <= callback_data.index < len(children):
        children.pop(callback_data.index)
        data["children"] = children
        if not children:
            data["children_done"] = False
        await state.set_data(data)
    await advance(bot, callback.from_user.id, state, app)


async def on_add_draft_child(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await update_draft(state, child={}, children_done=False)
    await advance(bot, callback.from_user.id, state, app)


async def on_back_to_summary(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await advance(bot, callback.from_user.id, state, app)


async def on_stale_step_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """Data no button of the question on screen carries (an old version's, or forged)."""
    stale(callback_answer)


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only.

    States are wrapped in StateFilter: a bare State is a plain function to aiogram, which runs
    plain functions in a worker thread, one thread hop per handler it tries. A button pressed
    under an older question (its state is gone) is the fallback router's: said kindly, and the
    question she is on asked again.
    """
    router = Router(name="registration")
    router.callback_query.register(on_roles_done, _at(Step.ROLES), RoleCb.filter(F.role == CONTINUE))
    router.callback_query.register(on_role, _at(Step.ROLES), RoleCb.filter(F.role != CONTINUE))
    router.message.register(on_name, _at(Step.NAME), F.text)
    router.message.register(on_phone, _at(Step.PHONE), F.contact)
    router.message.register(on_phone, _at(Step.PHONE), F.text)
    router.callback_query.register(on_region, _at(Step.REGION), RegionCb.filter())
    router.callback_query.register(on_polyclinic, _at(Step.POLYCLINIC), PolyclinicCb.filter())
    router.callback_query.register(on_dating_method, _at(Step.DATING_METHOD), DatingMethodCb.filter())
    router.message.register(on_dating_date, _at(Step.DATING_DATE), F.text)
    router.message.register(on_dating_week, _at(Step.DATING_WEEK), F.text)
    router.callback_query.register(on_dating_confirm, _at(Step.DATING_CONFIRM), DatingConfirmCb.filter())
    router.message.register(on_child_name, _at(Step.CHILD_NAME), F.text)
    router.message.register(on_child_birth, _at(Step.CHILD_BIRTH), F.text)
    router.callback_query.register(on_child_sex, _at(Step.CHILD_SEX), SexCb.filter())
    router.message.register(on_child_gestation, _at(Step.CHILD_GESTATION), F.text)
    router.callback_query.register(on_fix_pregnancy, _at(Step.CHILD_BIRTH), FixPregnancyCb.filter())
    router.message.register(on_child_weight, _at(Step.CHILD_WEIGHT), F.text)
    router.callback_query.register(
        on_birth_fact_unknown, StateFilter(state_for(Step.CHILD_GESTATION), state_for(Step.CHILD_WEIGHT)), DontKnowCb.filter()
    )
    router.callback_query.register(on_more_children, _at(Step.MORE_CHILDREN), MoreChildrenCb.filter())
    summary = _at(Step.SUMMARY)
    router.callback_query.register(on_confirm, summary, SummaryCb.filter(F.action == SummaryAction.CONFIRM))
    router.callback_query.register(on_show_children, summary, SummaryCb.filter(F.action == SummaryAction.CHILDREN))
    router.callback_query.register(on_change_from_summary, summary, SummaryCb.filter(F.action.in_(_ASKED_AGAIN.keys())))
    router.callback_query.register(on_remove_draft_child, summary, DraftChildCb.filter(F.action == DraftChildAction.REMOVE))
    router.callback_query.register(on_add_draft_child, summary, DraftChildCb.filter(F.action == DraftChildAction.ADD))
    router.callback_query.register(on_back_to_summary, summary, DraftChildCb.filter(F.action == DraftChildAction.BACK))
    # Last: what the buttons of the question on screen cannot mean.
    router.callback_query.register(on_stale_step_button, _at(Step.ROLES), pressed(RoleCb))
    router.callback_query.register(on_stale_step_button, _at(Step.DATING_METHOD), pressed(DatingMethodCb))
    router.callback_query.register(on_stale_step_button, _at(Step.CHILD_SEX), pressed(SexCb))
    router.callback_query.register(on_stale_step_button, summary, pressed(SummaryCb) | pressed(DraftChildCb))
    return router

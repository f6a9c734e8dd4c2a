"""Answers to the registration questions. Profile edits reuse the same questions (see common.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
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
from bot.domain.children import MAX_CHILDREN, BirthDateError, Sex, validate_birth_date
from bot.domain.dates import format_date, parse_date
from bot.domain.flow import Mode, Role, child_complete, toggle_role
from bot.domain.names import clean_person_name
from bot.domain.phone import format_phone
from bot.domain.pregnancy import (
    FULL_TERM_DAYS,
    DatingError,
    DatingValidationError,
    date_from_due,
    date_from_lmp,
    date_from_week,
    parse_week,
)
from bot.keyboards.registration import (
    DatingConfirmCb,
    DatingMethodCb,
    DontKnowCb,
    DraftChildCb,
    FixPregnancyCb,
    MoreChildrenCb,
    PolyclinicCb,
    RegionCb,
    RoleCb,
    SexCb,
    SummaryCb,
    dont_know_keyboard,
    draft_children_keyboard,
    fix_pregnancy_keyboard,
    roles_keyboard,
)
from bot.logging_setup import log_event
from bot.services import families as family_service
from bot.services import questions as questions_service
from bot.services.families import dating_from_draft
from bot.views.questions import nurse_text
from bot.views.registration import bad_date_text, children_limit_text, dating_error_text
from db.records import Family
from handlers.replies import mark_answered, phone_from, set_buttons
from handlers.steps import Flow, advance


async def _remove_keyboard(callback: CallbackQuery) -> None:
    await callback.answer()
    await mark_answered(callback)


# --- who she is --------------------------------------------------------------------------------

async def on_role(callback: CallbackQuery, callback_data: RoleCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    data = await state.get_data()
    roles: list[str] = data.get("roles", [])
    if callback_data.role == "done":
        if not roles:
            await callback.answer(_("Please choose at least one option."), show_alert=True)
            return
        await callback.answer()
        buttons = [b.text for row in roles_keyboard(roles).inline_keyboard for b in row]
        await mark_answered(callback, ", ".join(t.removeprefix("✅ ") for t in buttons if t.startswith("✅ ")))
        await state.update_data(roles_done=True)
        await advance(bot, callback.from_user.id, state, app)
        return
    if callback_data.role not in Role.__members__.values():
        await callback.answer()
        return
    roles = toggle_role(roles, Role(callback_data.role))
    await state.update_data(roles=roles)
    await callback.answer()
    await set_buttons(callback, roles_keyboard(roles))


# --- name and phone ----------------------------------------------------------------------------

async def on_name(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    name = clean_person_name(message.text or "")
    if name is None:
        await message.answer(_("I could not read this as a name. Please type your name in letters, for example: Aigerim."))
        return
    await state.update_data(name=name)
    await advance(bot, message.chat.id, state, app)


async def _save_phone(message: Message, bot: Bot, state: FSMContext, app: AppContext, phone: str) -> None:
    await state.update_data(phone=phone)
    await message.answer(_("Thank you. Your number: {phone}").format(phone=format_phone(phone)), reply_markup=ReplyKeyboardRemove())
    await advance(bot, message.chat.id, state, app)


async def on_phone(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    """A shared contact or a typed number."""
    phone = await phone_from(message)
    if phone is not None:
        await _save_phone(message, bot, state, app, phone)


# --- region and polyclinic ---------------------------------------------------------------------

async def on_region(callback: CallbackQuery, callback_data: RegionCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    if find_region(callback_data.code) is None:
        await callback.answer(_("Please choose a region from the list."), show_alert=True)
        return
    await _remove_keyboard(callback)
    data = await state.get_data()
    data.pop("polyclinic", None)
    data["region"] = callback_data.code
    await state.set_data(data)
    await advance(bot, callback.from_user.id, state, app)


async def on_polyclinic(
    callback: CallbackQuery, callback_data: PolyclinicCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    data = await state.get_data()
    code = callback_data.code
    if code != "-":
        clinic = find_polyclinic(code)
        if clinic is None or clinic.region != data.get("region"):
            await callback.answer(_("Please choose a polyclinic from the list."), show_alert=True)
            return
    await _remove_keyboard(callback)
    await state.update_data(polyclinic="" if code == "-" else code)
    await advance(bot, callback.from_user.id, state, app)


# --- pregnancy ---------------------------------------------------------------------------------

async def on_dating_method(
    callback: CallbackQuery, callback_data: DatingMethodCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await _remove_keyboard(callback)
    await state.update_data(dating_method=callback_data.method, pregnancy=None)
    await advance(bot, callback.from_user.id, state, app)


async def _store_dating(message: Message, bot: Bot, state: FSMContext, app: AppContext, build: Any,
                        family: Family | None) -> None:
    try:
        dating = build()
    except DatingValidationError as exc:
        await message.answer(dating_error_text(exc.error))
        return
    data = await state.get_data()
    started = dating.due_date - timedelta(days=FULL_TERM_DAYS)
    children = data.get("children", []) if data.get("mode") == Mode.REGISTER else [
        {"name": c.name, "birth": c.birth_date.isoformat()} for c in (family.children if family else ())
    ]
    clash = next((c for c in children if c.get("birth") and not fits_pregnancy(date.fromisoformat(c["birth"]), started)), None)
    if clash is not None:
        await message.answer(
            _("These dates do not fit {name}'s date of birth ({born}): by them, your pregnancy began around {date}, "
              "and an older child must have been born at least two weeks before that. Please check them and type "
              "them again.").format(
                name=html.quote(str(clash.get("name") or "")), born=format_date(date.fromisoformat(clash["birth"])),
                date=format_date(started))
        )
        return
    await state.update_data(pregnancy=family_service.dating_to_draft(dating))
    await advance(bot, message.chat.id, state, app)


async def on_dating_date(message: Message, bot: Bot, state: FSMContext, app: AppContext,
                         family: Family | None = None) -> None:
    today = app.today()
    when = parse_date(message.text or "", today)
    if when is None:
        await message.answer(bad_date_text())
        return
    method = (await state.get_data()).get("dating_method")
    build = (lambda: date_from_due(when, today)) if method == "due_date" else (lambda: date_from_lmp(when, today))
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
    await _remove_keyboard(callback)
    if callback_data.ok:
        await state.update_data(pregnancy_confirmed=True)
    else:
        await state.update_data(dating_method=None, pregnancy=None, pregnancy_confirmed=False)
    await advance(bot, callback.from_user.id, state, app)


# --- children ----------------------------------------------------------------------------------

async def _update_child(state: FSMContext, **values: Any) -> dict[str, Any]:
    data = await state.get_data()
    child = dict(data.get("child") or {})
    child.update(values)
    data["child"] = child
    # In registration a finished child joins the list; a profile edit saves it on APPLY.
    if data.get("mode") == Mode.REGISTER and child_complete(child):
        data["children"] = [*data.get("children", []), child]
        del data["child"]
    await state.set_data(data)
    return data


async def on_child_name(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    name = clean_person_name(message.text or "")
    if name is None:
        await message.answer(_("I could not read this as a name. Please type the child's name in letters."))
        return
    await _update_child(state, name=name)
    await advance(bot, message.chat.id, state, app)


def _pregnancy_start(data: dict[str, Any], family: Family | None) -> date | None:
    """Day 0 of the pregnancy a new child must fit: the draft's (registration) or her active one (profile)."""
    if data.get("mode") == Mode.REGISTER:
        if Role.PREGNANT in data.get("roles", []) and data.get("pregnancy"):
            return dating_from_draft(data["pregnancy"]).due_date - timedelta(days=FULL_TERM_DAYS)
        return None
    if data.get("target") == "add_child" and family is not None and family.pregnancy is not None:
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
    data = await state.get_data()
    started = _pregnancy_start(data, family)
    if started is not None and not fits_pregnancy(born, started):
        await message.answer(
            _("This date of birth does not fit your pregnancy: by its dates, your pregnancy began around {date}, "
              "and an older child must have been born at least two weeks before that. Please check the date of "
              "birth and type it again. If it is right, your pregnancy dates need correcting: {how}").format(
                date=format_date(started),
                how=_("press «Change the pregnancy dates» below.") if data.get("mode") == Mode.REGISTER
                else _("change them in /profile first."),
            ),
            reply_markup=fix_pregnancy_keyboard() if data.get("mode") == Mode.REGISTER else None,
        )
        return
    await _update_child(state, birth=born.isoformat(), infant=asks_birth_facts(born, today))
    await advance(bot, message.chat.id, state, app)


async def on_child_sex(callback: CallbackQuery, callback_data: SexCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await _remove_keyboard(callback)
    await _update_child(state, sex=callback_data.sex)
    await advance(bot, callback.from_user.id, state, app)


async def on_fix_pregnancy(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    """Registration: the child's date was right, the pregnancy's dates were not: ask them again."""
    await _remove_keyboard(callback)
    await state.update_data(**_EDIT_FROM_SUMMARY["pregnancy"])
    await advance(bot, callback.from_user.id, state, app)


async def _birth_fact(message: Message, bot: Bot, state: FSMContext, app: AppContext, key: str,
                      value: int | None, retry: str) -> None:
    """Weeks at birth or birth weight: saved and on to the next question, or asked again kindly."""
    if value is None:
        await message.answer(retry, reply_markup=dont_know_keyboard())  # the button it names, right here
        return
    await _update_child(state, **{key: value})
    await advance(bot, message.chat.id, state, app)


async def on_child_gestation(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await _birth_fact(message, bot, state, app, "weeks", parse_gestation_weeks(message.text or ""), _(
        "Please type the number of weeks, from 22 to 44, for example 39. If you do not know, press “I don't know”."))


async def on_child_weight(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await _birth_fact(message, bot, state, app, "grams", parse_birth_weight(message.text or ""), _(
        "Please type the weight in grams, for example 3200 (or in kilograms: 3.2). "
        "If you do not know, press “I don't know”."))


async def on_birth_fact_unknown(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, raw_state: str | None) -> None:
    """"I don't know": the question on screen stays unanswered, and the flow goes on."""
    await _remove_keyboard(callback)
    key = "weeks" if raw_state == Flow.child_gestation.state else "grams"
    await _update_child(state, **{key: None})
    await advance(bot, callback.from_user.id, state, app)


async def on_more_children(
    callback: CallbackQuery, callback_data: MoreChildrenCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await _remove_keyboard(callback)
    if callback_data.more and len((await state.get_data()).get("children", [])) >= MAX_CHILDREN:
        await bot.send_message(callback.from_user.id, children_limit_text())
        await state.update_data(children_done=True)
    elif callback_data.more:
        await state.update_data(child={})
    else:
        await state.update_data(children_done=True)
    await advance(bot, callback.from_user.id, state, app)


# --- summary -----------------------------------------------------------------------------------

# What to forget so that `next_step` asks that part again.
_EDIT_FROM_SUMMARY: dict[str, dict[str, Any]] = {
    "name": {"name": None},
    "phone": {"phone": None},
    "place": {"region": None},
    "roles": {"roles_done": False},
    "pregnancy": {"dating_method": None, "pregnancy": None, "pregnancy_confirmed": False},
}


async def on_summary(callback: CallbackQuery, callback_data: SummaryCb, bot: Bot, state: FSMContext, app: AppContext) -> None:
    chat_id = callback.from_user.id
    data = await state.get_data()
    action = callback_data.action
    if action == "confirm":
        await _remove_keyboard(callback)
        try:
            user = await family_service.complete_registration(app, chat_id, data)
        except family_service.InvalidDraft:
            log_event("registration_rejected", user_id=chat_id)
            await bot.send_message(chat_id, _("Something in your answers needs checking. Let's go through them again."))
            await state.set_data({"mode": Mode.REGISTER.value, "lang": data.get("lang"), "consent": True})
            await advance(bot, chat_id, state, app)
            return
        await state.clear()
        await set_chat_commands(bot, chat_id, user.language, app)
        nurse = await questions_service.her_nurse(app, chat_id)
        await bot.send_message(
            chat_id,
            "\n\n".join([
                _(
                    "Thank you! You are registered.\n\n"
                    "/profile — see or change your details\n"
                    "/help — everything I can do\n\n"
                    "If you ever feel that something is seriously wrong with you or your baby, "
                    "call 103 (ambulance) or 112 at once."
                ),
                nurse_text(user, nurse),
            ]),
        )
        return
    if action == "children":
        await callback.answer()
        names = [c["name"] for c in data.get("children", [])]
        await bot.send_message(chat_id, _("Your children:"), reply_markup=draft_children_keyboard(names))
        return
    if action not in _EDIT_FROM_SUMMARY:
        await callback.answer()
        return
    await _remove_keyboard(callback)
    data.update(_EDIT_FROM_SUMMARY[action])
    if action == "place":
        data.pop("polyclinic", None)
    await state.set_data(data)
    await advance(bot, chat_id, state, app)


async def on_draft_child(
    callback: CallbackQuery, callback_data: DraftChildCb, bot: Bot, state: FSMContext, app: AppContext
) -> None:
    await _remove_keyboard(callback)
    data = await state.get_data()
    children: list[dict[str, Any]] = list(data.get("children", []))
    if callback_data.action == "remove" and 0 <= callback_data.index < len(children):
        children.pop(callback_data.index)
        data["children"] = children
        if not children:
            data["children_done"] = False
    elif callback_data.action == "add":
        data["child"] = {}
        data["children_done"] = False
    await state.set_data(data)
    await advance(bot, callback.from_user.id, state, app)


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only.

    States are wrapped in StateFilter: a bare State is a plain function to aiogram, which runs
    plain functions in a worker thread, one thread hop per handler it tries.
    """
    router = Router(name="registration")
    router.callback_query.register(on_role, StateFilter(Flow.roles), RoleCb.filter())
    router.message.register(on_name, StateFilter(Flow.name), F.text)
    router.message.register(on_phone, StateFilter(Flow.phone), F.contact)
    router.message.register(on_phone, StateFilter(Flow.phone), F.text)
    router.callback_query.register(on_region, StateFilter(Flow.region), RegionCb.filter())
    router.callback_query.register(on_polyclinic, StateFilter(Flow.polyclinic), PolyclinicCb.filter())
    router.callback_query.register(on_dating_method, StateFilter(Flow.dating_method), DatingMethodCb.filter(F.method.in_({"due_date", "lmp", "week"})))
    router.message.register(on_dating_date, StateFilter(Flow.dating_date), F.text)
    router.message.register(on_dating_week, StateFilter(Flow.dating_week), F.text)
    router.callback_query.register(on_dating_confirm, StateFilter(Flow.dating_confirm), DatingConfirmCb.filter())
    router.message.register(on_child_name, StateFilter(Flow.child_name), F.text)
    router.message.register(on_child_birth, StateFilter(Flow.child_birth), F.text)
    router.callback_query.register(on_child_sex, StateFilter(Flow.child_sex), SexCb.filter(F.sex.in_({s.value for s in Sex})))
    router.message.register(on_child_gestation, StateFilter(Flow.child_gestation), F.text)
    router.callback_query.register(on_fix_pregnancy, StateFilter(Flow.child_birth), FixPregnancyCb.filter())
    router.message.register(on_child_weight, StateFilter(Flow.child_weight), F.text)
    router.callback_query.register(
        on_birth_fact_unknown, StateFilter(Flow.child_gestation, Flow.child_weight), DontKnowCb.filter()
    )
    router.callback_query.register(on_more_children, StateFilter(Flow.more_children), MoreChildrenCb.filter())
    router.callback_query.register(on_summary, StateFilter(Flow.summary), SummaryCb.filter())
    router.callback_query.register(on_draft_child, StateFilter(Flow.summary), DraftChildCb.filter())
    return router

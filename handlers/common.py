"""The question for each step, moving to the next one, and the profile card.

Registration and profile edits share these: each handler stores an answer in the FSM data and
calls `advance`, which asks whatever `next_step` says is missing (or saves a finished edit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, html
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.phone import normalize_contact_phone, normalize_kz_mobile
from bot.domain.flow import EditTarget, Mode, Step, next_step
from bot.keyboards import profile as profile_kb
from bot.keyboards import registration as kb
from bot.logging_setup import log_event
from bot.services import calendar as calendar_service
from bot.services import staff as staff_service
from bot.services import families as family_service
from bot.services.families import dating_from_draft
from bot.views import dating_check_text, profile_text, summary_text
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


def known_action(action: str, known: frozenset[str]) -> str:
    """A button's action as a log and audit word: callback data is the sender's, so anything not ours
    becomes "unknown" (a forged button must not write its own text into the logs)."""
    return action if action in known else "unknown"


async def phone_from(message: Message) -> str | None:
    """Her own number, from a shared contact or typed text; None after telling her kindly what is wrong."""
    contact = message.contact
    if contact is not None:
        if message.from_user is None or contact.user_id != message.from_user.id:
            await message.answer(
                _("This is someone else's contact. Please share your own number with the button below, or type it."),
                reply_markup=kb.phone_keyboard(),
            )
            return None
        try:
            return normalize_contact_phone(contact.phone_number)
        except ValueError:
            await message.answer(_("I could not read this number. Please type it, for example +7 701 123 45 67."))
            return None
    phone = normalize_kz_mobile(message.text or "")
    if phone is None:
        await message.answer(
            _(
                "This does not look like a Kazakhstan mobile number. Please type it like +7 701 123 45 67, "
                "or use the button below."
            ),
            reply_markup=kb.phone_keyboard(),
        )
    return phone


def not_available() -> str:
    return _("This is not available to you.")


async def refuse(event: Message | CallbackQuery, app: AppContext, action: str) -> None:
    """A staff function someone may not use — a forged or replayed button, an old message, a role
    she no longer has: a polite refusal, and a "denied" line in the audit log."""
    assert event.from_user is not None
    await staff_service.refuse(app, event.from_user.id, action)
    await say_refused(event)


async def say_refused(event: Message | CallbackQuery) -> None:
    """The refusal alone, when the service has already written it to the audit log."""
    if isinstance(event, CallbackQuery):
        await event.answer(not_available(), show_alert=True)
    else:
        await event.answer(_("This is not available to you. What I can do: /help"))


async def set_buttons(callback: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Change (or, with None, take off) the buttons of the message she pressed.

    The same question can be on screen twice (asked again after /start or /help), so the message
    may already look like this: Telegram then answers "message is not modified", which is fine.
    """
    message = callback.message
    if message is None or (markup is None and not getattr(message, "reply_markup", None)):
        return
    try:
        await message.edit_reply_markup(reply_markup=markup)  # type: ignore[union-attr]
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message and "message to edit not found" not in exc.message:
            raise


async def mark_answered(callback: CallbackQuery, answer: str | None = None) -> None:
    """Show her answer under the question and take the buttons away.

    She sees what she chose, and an old tap cannot change a later answer.
    """
    message = callback.message
    markup = getattr(message, "reply_markup", None)
    if not isinstance(message, Message) or markup is None or message.text is None:
        await set_buttons(callback, None)
        return
    label = answer or next(
        (b.text for row in markup.inline_keyboard for b in row if b.callback_data == callback.data), None
    )
    if label is None:
        await set_buttons(callback, None)
        return
    try:
        await message.edit_text(f"{message.html_text}\n\n» {html.quote(label)}", reply_markup=None)
    except TelegramBadRequest as exc:
        if "message is not modified" not in exc.message and "message to edit not found" not in exc.message:
            raise


def state_for(step: Step) -> State:
    return getattr(Flow, step.value)  # type: ignore[no-any-return]


def step_of(state_name: str | None) -> Step | None:
    if not state_name or not state_name.startswith("Flow:"):
        return None
    return Step(state_name.removeprefix("Flow:"))


def language_prompt(app: AppContext) -> str:
    # Shown before she has chosen: the same line in all three languages.
    return "\n".join(app.i18n.gettext("Please choose your language", locale=code) for code in ("kk", "ru", "en"))


def consent_text() -> str:
    return _(
        "<b>Welcome to AnaBala!</b>\n\n"
        "I support pregnant women and families with young children in Kazakhstan's patronage programme: "
        "reminders of check-ups, screenings and vaccinations, short tips for your stage, "
        "self-check questions, and a way to reach your patronage nurse.\n\n"
        "<b>What I keep:</b> your name, phone number, region and polyclinic, your pregnancy dates, "
        "your children's names, dates of birth and sex, and later your answers to self-check questions. "
        "Only your nurse and the programme's coordinators can see them, to take care of you and your child. "
        "You can erase everything at any time with /delete_me. More: /privacy\n\n"
        "Do you agree that AnaBala keeps and uses your personal and health data for this?"
    )


def _child_name(data: dict[str, Any]) -> str:
    return html.quote(data.get("child", {}).get("name") or _("your child"))


async def _ask(bot: Bot, chat_id: int, text: str, markup: Any = None) -> None:
    await bot.send_message(chat_id, text, reply_markup=markup)


async def ask(step: Step, bot: Bot, chat_id: int, data: dict[str, Any], app: AppContext) -> None:
    today = app.today()
    lang = data.get("lang") or app.settings.default_language
    askers: dict[Step, Callable[[], Awaitable[None]]] = {
        Step.LANGUAGE: lambda: _ask(bot, chat_id, language_prompt(app), kb.language_keyboard()),
        Step.CONSENT: lambda: _ask(bot, chat_id, consent_text(), kb.consent_keyboard()),
        Step.ROLES: lambda: _ask(
            bot,
            chat_id,
            _("Who are you? Choose everything that fits, then press «Continue»."),
            kb.roles_keyboard(data.get("roles", [])),
        ),
        Step.NAME: lambda: _ask(bot, chat_id, _("What is your name? Please type it, for example: Aigerim.")),
        Step.PHONE: lambda: _ask(
            bot,
            chat_id,
            _(
                "Please share your phone number with the button below, or type a Kazakhstan mobile number, "
                "for example +7 701 123 45 67. Your nurse will use it to reach you."
            ),
            kb.phone_keyboard(),
        ),
        Step.REGION: lambda: _ask(bot, chat_id, _("Which region do you live in?"), kb.region_keyboard(lang)),
        Step.POLYCLINIC: lambda: _ask(
            bot, chat_id, _("Which polyclinic are you attached to?"), kb.polyclinic_keyboard(data["region"], lang)
        ),
        Step.DATING_METHOD: lambda: _ask(
            bot, chat_id, _("What do you know about your pregnancy dates?"), kb.dating_method_keyboard()
        ),
        Step.DATING_DATE: lambda: _ask(
            bot,
            chat_id,
            _("Please type your expected due date, for example 15.03.2027.")
            if data.get("dating_method") == "due_date"
            else _("Please type the first day of your last period, for example 02.06.2026."),
        ),
        Step.DATING_WEEK: lambda: _ask(
            bot, chat_id, _("Which week of pregnancy are you in? Please type a number from 4 to 42.")
        ),
        Step.DATING_CONFIRM: lambda: _ask(
            bot, chat_id, dating_check_text(dating_from_draft(data["pregnancy"]), today), kb.dating_confirm_keyboard()
        ),
        Step.CHILD_NAME: lambda: _ask(
            bot,
            chat_id,
            _("Congratulations! What is your baby's name?")
            if data.get("target") == "birth"
            else _("What is your child's name?"),
        ),
        Step.CHILD_BIRTH: lambda: _ask(
            bot,
            chat_id,
            _("When was {name} born? Please type the date, for example 05.09.2025.").format(name=_child_name(data)),
        ),
        Step.CHILD_SEX: lambda: _ask(
            bot, chat_id, _("Is {name} a girl or a boy?").format(name=_child_name(data)), kb.sex_keyboard()
        ),
        Step.CHILD_GESTATION: lambda: _ask(
            bot,
            chat_id,
            _("How many weeks of pregnancy was it when {name} was born? Please type a number, for example 39. "
              "Your nurse uses it to plan her visits.").format(name=_child_name(data)),
            kb.dont_know_keyboard(),
        ),
        Step.CHILD_WEIGHT: lambda: _ask(
            bot,
            chat_id,
            _("How much did {name} weigh at birth? Please type the weight in grams, for example 3200.").format(
                name=_child_name(data)),
            kb.dont_know_keyboard(),
        ),
        Step.MORE_CHILDREN: lambda: _ask(
            bot, chat_id, _("Do you have another child under five?"), kb.more_children_keyboard()
        ),
        Step.SUMMARY: lambda: _ask(
            bot,
            chat_id,
            summary_text(data, dating_from_draft(data["pregnancy"]) if data.get("pregnancy") else None, today),
            kb.summary_keyboard(data.get("roles", [])),
        ),
    }
    await askers[step]()


async def advance(bot: Bot, chat_id: int, state: FSMContext, app: AppContext) -> None:
    """Ask the next missing answer, or save a finished profile edit."""
    data = await state.get_data()
    step = next_step(data)
    if step is Step.APPLY:
        try:
            await family_service.apply_profile_edit(app.database, app.clock, app.today(), chat_id, data)
        except family_service.InvalidDraft:
            log_event("profile_edit_rejected", user_id=chat_id)
            await state.clear()
            await bot.send_message(chat_id, _("Sorry, I could not save this change. Please try again from /profile."))
            return
        await state.clear()
        await calendar_service.replan(app, chat_id)  # a new date or a new child changes the calendar
        if data.get("target") == EditTarget.PLACE:
            await staff_service.assign_family(app, chat_id)  # a new polyclinic: a nurse there
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
    family = family or await family_service.load_family(app.database, chat_id)
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


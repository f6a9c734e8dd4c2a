"""What the handler modules of the nurse's day (families, visits, plans, nurse_appointments)
share: a pressed family-card button, the refusal for anyone not staff, showing a screen in place
of the one she pressed, and reading what staff type in their flows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from aiogram import Bot, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.dates import format_date, parse_date
from bot.domain.phone import normalize_contact_phone, normalize_kz_mobile
from bot.keyboards import registration as kb
from bot.services import caseload as caseload_service
from bot.services import staff as staff_service
from db.records import StaffRecord

T = TypeVar("T")


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


async def answer_or_refuse(press: Press, found: T | None) -> T | None:
    """What a card action's service gave back: None (it said no, and wrote it to the audit log) is
    answered with the refusal; anything else answers the press and is returned."""
    if found is None:
        await say_refused(press.callback)
        return None
    await press.callback.answer()
    return found


async def family_brief(press: Press, action: str) -> caseload_service.FamilyBrief | None:
    """Who she is, once the service has checked the family is hers to see (else refused)."""
    return await answer_or_refuse(press, await caseload_service.brief(press.app, press.staff, press.family_id, action))


# --- a screen, a refusal --------------------------------------------------------------------------

async def stale(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer active."), show_alert=True)


async def show_in_place(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
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


async def on_forbidden(event: Message | CallbackQuery, app: AppContext) -> None:
    """A staff button or command from someone who is not staff (or not any more): refused, audited."""
    await refuse(event, app, "staff_only")


# --- what staff type -----------------------------------------------------------------------------

def typed(message: Message) -> str:
    return " ".join((message.text or "").split())


def text_reply(problem: str, limit: int, length: int) -> str:
    """What to say when a typed text cannot be saved (see bot.domain.caseload.text_problem)."""
    if problem == "too_long":
        return _("This is {length} characters; please keep it to {limit} or fewer.").format(length=length, limit=limit)
    return _("Please type it as text.")


async def read_date(message: Message, app: AppContext, fits: Callable[[date, date], bool], out_of_range: str) -> date | None:
    """A typed date within what `fits` (date, today) allows; else she is told why, and None."""
    value = parse_date(message.text or "", app.today())
    if value is None:
        await message.answer(_("I could not read this date. Please type it as day.month.year, for example 15.03.2027."))
        return None
    if not fits(value, app.today()):
        await message.answer(out_of_range)
        return None
    return value


def from_today() -> str:
    return _("Please type a date from today to one year ahead.")


def example_date(app: AppContext, days: int = 14) -> str:
    return format_date(app.today() + timedelta(days=days))


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please answer the question above with a short text, or press /families to leave."))


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

"""What the handler modules of the nurse's day (families, visits, plans, nurse_appointments)
share: a pressed family-card button, the refusal for anyone not staff, showing a screen in place
of the one she pressed, and reading what staff type in their flows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.dates import format_date, parse_date
from bot.services import caseload as caseload_service
from db.records import StaffRecord
from handlers.common import refuse, say_refused

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

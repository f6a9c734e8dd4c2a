"""The helpers every handler module shares: answering a press, refusing, editing the pressed message
quietly, reading what people type, and the pressed family-card button of the nurse's day.

Presses are answered once, after the handler, by aiogram's CallbackAnswerMiddleware (bot/app.py; a press
Telegram has forgotten is no error: bot/middlewares/callback_answers.py): a
handler never calls `callback.answer()`; it sets what the answer says on the injected
`callback_answer` (`alert`, `stale`, `say_refused` below).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from aiogram import Bot, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.dates import format_date, parse_date
from bot.domain.phone import normalize_contact_phone, normalize_kz_mobile
from bot.keyboards import registration as kb
from bot.services import caseload as caseload_service
from bot.services import staff as staff_service
from bot.telegram_errors import gone, unchanged
from bot.views.replies import not_available
from db.records import StaffRecord

T = TypeVar("T")


# --- answering a press ------------------------------------------------------------------------------

def alert(answer: CallbackAnswer, text: str) -> None:
    """The press is answered with a box she must close (the middleware sends it after the handler)."""
    answer.text = text
    answer.show_alert = True


def stale(answer: CallbackAnswer) -> None:
    """An old or unknown button: said kindly, nothing done."""
    alert(answer, _("This button is no longer active."))


# A handler flag: the press is answered before the handler runs, for presses whose work (counting,
# drawing, writing a national announcement's rows) takes a moment and whose answer says nothing.
ANSWER_FIRST: dict[str, Any] = {"callback_answer": {"pre": True}}


async def answer_now(callback: CallbackQuery, answer: CallbackAnswer, text: str) -> None:
    """Answer the press at once with `text`, before slow work whose outcome the text already says
    (ANSWER_FIRST cannot carry a text decided in the handler); the middleware then answers nothing."""
    answer.disable()
    await callback.answer(text)


async def say_refused(event: Message | CallbackQuery, answer: CallbackAnswer | None = None) -> None:
    """The refusal alone, when the service has already written it to the audit log."""
    if isinstance(event, CallbackQuery):
        assert answer is not None, "a press is refused through its CallbackAnswer"
        alert(answer, not_available())
    else:
        await event.answer(_("This is not available to you. What I can do: /help"))


async def refuse(event: Message | CallbackQuery, app: AppContext, action: str, answer: CallbackAnswer | None = None) -> None:
    """A staff function someone may not use — a forged or replayed button, an old message, a role
    she no longer has: a polite refusal, and a "denied" line in the audit log."""
    assert event.from_user is not None
    await staff_service.refuse(app, event.from_user.id, action)
    await say_refused(event, answer)


def refusing(action: str) -> Callable[[CallbackQuery, AppContext, CallbackAnswer], Awaitable[None]]:
    """The last handler of a staff factory: data none of its buttons carries (forged, or from an old
    version) is refused and audited as `action` — never with the data's own text."""

    async def refuse_unknown(callback: CallbackQuery, app: AppContext, callback_answer: CallbackAnswer) -> None:
        await refuse(callback, app, action, callback_answer)

    return refuse_unknown


async def on_forbidden(event: Message | CallbackQuery, app: AppContext, callback_answer: CallbackAnswer | None = None) -> None:
    """A staff button or command from someone who is not staff (or not any more): refused, audited."""
    await refuse(event, app, "staff_only", callback_answer)


# --- the pressed message, edited quietly --------------------------------------------------------------

async def edit_quietly(callback: CallbackQuery, *, text: str | None = None, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message she pressed: its text and buttons, or (text None) its buttons only.

    The same screen can be on screen twice (asked again after /start, pressed twice), so the edit
    may change nothing: Telegram then says "message is not modified", which is fine; so is a
    message deleted meanwhile. A message too old to edit gets the screen as a new message."""
    message = callback.message
    try:
        if not isinstance(message, Message):
            if text is not None and callback.bot is not None:
                await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)
            return
        if text is None:
            await message.edit_reply_markup(reply_markup=markup)
        else:
            await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if not (unchanged(exc) or gone(exc)):
            raise


async def show_in_place(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show a screen in place of the message she pressed (the list, the card, the plan …)."""
    await edit_quietly(callback, text=text, markup=markup)


async def set_buttons(callback: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Change (or, with None, take off) the buttons of the message she pressed."""
    message = callback.message
    if message is None or (markup is None and not getattr(message, "reply_markup", None)):
        return
    await edit_quietly(callback, markup=markup)


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
    await edit_quietly(callback, text=f"{message.html_text}\n\n» {html.quote(label)}")


# --- reading what people type ------------------------------------------------------------------

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


def typed(message: Message) -> str:
    return " ".join((message.text or "").split())


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


def example_date(app: AppContext, days: int = 14) -> str:
    return format_date(app.today() + timedelta(days=days))


async def on_flow_other(message: Message) -> None:
    await message.answer(_("Please answer the question above with a short text, or press /families to leave."))


# --- the nurse's day: a family-card button pressed ---------------------------------------------------

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
    answer: CallbackAnswer

    @property
    def chat_id(self) -> int:
        return self.callback.from_user.id


async def answer_or_refuse(press: Press, found: T | None) -> T | None:
    """What a card action's service gave back: None (it said no, and wrote it to the audit log) is
    answered with the refusal; anything else is returned (the middleware answers the press)."""
    if found is None:
        await say_refused(press.callback, press.answer)
        return None
    return found


async def family_brief(press: Press, action: str) -> caseload_service.FamilyBrief | None:
    """Who she is, once the service has checked the family is hers to see (else refused)."""
    return await answer_or_refuse(press, await caseload_service.brief(press.app, press.staff, press.family_id, action))

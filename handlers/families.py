"""Her families: the list (and finding one), the family card and what is done on it directly
(the risk level, the private note, handing the family to a colleague). The card's other buttons
start a home visit (handlers/visits.py), the support plan (handlers/plans.py), an appointment
(handlers/nurse_appointments.py) or a message to her (handlers/questions.py): every button of the
card is routed here, one handler per action.

Routers only route: every service checks again, with what the database says now, that she may see
the family; a refusal is audited and answered politely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, User
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.caseload import MAX_NOTE, RiskLevel, text_problem
from bot.filters import IsStaff, pressed
from bot.keyboards import nurse as kb
from bot.keyboards.nurse import (
    FamiliesAction,
    FamiliesCb,
    FamilyAction,
    FamilyCb,
    ReassignCb,
)
from bot.services import caseload as caseload_service
from bot.services.caseload import FamilyList
from bot.views.caseload import (
    card_text,
    family_list_text,
    note_problem_text,
    note_prompt,
    risk_explanation,
    search_results_text,
)
from bot.views.replies import not_available
from bot.views.screening import answers_text
from db.records import StaffRecord
from handlers.nurse_appointments import start_appointment
from handlers.plans import open_plan
from handlers.questions import write_to_family
from handlers.replies import (
    Press,
    answer_or_refuse,
    family_brief,
    mark_answered,
    on_flow_other,
    on_forbidden,
    refusing,
    say_refused,
    show_in_place,
    typed,
)
from handlers.visits import start_visit


class SearchFlow(StatesGroup):
    query = State()


class NoteFlow(StatesGroup):
    text = State()


# --- "My families" -------------------------------------------------------------------------------

def _list_view(listing: FamilyList, member: StaffRecord, app: AppContext, staff: Actor) -> tuple[str, InlineKeyboardMarkup]:
    text = family_list_text(listing, member.language, app.today(), nurse=staff.is_nurse)
    names = [(e.family.user.id, e.family.user.name) for e in listing.entries]
    return text, kb.family_list_keyboard(names, listing.page, listing.pages)


async def on_families(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    staff_member: StaffRecord,
) -> None:
    """/families and the menu's "👪 My families"."""
    await state.clear()
    text, markup = _list_view(await caseload_service.families_page(app, staff, 0), staff_member, app, staff)
    await bot.send_message(event_from_user.id, text, reply_markup=markup)


async def on_families_page(
    callback: CallbackQuery, callback_data: FamiliesCb, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    listing = await caseload_service.families_page(app, staff, callback_data.page)
    await show_in_place(callback, *_list_view(listing, staff_member, app, staff))


async def on_search_button(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await state.set_state(SearchFlow.query)
    await state.set_data({})
    await bot.send_message(
        callback.from_user.id, _("Type part of her name, or some digits of her phone number (for example 701 123):")
    )


async def on_search(message: Message, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    query = typed(message)
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

CardAction = Callable[[Press], Awaitable[None]]


def on_card(action: CardAction) -> Callable[..., Awaitable[None]]:
    """A button of the family card as a handler: what each card action needs, as one Press."""

    async def handler(
        callback: CallbackQuery,
        callback_data: FamilyCb,
        bot: Bot,
        state: FSMContext,
        app: AppContext,
        staff: Actor,
        staff_member: StaffRecord,
        callback_answer: CallbackAnswer,
    ) -> None:
        press = Press(callback, bot, state, app, staff, staff_member, callback_data.family_id, callback_data.page, callback_answer)
        await action(press)

    return handler


async def _card_view(press: Press, action: str) -> tuple[str, InlineKeyboardMarkup] | None:
    card = await caseload_service.open_card(press.app, press.staff, press.family_id, action=action)
    if card is None:
        return None
    return (card_text(card, press.member.language, press.app.today(), press.app.settings.tz),
            kb.card_keyboard(press.family_id, press.page))


async def _show_card(press: Press, *, in_place: bool, action: FamilyAction) -> None:
    view = await _card_view(press, action)
    if view is None:
        await say_refused(press.callback, press.answer)
        return
    await press.state.clear()
    if in_place:
        await show_in_place(press.callback, *view)
    else:
        await press.bot.send_message(press.chat_id, view[0], reply_markup=view[1])


async def open_card(press: Press) -> None:
    """From a message about her: the card as a new message."""
    await _show_card(press, in_place=False, action=FamilyAction.OPEN)


async def card_in_place(press: Press) -> None:
    """From the list or one of the card's own screens: the card in place."""
    await _show_card(press, in_place=True, action=FamilyAction.CARD)


async def _set_risk(press: Press, level: RiskLevel) -> None:
    if not await caseload_service.set_risk(press.app, press.staff, press.family_id, level):
        await say_refused(press.callback, press.answer)
        return
    assert press.answer is not None  # every Press of this router carries its CallbackAnswer
    press.answer.text = _("Saved.")
    view = await _card_view(press, FamilyAction.RISK)
    if view is not None:
        await show_in_place(press.callback, *view)


async def set_progressive(press: Press) -> None:
    await _set_risk(press, RiskLevel.PROGRESSIVE)


async def set_universal(press: Press) -> None:
    await _set_risk(press, RiskLevel.UNIVERSAL)


async def show_risk(press: Press) -> None:
    if found := await family_brief(press, FamilyAction.RISK):
        await show_in_place(
            press.callback, risk_explanation(found.family.user.name, found.risk), kb.risk_keyboard(press.family_id, found.risk, press.page)
        )


async def ask_note(press: Press) -> None:
    if not (found := await family_brief(press, FamilyAction.NOTE)):
        return
    await press.state.set_state(NoteFlow.text)
    await press.state.set_data({"family_id": press.family_id})
    await press.bot.send_message(
        press.chat_id,
        note_prompt(found.family.user.name, found.note, MAX_NOTE),
        reply_markup=kb.note_keyboard(press.family_id, bool(found.note)),
    )


async def clear_note(press: Press) -> None:
    if not await caseload_service.set_note(press.app, press.staff, press.family_id, None):
        await say_refused(press.callback, press.answer)
        return
    await press.state.clear()
    await mark_answered(press.callback)
    await press.bot.send_message(press.chat_id, _("The note is removed."), reply_markup=kb.back_to_card(press.family_id))


async def reassign_choices(press: Press) -> None:
    nurses = await answer_or_refuse(press, await caseload_service.reassign_choices(press.app, press.staff, press.family_id))
    if nurses is None:
        return
    if not nurses:
        text = _("There is no other nurse to hand this family to: ask your coordinator to invite one.")
    else:
        text = _("To which nurse should this family go? She and the family are told.")
    await show_in_place(press.callback, text, kb.reassign_keyboard(press.family_id, nurses, press.page))


async def check_answers(press: Press) -> None:
    """Her latest self-checks with every answer (private safety and habits answers excepted)."""
    records = await caseload_service.check_answers(press.app, press.staff, press.family_id)
    if records is None:
        await say_refused(press.callback, press.answer)
        return
    text = answers_text(records, press.member.language, press.app.settings.tz) or _("No self-checks yet.")
    await show_in_place(press.callback, text, kb.back_to_card(press.family_id, press.page))


async def on_note(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    note = (message.text or "").strip()
    problem = text_problem(note, MAX_NOTE)
    if problem is not None:
        await message.answer(note_problem_text(problem, len(note), MAX_NOTE))
        return
    family_id = int((await state.get_data())["family_id"])
    await state.clear()
    if not await caseload_service.set_note(app, staff, family_id, note):
        await message.answer(not_available())
        return
    await message.answer(_("Saved: the note is on her card."), reply_markup=kb.back_to_card(family_id))


# --- reassigning ---------------------------------------------------------------------------------

async def on_reassign(
    callback: CallbackQuery, callback_data: ReassignCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    nurse = await caseload_service.reassign(app, staff, callback_data.family_id, callback_data.staff_id)
    if nurse is None:
        await say_refused(callback, callback_answer)
        return
    text = _("Done: {nurse} looks after this family now. She and the family are told.").format(nurse=html.quote(nurse.name))
    # An admin still sees the family; a nurse who handed her on does not.
    markup = kb.back_to_card(callback_data.family_id) if staff.is_admin else kb.back_to_list()
    await show_in_place(callback, text, markup)


def build_router() -> Router:
    router = Router(name="families")
    is_staff = IsStaff()
    router.message.register(on_families, Command("families"), is_staff)  # the menu's button: handlers/staff.py
    button = router.callback_query.register
    button(on_families_page, FamiliesCb.filter(F.action == FamiliesAction.PAGE), is_staff)
    button(on_search_button, FamiliesCb.filter(F.action == FamiliesAction.SEARCH), is_staff)
    # The family card, one handler per button.
    button(on_card(open_card), FamilyCb.filter(F.action == FamilyAction.OPEN), is_staff)
    button(on_card(card_in_place), FamilyCb.filter(F.action == FamilyAction.CARD), is_staff)
    button(on_card(write_to_family), FamilyCb.filter(F.action == FamilyAction.MESSAGE), is_staff)
    button(on_card(start_visit), FamilyCb.filter(F.action == FamilyAction.VISIT), is_staff)
    button(on_card(open_plan), FamilyCb.filter(F.action == FamilyAction.PLAN), is_staff)
    button(on_card(start_appointment), FamilyCb.filter(F.action == FamilyAction.APPOINTMENT), is_staff)
    button(on_card(show_risk), FamilyCb.filter(F.action == FamilyAction.RISK), is_staff)
    button(on_card(set_progressive), FamilyCb.filter(F.action == FamilyAction.RISK_PROGRESSIVE), is_staff)
    button(on_card(set_universal), FamilyCb.filter(F.action == FamilyAction.RISK_UNIVERSAL), is_staff)
    button(on_card(ask_note), FamilyCb.filter(F.action == FamilyAction.NOTE), is_staff)
    button(on_card(clear_note), FamilyCb.filter(F.action == FamilyAction.NOTE_CLEAR), is_staff)
    button(on_card(check_answers), FamilyCb.filter(F.action == FamilyAction.CHECKS), is_staff)
    button(on_card(reassign_choices), FamilyCb.filter(F.action == FamilyAction.REASSIGN), is_staff)
    button(on_reassign, ReassignCb.filter(), is_staff)
    text = (F.text, ~F.text.startswith("/"), is_staff)  # a command leaves the flow to its own router
    router.message.register(on_search, StateFilter(SearchFlow.query), *text)
    router.message.register(on_note, StateFilter(NoteFlow.text), *text)
    router.message.register(on_flow_other, StateFilter(SearchFlow, NoteFlow), ~F.text.startswith("/"), is_staff)
    # Anyone not staff who reaches a staff button: refused and written down.
    for factory in (FamilyCb, FamiliesCb, ReassignCb):
        button(on_forbidden, pressed(factory), ~is_staff)
    button(refusing("family_unknown"), pressed(FamilyCb))
    button(refusing("families_unknown"), pressed(FamiliesCb))
    button(refusing("reassign_unknown"), pressed(ReassignCb))
    # The staff commands typed by someone who is not staff (a mother, or a nurse no longer).
    router.message.register(on_forbidden, Command("families", "questions"), ~is_staff)
    return router

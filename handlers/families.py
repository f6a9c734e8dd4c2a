"""Her families: the list (and finding one), the family card and what is done on it directly
(the risk level, the private note, handing the family to a colleague). The card's other buttons
start a home visit (handlers/visits.py), the support plan (handlers/plans.py) or an appointment
(handlers/nurse_appointments.py); "✉️ Write to her" (FamilyCb "message") is handled by the
questions router.

Routers only route: every service checks again, with what the database says now, that she may see
the family; a refusal is audited and answered politely.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.caseload import MAX_NOTE, RiskLevel, text_problem
from bot.filters import IsStaff
from bot.keyboards import nurse as kb
from bot.keyboards.nurse import FamiliesCb, FamilyCb, ReassignCb
from bot.keyboards.staff import StaffMenuCb
from bot.services import caseload as caseload_service
from bot.services import staff as staff_service
from bot.services.caseload import FamilyList
from bot.views.caseload import (
    card_text,
    family_list_text,
    risk_explanation,
    search_results_text,
)
from bot.views.screening import answers_text
from db.records import StaffRecord
from handlers.nurse_appointments import start_appointment
from handlers.plans import open_plan
from handlers.replies import (
    Press,
    answer_or_refuse,
    family_brief,
    mark_answered,
    not_available,
    on_flow_other,
    on_forbidden,
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
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await state.clear()
    text, markup = _list_view(await caseload_service.families_page(app, staff, 0), staff_member, app, staff)
    if isinstance(event, CallbackQuery):
        await event.answer()
    await bot.send_message(event.from_user.id, text, reply_markup=markup)  # type: ignore[union-attr]


async def on_families_button(
    callback: CallbackQuery, callback_data: FamiliesCb, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    if callback_data.action == "search":
        await callback.answer()
        await state.set_state(SearchFlow.query)
        await state.set_data({})
        await callback.bot.send_message(  # type: ignore[union-attr]
            callback.from_user.id, _("Type part of her name, or some digits of her phone number (for example 701 123):")
        )
        return
    await callback.answer()
    listing = await caseload_service.families_page(app, staff, callback_data.page)
    await show_in_place(callback, *_list_view(listing, staff_member, app, staff))


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

async def _card_view(press: Press, action: str) -> tuple[str, InlineKeyboardMarkup] | None:
    card = await caseload_service.open_card(press.app, press.staff, press.family_id, action=action)
    if card is None:
        return None
    return (card_text(card, press.member.language, press.app.today(), press.app.settings.tz),
            kb.card_keyboard(press.family_id, press.page))


async def _show_card(press: Press, *, in_place: bool, action: str = "open") -> None:
    """"open" (from a message about her) sends the card; "card" (from the list or one of the
    card's own screens) shows it in place."""
    view = await _card_view(press, action)
    if view is None:
        await say_refused(press.callback)
        return
    await press.callback.answer()
    await press.state.clear()
    if in_place:
        await show_in_place(press.callback, *view)
    else:
        await press.bot.send_message(press.chat_id, view[0], reply_markup=view[1])


async def _set_risk(press: Press, level: RiskLevel) -> None:
    if not await caseload_service.set_risk(press.app, press.staff, press.family_id, level):
        await say_refused(press.callback)
        return
    await press.callback.answer(_("Saved."))
    view = await _card_view(press, "risk")
    if view is not None:
        await show_in_place(press.callback, *view)


async def _risk(press: Press) -> None:
    if found := await family_brief(press, "risk"):
        await show_in_place(
            press.callback, risk_explanation(found.family.user.name, found.risk), kb.risk_keyboard(press.family_id, found.risk, press.page)
        )


async def _note(press: Press) -> None:
    if not (found := await family_brief(press, "note")):
        return
    await press.state.set_state(NoteFlow.text)
    await press.state.set_data({"family_id": press.family_id})
    lines = [_("<b>Note on {name}</b>").format(name=html.quote(found.family.user.name))]
    if found.note:
        lines += [_("Now:"), f"<i>{html.quote(found.note)}</i>", ""]
    lines.append(
        _("Type the note (up to {limit} characters); it replaces the one there is. Only staff see it, never the family.").format(
            limit=MAX_NOTE
        )
    )
    await press.bot.send_message(press.chat_id, "\n".join(lines), reply_markup=kb.note_keyboard(press.family_id, bool(found.note)))


async def _clear_note(press: Press) -> None:
    if not await caseload_service.set_note(press.app, press.staff, press.family_id, None):
        await say_refused(press.callback)
        return
    await press.callback.answer()
    await press.state.clear()
    await mark_answered(press.callback)
    await press.bot.send_message(press.chat_id, _("The note is removed."), reply_markup=kb.back_to_card(press.family_id))


async def _reassign_choices(press: Press) -> None:
    nurses = await answer_or_refuse(press, await caseload_service.reassign_choices(press.app, press.staff, press.family_id))
    if nurses is None:
        return
    if not nurses:
        text = _("There is no other nurse to hand this family to: ask your coordinator to invite one.")
    else:
        text = _("To which nurse should this family go? She and the family are told.")
    await show_in_place(press.callback, text, kb.reassign_keyboard(press.family_id, nurses, press.page))


async def _check_answers(press: Press) -> None:
    """Her latest self-checks with every answer (private safety and habits answers excepted)."""
    records = await caseload_service.check_answers(press.app, press.staff, press.family_id)
    if records is None:
        await say_refused(press.callback)
        return
    await press.callback.answer()
    lang = press.member.language
    text = answers_text(records, lang, press.app.settings.tz) or _("No self-checks yet.")
    await show_in_place(press.callback, text, kb.back_to_card(press.family_id, press.page))


_CARD_ACTIONS: dict[str, Callable[[Press], Awaitable[None]]] = {
    "checks": _check_answers,
    "open": lambda press: _show_card(press, in_place=False),
    "card": lambda press: _show_card(press, in_place=True, action="card"),
    "risk": _risk,
    "risk_prog": lambda press: _set_risk(press, RiskLevel.PROGRESSIVE),
    "risk_univ": lambda press: _set_risk(press, RiskLevel.UNIVERSAL),
    "note": _note,
    "note_clear": _clear_note,
    "visit": start_visit,
    "plan": open_plan,
    "appointment": start_appointment,
    "reassign": _reassign_choices,
}


async def on_family(
    callback: CallbackQuery,
    callback_data: FamilyCb,
    bot: Bot,
    state: FSMContext,
    app: AppContext,
    staff: Actor,
    staff_member: StaffRecord,
) -> None:
    """Every button of a family card. Each action's service checks the family is hers to see."""
    action = _CARD_ACTIONS.get(callback_data.action)
    if action is None:  # no button of ours says this
        await staff_service.refuse(app, staff.user_id, "family_unknown", family_id=callback_data.family_id)
        await say_refused(callback)
        return
    await action(Press(callback, bot, state, app, staff, staff_member, callback_data.family_id, callback_data.page))


async def on_note(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    note = (message.text or "").strip()
    problem = text_problem(note, MAX_NOTE)
    if problem is not None:
        await message.answer(
            _(
                "This note is {length} characters, and a note can hold up to {limit}. "
                "Could you shorten it a little, to the main points? Nothing is saved yet."
            ).format(length=len(note), limit=MAX_NOTE)
            if problem == "too_long"
            else _("Please type the note as text.")
        )
        return
    family_id = int((await state.get_data())["family_id"])
    await state.clear()
    if not await caseload_service.set_note(app, staff, family_id, note):
        await message.answer(not_available())
        return
    await message.answer(_("Saved: the note is on her card."), reply_markup=kb.back_to_card(family_id))


# --- reassigning ---------------------------------------------------------------------------------

async def on_reassign(callback: CallbackQuery, callback_data: ReassignCb, app: AppContext, staff: Actor) -> None:
    nurse = await caseload_service.reassign(app, staff, callback_data.family_id, callback_data.staff_id)
    if nurse is None:
        await say_refused(callback)
        return
    await callback.answer()
    text = _("Done: {nurse} looks after this family now. She and the family are told.").format(nurse=html.quote(nurse.name))
    # An admin still sees the family; a nurse who handed her on does not.
    markup = kb.back_to_card(callback_data.family_id) if staff.is_admin else kb.back_to_list()
    await show_in_place(callback, text, markup)


def build_router() -> Router:
    router = Router(name="families")
    is_staff = IsStaff()
    router.message.register(on_families, Command("families"), is_staff)
    router.callback_query.register(on_families, StaffMenuCb.filter(F.action == "families"), is_staff)
    router.callback_query.register(on_families_button, FamiliesCb.filter(), is_staff)
    router.callback_query.register(on_family, FamilyCb.filter(F.action != "message"), is_staff)
    router.callback_query.register(on_reassign, ReassignCb.filter(), is_staff)
    text = (F.text, ~F.text.startswith("/"), is_staff)  # a command leaves the flow to its own router
    router.message.register(on_search, StateFilter(SearchFlow.query), *text)
    router.message.register(on_note, StateFilter(NoteFlow.text), *text)
    router.message.register(on_flow_other, StateFilter(SearchFlow, NoteFlow), ~F.text.startswith("/"), is_staff)
    # Anyone not staff who reaches a staff button: refused and written down. (Staff's "✉️ Write to
    # her" goes on to the questions router.)
    for callback_data in (FamilyCb, FamiliesCb, ReassignCb):
        router.callback_query.register(on_forbidden, callback_data.filter(), ~is_staff)
    router.callback_query.register(on_forbidden, StaffMenuCb.filter(F.action == "families"), ~is_staff)
    # The staff commands typed by someone who is not staff (a mother, or a nurse no longer).
    router.message.register(on_forbidden, Command("families", "questions"), ~is_staff)
    return router

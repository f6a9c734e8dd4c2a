"""A home visit recorded from the family card: when it was, what was assessed, which risks were
named, a note. Saving it marks the calendar's patronage visit done and may suggest progressive
patronage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.caseload import ASSESSED, MAX_VISIT_NOTE, RISKS, text_problem, toggle
from bot.domain.dates import format_date
from bot.filters import IsStaff, pressed
from bot.keyboards import nurse as kb
from bot.keyboards.nurse import VisitAction, VisitCb
from bot.services import visits as visit_service
from bot.views.calendar import entry_title
from bot.views.caseload import chosen_text, visit_saved_text
from bot.views.replies import not_available, text_reply
from db.records import StaffRecord
from handlers.replies import Press, family_brief, mark_answered, on_flow_other, on_forbidden, read_date, refusing, set_buttons, stale


class VisitFlow(StatesGroup):
    on_date = State()
    assessed = State()
    risks = State()
    note = State()


async def start_visit(press: Press) -> None:
    if not (found := await family_brief(press, "visit")):
        return
    today = press.app.today()
    await press.state.set_state(VisitFlow.on_date)
    await press.state.set_data({"family_id": press.family_id, "assessed": [], "risks": []})
    await press.bot.send_message(
        press.chat_id,
        _("<b>Home visit to {name}</b>\nWhen was it? Press «Today» or type the date, for example {example}.").format(
            name=html.quote(found.family.user.name), example=format_date(today - timedelta(days=1))
        ),
        reply_markup=kb.visit_date_keyboard(format_date(today)),
    )


async def _ask_assessed(bot: Bot, chat_id: int, state: FSMContext) -> None:
    await state.set_state(VisitFlow.assessed)
    await bot.send_message(
        chat_id, _("What did you assess? Choose all that apply, then press «Next»."), reply_markup=kb.assessed_keyboard([])
    )


async def on_visit_date(message: Message, bot: Bot, state: FSMContext, app: AppContext) -> None:
    visited_on = await read_date(
        message, app, visit_service.visit_date_ok, _("Please type a date within the last year, and not in the future.")
    )
    if visited_on is None:
        return
    await state.update_data(visited_on=visited_on.isoformat())
    await _ask_assessed(bot, message.chat.id, state)


# --- the buttons: each counts only under the question on screen now ----------------------------------

async def on_visit_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await state.clear()
    await mark_answered(callback)
    await bot.send_message(callback.from_user.id, _("Cancelled: nothing is saved."))


async def on_visit_today(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await mark_answered(callback)
    await state.update_data(visited_on=app.today().isoformat())
    await _ask_assessed(bot, callback.from_user.id, state)


async def _toggle(
    callback: CallbackQuery, state: FSMContext, field: str, pressed: VisitCb, codes: Sequence[str],
    keyboard: Callable[[Sequence[str]], InlineKeyboardMarkup],
) -> None:
    chosen = toggle((await state.get_data()).get(field, []), pressed.code, codes, pressed.on)
    await state.update_data({field: chosen})
    await set_buttons(callback, keyboard(chosen))


async def on_assessed_toggle(callback: CallbackQuery, callback_data: VisitCb, state: FSMContext) -> None:
    await _toggle(callback, state, "assessed", callback_data, ASSESSED, kb.assessed_keyboard)


async def on_risk_toggle(callback: CallbackQuery, callback_data: VisitCb, state: FSMContext) -> None:
    await _toggle(callback, state, "risks", callback_data, RISKS, kb.risks_keyboard)


async def on_assessed_done(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await mark_answered(callback, chosen_text((await state.get_data()).get("assessed", []), ASSESSED))
    await state.set_state(VisitFlow.risks)
    await bot.send_message(callback.from_user.id, _("Which risks did you name, if any?"), reply_markup=kb.risks_keyboard([]))


async def on_risks_done(callback: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await mark_answered(callback, chosen_text((await state.get_data()).get("risks", []), RISKS))
    await state.set_state(VisitFlow.note)
    await bot.send_message(
        callback.from_user.id,
        _("Anything to note about the visit? Type it, or press «Skip»."),
        reply_markup=kb.skip_keyboard(VisitCb(action=VisitAction.SKIP)),
    )


async def on_visit_skip(
    callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await mark_answered(callback)
    await _save_visit(bot, callback.from_user.id, state, app, staff, staff_member, None)


async def on_stale_visit_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A button of a question answered already, or of a visit no longer being recorded."""
    stale(callback_answer)


async def on_visit_note(message: Message, bot: Bot, state: FSMContext, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    note = (message.text or "").strip()
    problem = text_problem(note, MAX_VISIT_NOTE)
    if problem is not None:
        skip = kb.skip_keyboard(VisitCb(action=VisitAction.SKIP))
        await message.answer(text_reply(problem, MAX_VISIT_NOTE, len(note)), reply_markup=skip)
        return
    await _save_visit(bot, message.chat.id, state, app, staff, staff_member, note)


async def _save_visit(
    bot: Bot, chat_id: int, state: FSMContext, app: AppContext, staff: Actor, member: StaffRecord, note: str | None
) -> None:
    data: dict[str, Any] = await state.get_data()
    await state.clear()
    family_id = int(data["family_id"])
    saved = await visit_service.record_visit(
        app, staff, family_id, date.fromisoformat(data["visited_on"]), data.get("assessed", []), data.get("risks", []), note
    )
    if saved is None:
        await bot.send_message(chat_id, not_available())
        return
    title = entry_title(saved.entry, member.language) if saved.entry is not None else None
    markup = kb.suggest_progressive_keyboard(family_id) if saved.suggest_progressive else kb.back_to_card(family_id)
    await bot.send_message(chat_id, visit_saved_text(title, saved.suggest_progressive), reply_markup=markup)


def build_router() -> Router:
    router = Router(name="visits")
    is_staff = IsStaff()

    def button(handler: Callable[..., Awaitable[None]], action: VisitAction, *step: State | type[VisitFlow]) -> None:
        router.callback_query.register(handler, VisitCb.filter(F.action == action), StateFilter(*step), is_staff)

    button(on_visit_cancel, VisitAction.CANCEL, VisitFlow)
    button(on_visit_today, VisitAction.TODAY, VisitFlow.on_date)
    button(on_assessed_toggle, VisitAction.ASSESSED, VisitFlow.assessed)
    button(on_risk_toggle, VisitAction.RISK, VisitFlow.risks)
    button(on_assessed_done, VisitAction.NEXT, VisitFlow.assessed)
    button(on_risks_done, VisitAction.NEXT, VisitFlow.risks)
    button(on_visit_skip, VisitAction.SKIP, VisitFlow.note)
    router.callback_query.register(on_stale_visit_button, VisitCb.filter(), is_staff)
    text = (F.text, ~F.text.startswith("/"), is_staff)  # a command leaves the flow to its own router
    router.message.register(on_visit_date, StateFilter(VisitFlow.on_date), *text)
    router.message.register(on_visit_note, StateFilter(VisitFlow.note), *text)
    router.message.register(on_flow_other, StateFilter(VisitFlow), ~F.text.startswith("/"), is_staff)
    # Anyone not staff who reaches these buttons: refused and written down.
    router.callback_query.register(on_forbidden, pressed(VisitCb), ~is_staff)
    router.callback_query.register(refusing("visit_unknown"), pressed(VisitCb))
    return router

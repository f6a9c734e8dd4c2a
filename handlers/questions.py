""""Ask my nurse" and /nurse for mothers; for staff the "Answer" under a question, /questions, and
writing to a family from her card (`write_to_family`, routed with the card's buttons in
handlers/families.py). Each handler parses, calls one service and replies; the services check who
may do what again, with what the database says now."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, User
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.dates import format_moment
from bot.domain.questions import MAX_TEXT, preview, utf16_len
from bot.filters import IsStaff, pressed
from bot.keyboards import questions as kb
from bot.keyboards.questions import AnswerAction, AnswerCb, AskAction, AskCb
from bot.logging_setup import log_event
from bot.services import questions as questions_service
from bot.services.questions import QuestionView
from bot.views.questions import (
    answer_prompt,
    asked_text,
    nurse_text,
    open_questions_text,
    sent_text,
    thread_line,
    too_long_text,
    who,
)
from db.records import Family
from handlers.replies import (
    Press,
    alert,
    mark_answered,
    on_forbidden,
    refusing,
    say_refused,
    set_buttons,
    show_in_place,
)

PAGE = 5  # questions per page of /questions
THREAD_SHOWN = 5  # of her open questions, shown when a nurse opens one
CAPTION = 1000  # of a question's text under its photo (Telegram allows 1024)


class AskFlow(StatesGroup):
    question = State()  # data: reply_to (the staff message she answers) or None


class AnswerFlow(StatesGroup):
    text = State()  # data: question (the one answered) or family (writing from her card)


TEXT_OR_PHOTO = F.photo | (F.text & ~F.text.startswith("/"))


def _content(message: Message) -> tuple[str | None, str | None]:
    """(text or caption, photo file id): a photo's largest size."""
    if message.photo:
        return message.caption or None, message.photo[-1].file_id
    return message.text, None


def _too_long(text: str | None) -> bool:
    return text is not None and utf16_len(text) > MAX_TEXT


async def _cancel(callback: CallbackQuery, bot: Bot, state: FSMContext, flow: str | None, answer: CallbackAnswer) -> None:
    """"Cancel" under a prompt: only while that prompt is still waiting (not after she sent it)."""
    if await state.get_state() != flow:
        answer.text = _("This button is no longer active.")
        await set_buttons(callback, None)
        return
    await state.clear()
    await mark_answered(callback)
    await bot.send_message(callback.from_user.id, _("Cancelled: nothing was sent."))


# --- mothers -------------------------------------------------------------------------------------

async def on_nurse(message: Message, state: FSMContext, app: AppContext, family: Family | None) -> None:
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    await state.clear()
    nurse = await questions_service.her_nurse(app, family.user.id)
    await message.answer(nurse_text(family.user, nurse), reply_markup=kb.ask_keyboard())


async def on_stale_ask_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A button of hers that no longer applies (or data no button of ours carries)."""
    log_event("question_button_refused", user_id=callback.from_user.id)
    alert(callback_answer, _("This button is no longer active."))


async def _start_asking(bot: Bot, chat_id: int, state: FSMContext, reply_to: int | None, prompt: str) -> None:
    await state.set_state(AskFlow.question)
    await state.set_data({"reply_to": reply_to})
    await bot.send_message(chat_id, prompt, reply_markup=kb.ask_cancel_keyboard())


async def on_ask(callback: CallbackQuery, bot: Bot, state: FSMContext, family: Family | None, callback_answer: CallbackAnswer) -> None:
    """"Ask a question" and "Write more"."""
    if family is None:
        await on_stale_ask_button(callback, callback_answer)
        return
    await _start_asking(
        bot, callback.from_user.id, state, None,
        _("Write your question in one message. You can also send a photo, with a caption if you like."),
    )


async def on_reply(
    callback: CallbackQuery, callback_data: AskCb, bot: Bot, state: FSMContext, app: AppContext, family: Family | None,
    callback_answer: CallbackAnswer,
) -> None:
    """"Reply" under a message staff wrote to her."""
    if family is None or await questions_service.staff_message(app, family.user.id, callback_data.id) is None:
        await on_stale_ask_button(callback, callback_answer)
        return
    await _start_asking(
        bot, callback.from_user.id, state, callback_data.id,
        _("Write your reply in one message. You can also send a photo, with a caption if you like."),
    )


async def on_show_photo(
    callback: CallbackQuery, callback_data: AskCb, bot: Bot, app: AppContext, family: Family | None, callback_answer: CallbackAnswer
) -> None:
    """The photo a nurse sent with her message (the outbox carries text only)."""
    message = await questions_service.staff_message(app, family.user.id, callback_data.id) if family is not None else None
    if message is None or message.photo_file_id is None:
        await on_stale_ask_button(callback, callback_answer)
        return
    await bot.send_photo(callback.from_user.id, message.photo_file_id)


async def on_ask_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext, callback_answer: CallbackAnswer) -> None:
    await _cancel(callback, bot, state, AskFlow.question.state, callback_answer)


async def on_question(message: Message, state: FSMContext, app: AppContext, family: Family | None) -> None:
    if family is None:
        await state.clear()
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    text, photo = _content(message)
    if _too_long(text):
        await message.answer(too_long_text())
        return
    reply_to = (await state.get_data()).get("reply_to")
    asked = await questions_service.ask(app, family.user.id, text=text, photo_file_id=photo, reply_to=reply_to)
    await state.clear()
    if asked is None:
        await message.answer(_("Sorry, I could not send this. Please try again from /nurse."))
        return
    await message.answer(asked_text(asked.nurse), reply_markup=kb.write_more_keyboard())


KEPT = "kept_questions"  # FSM data: free messages she typed outside any flow, by message id, for "Send this"
KEPT_MOST = 5


async def keep_free_message(message: Message, state: FSMContext) -> bool:
    """A text or photo she sent outside any flow is kept (in her FSM data, so a restart keeps it too),
    the last few of them, each under its own button. False: nothing that could be sent."""
    if message.photo is None and (not message.text or message.text.startswith("/")):
        return False
    text, photo = _content(message)
    if _too_long(text):
        return False
    kept = dict((await state.get_data()).get(KEPT) or {})
    kept[str(message.message_id)] = {"text": text, "photo": photo}
    await state.update_data({KEPT: dict(list(kept.items())[-KEPT_MOST:])})
    return True


async def on_send_kept(
    callback: CallbackQuery, callback_data: AskCb, bot: Bot, state: FSMContext, app: AppContext, family: Family | None,
    callback_answer: CallbackAnswer,
) -> None:
    """"✍️ Send this to my nurse" under the answer to a free message: nothing she wrote is dropped."""
    all_kept = dict((await state.get_data()).get(KEPT) or {})
    kept = all_kept.pop(str(callback_data.id), None)
    if family is None or not isinstance(kept, dict) or not (kept.get("text") or kept.get("photo")):
        await on_stale_ask_button(callback, callback_answer)
        await set_buttons(callback, None)
        return
    asked = await questions_service.ask(app, family.user.id, text=kept.get("text"), photo_file_id=kept.get("photo"))
    await state.update_data({KEPT: all_kept})
    await set_buttons(callback, None)
    if asked is None:
        await bot.send_message(family.user.id, _("Sorry, I could not send this. Please try again from /nurse."))
        return
    await bot.send_message(family.user.id, asked_text(asked.nurse), reply_markup=kb.write_more_keyboard())


async def on_question_other(message: Message) -> None:
    await message.answer(_("I can pass on text and photos only. Please type your question, or send a photo."))


# --- staff ---------------------------------------------------------------------------------------

async def _questions_view(app: AppContext, actor: Actor, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    total, items = await questions_service.open_questions(app, actor, limit=PAGE, offset=page * PAGE)
    if not total:
        return _("No questions are waiting for an answer."), None
    pages = -(-total // PAGE)
    if not items and page > 0:
        return await _questions_view(app, actor, pages - 1)
    first = page * PAGE + 1
    buttons = [(question.id, f"{number}. {family.user.name}") for number, (question, family) in enumerate(items, start=first)]
    text = open_questions_text(total, items, first, app.today(), app.settings.tz)
    return text, kb.open_questions_keyboard(buttons, page, pages)


async def on_questions(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, state: FSMContext, app: AppContext, staff: Actor
) -> None:
    """/questions and the nurse menu's button: the same list."""
    await state.clear()
    text, markup = await _questions_view(app, staff, 0)
    await bot.send_message(event_from_user.id, text, reply_markup=markup)


async def _show_thread(bot: Bot, chat_id: int, app: AppContext, view: QuestionView) -> int:
    """Her open questions up to this one (photos as photos); returns how many earlier ones were left out."""
    thread = view.thread or [view.question]
    shown = thread[-THREAD_SHOWN:]
    for question in shown:
        asked = format_moment(question.created_at, app.settings.tz)
        if question.photo_file_id is None:
            await bot.send_message(chat_id, thread_line(asked, question.text))
            continue
        caption, cut = preview(question.text or "", CAPTION)
        await bot.send_photo(chat_id, question.photo_file_id, caption=thread_line(asked, caption or None))
        if cut:
            await bot.send_message(chat_id, thread_line(asked, question.text))
    return len(thread) - len(shown)


async def on_questions_page(callback: CallbackQuery, callback_data: AnswerCb, app: AppContext, staff: Actor) -> None:
    await show_in_place(callback, *await _questions_view(app, staff, callback_data.page))


async def _wait_for_text(bot: Bot, chat_id: int, state: FSMContext, data: dict[str, int], prompt: str) -> None:
    """What staff type next goes to the family (`data`: the question answered, or the family)."""
    await state.set_state(AnswerFlow.text)
    await state.set_data(data)
    await bot.send_message(chat_id, prompt, reply_markup=kb.answer_cancel_keyboard())


async def on_open_question(
    callback: CallbackQuery, callback_data: AnswerCb, bot: Bot, state: FSMContext, app: AppContext, staff: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    """"✍️ Answer": her question (and her other open ones) with photos, then the answer is asked for."""
    view = await questions_service.open_question(app, staff, callback_data.id)
    if view is None:
        await say_refused(callback, callback_answer)
        return
    chat_id = callback.from_user.id
    earlier = await _show_thread(bot, chat_id, app, view)
    parent = preview(view.parent.text or "📷", 200)[0] if view.parent is not None else None
    answered_at = view.question.answered_at
    prompt = answer_prompt(
        view.family, app.today(), view.answered_by, format_moment(answered_at, app.settings.tz) if answered_at else None, parent, earlier
    )
    await _wait_for_text(bot, chat_id, state, {"question": view.question.id}, prompt)


async def on_answer_cancel(callback: CallbackQuery, bot: Bot, state: FSMContext, callback_answer: CallbackAnswer) -> None:
    await _cancel(callback, bot, state, AnswerFlow.text.state, callback_answer)


async def write_to_family(press: Press) -> None:
    """"✉️ Write to her" on the family card (routed with the card's other buttons, handlers/families.py)."""
    family = await questions_service.message_target(press.app, press.staff, press.family_id)
    if family is None:
        await say_refused(press.callback, press.answer)
        return
    prompt = _(
        "✍️ Your message to {who}: type it in one message (text, or a photo with a caption). "
        "She gets it in this chat and can reply."
    ).format(who=who(family, press.app.today()))
    await _wait_for_text(press.bot, press.chat_id, press.state, {"family": family.user.id}, prompt)


async def on_answer(message: Message, state: FSMContext, app: AppContext, staff: Actor) -> None:
    text, photo = _content(message)
    if _too_long(text):
        await message.answer(too_long_text())
        return
    data = await state.get_data()
    if data.get("question") is not None:
        result = await questions_service.answer(app, staff, int(data["question"]), text=text, photo_file_id=photo)
    else:
        result = await questions_service.write_to_family(app, staff, int(data.get("family") or 0), text=text, photo_file_id=photo)
    await state.clear()
    if result is None:
        await message.answer(_("This is not available to you."))
        return
    await message.answer(sent_text(result, app.settings.tz))


async def on_answer_other(message: Message) -> None:
    await message.answer(_("I can send text and photos only. Please type your message, or send a photo."))


def build_router() -> Router:
    router = Router(name="questions")
    staff = IsStaff()
    button = router.callback_query.register
    router.message.register(on_nurse, Command("nurse"))
    button(on_ask, AskCb.filter(F.action == AskAction.ASK))
    button(on_reply, AskCb.filter(F.action == AskAction.REPLY))
    button(on_show_photo, AskCb.filter(F.action == AskAction.PHOTO))
    button(on_ask_cancel, AskCb.filter(F.action == AskAction.CANCEL))
    button(on_send_kept, AskCb.filter(F.action == AskAction.SEND))
    button(on_stale_ask_button, pressed(AskCb))
    router.message.register(on_questions, Command("questions"), staff)  # the menu's button: handlers/staff.py
    button(on_open_question, AnswerCb.filter(F.action == AnswerAction.ANSWER), staff)
    button(on_questions_page, AnswerCb.filter(F.action == AnswerAction.PAGE), staff)
    button(on_answer_cancel, AnswerCb.filter(F.action == AnswerAction.CANCEL), staff)
    # A staff button from someone who is not staff (any more): refused and written down.
    button(on_forbidden, pressed(AnswerCb), ~staff)
    button(refusing("answer_unknown"), pressed(AnswerCb))
    router.message.register(on_answer, StateFilter(AnswerFlow.text), staff, TEXT_OR_PHOTO)
    router.message.register(on_answer_other, StateFilter(AnswerFlow.text), staff, ~F.text.startswith("/"))
    router.message.register(on_question, StateFilter(AskFlow.question), TEXT_OR_PHOTO)
    router.message.register(on_question_other, StateFilter(AskFlow.question), ~F.text.startswith("/"))
    return router

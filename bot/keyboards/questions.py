"""Callback data and keyboards of the messages between a family and the nurses."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.keyboards import Keyboard
from bot.keyboards.nurse import FamilyAction, FamilyCb


class AskAction(StrEnum):
    ASK = "ask"
    REPLY = "reply"  # to a message staff wrote to her
    PHOTO = "photo"  # show the photo a nurse sent
    CANCEL = "cancel"
    SEND = "send"  # the free message she typed, kept for her


class AskCb(CallbackData, prefix="ask"):
    """The mother's buttons. `id`: the staff message she replies to, or whose photo she wants to see;
    checked to be hers on every press."""

    action: AskAction
    id: int = 0


class AnswerAction(StrEnum):
    ANSWER = "answer"
    CANCEL = "cancel"
    PAGE = "page"


class AnswerCb(CallbackData, prefix="ans"):
    """Staff buttons. `id`: a question; who may answer it is checked again on every press."""

    action: AnswerAction
    id: int = 0
    page: int = 0


def ask_keyboard() -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("✍️ Ask a question"), callback_data=AskCb(action=AskAction.ASK)).as_markup()


def send_kept_keyboard(message_id: int) -> InlineKeyboardMarkup:
    """Under the answer to a free message: send what she typed (that message) to her nurse, without
    typing it again."""
    return Keyboard().button(
        text=_("✍️ Send this to my nurse"), callback_data=AskCb(action=AskAction.SEND, id=message_id)
    ).as_markup()


def write_more_keyboard() -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("✍️ Write more"), callback_data=AskCb(action=AskAction.ASK)).as_markup()


def ask_cancel_keyboard() -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("Cancel"), callback_data=AskCb(action=AskAction.CANCEL)).as_markup()


def staff_message_keyboard(message_id: int, photo: bool) -> InlineKeyboardMarkup:
    """Under what a nurse wrote to her: see the photo, and answer back."""
    keyboard = Keyboard()
    if photo:
        keyboard.button(text=_("🖼 Show the photo"), callback_data=AskCb(action=AskAction.PHOTO, id=message_id))
    keyboard.button(text=_("↩️ Reply"), callback_data=AskCb(action=AskAction.REPLY, id=message_id))
    return keyboard.adjust(1).as_markup()


def question_notice_keyboard(question_id: int, family_id: int, card: bool) -> InlineKeyboardMarkup:
    """Under a question sent to staff. `card`: only for those who may open her card."""
    keyboard = Keyboard()
    keyboard.button(text=_("✍️ Answer"), callback_data=AnswerCb(action=AnswerAction.ANSWER, id=question_id))
    if card:
        keyboard.button(text=_("👪 Open her card"), callback_data=FamilyCb(action=FamilyAction.OPEN, family_id=family_id))
    return keyboard.adjust(1).as_markup()


def answer_cancel_keyboard() -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("Cancel"), callback_data=AnswerCb(action=AnswerAction.CANCEL)).as_markup()


def open_questions_keyboard(items: Sequence[tuple[int, str]], page: int, pages: int) -> InlineKeyboardMarkup:
    """One "Answer" per question on the page (id, label), then the pages."""
    keyboard = Keyboard()
    for question_id, label in items:
        keyboard.button(text=_("✍️ {label}").format(label=label),
            callback_data=AnswerCb(action=AnswerAction.ANSWER, id=question_id, page=page))
    navigation = keyboard.page_arrows(page, pages, lambda to: AnswerCb(action=AnswerAction.PAGE, page=to))
    return keyboard.adjust(*([1] * len(items)), max(navigation, 1)).as_markup()

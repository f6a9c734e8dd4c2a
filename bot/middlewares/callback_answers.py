"""Presses are answered once, after the handler, by aiogram's CallbackAnswerMiddleware, with one change:
a press that can no longer be answered is not an error.

Telegram refuses an answer to a press it has forgotten ("query is too old … or query ID is invalid"): the
press waited too long, or it is handled a second time because the worker that handled it first was killed
before it could note the update as done (bot/webhook.py). What the handler did stands; she only misses the
small notice under her tap, so nothing is worth an apology.
"""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from bot.logging_setup import log_event

FORGOTTEN = ("query is too old", "query id is invalid")


def forgotten_press(error: TelegramBadRequest) -> bool:
    return any(words in error.message.lower() for words in FORGOTTEN)


class CallbackAnswers(CallbackAnswerMiddleware):
    async def answer(self, event: CallbackQuery, callback_answer: CallbackAnswer) -> None:  # type: ignore[override]
        try:
            await super().answer(event, callback_answer)
        except TelegramBadRequest as error:
            if not forgotten_press(error):
                raise
            log_event("callback_answer_too_late", user_id=event.from_user.id)

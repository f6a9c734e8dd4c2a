"""An update handled a second time: her current question is asked once more after it.

In webhook mode a worker killed after handling an update, but before noting it done, leaves it to be
handled again by another (bot/webhook.py: at least once). Its first handling may have moved her on and
died before asking the next question; handled again in the new step, it gets that step's answer, and
without this she would wait for a question that never comes. Rare (a worker's death), so one repeated
question costs little.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.logging_setup import log_event
from handlers.steps import reask


class AskAgainAfterARepeat(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        result = await handler(event, data)
        state = data.get("state")
        if data.get("again") and state is not None:
            chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id if isinstance(event, CallbackQuery) else None
            if chat_id is not None and await reask(data["bot"], chat_id, state, data["app"]):
                log_event("asked_again", user_id=chat_id)
        return result

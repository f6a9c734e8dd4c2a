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
from aiogram.types import TelegramObject, User

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
        sender: User | None = data.get("event_from_user")  # her chat: the bot serves private chats only
        state = data.get("state")
        if data.get("again") and sender is not None and state is not None and await reask(data["bot"], sender.id, state, data["app"]):
            log_event("asked_again", user_id=sender.id)
        return result

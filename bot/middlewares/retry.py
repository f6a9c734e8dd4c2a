"""Replies that meet Telegram's flood limit (429) wait retry_after and go again, instead of being lost.

This covers the bot's direct replies. Messages the bot starts itself go through the delivery
engine's pacer (Step 2), which paces before sending rather than after a refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from bot.clock import Clock
from bot.logging_setup import log_event


class RetryAfterMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        clock: Clock,
        *,
        attempts: int = 3,
        max_wait: float = 30.0,
        on_flood: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.clock = clock
        self.attempts = attempts
        self.max_wait = max_wait
        # The delivery pacer pauses everyone, not just this call (with a RedisPacer: every worker).
        self.on_flood = on_flood

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self.attempts or exc.retry_after > self.max_wait:
                    raise
                log_event("flood_wait", method=method.__api_method__, seconds=exc.retry_after, attempt=attempt)
                if self.on_flood is not None:
                    await self.on_flood(exc.retry_after)
                await self.clock.sleep(exc.retry_after)
        raise AssertionError("unreachable")

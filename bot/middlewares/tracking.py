"""Counts updates in progress, so shutdown (and tests) can wait until every update is handled; and
records each update's type and handling time for /metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from bot.metrics import Metrics


class InFlightUpdates(BaseMiddleware):
    def __init__(self, metrics: Metrics | None = None) -> None:
        self.metrics = metrics
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self.count += 1
        self._idle.clear()
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            self.count -= 1
            try:
                if self.metrics is not None:
                    self.metrics.updates.labels(type=_kind(event)).inc()
                    self.metrics.update_seconds.observe(time.perf_counter() - started)
            finally:  # shutdown waits for this: nothing above may keep it from being said
                if self.count == 0:
                    self._idle.set()

    async def wait_idle(self) -> None:
        await self._idle.wait()


def _kind(event: TelegramObject) -> str:
    """The update's type for /metrics; "unknown" for one aiogram cannot name (a newer Bot API's, a broken one)."""
    try:
        return str(getattr(event, "event_type", "unknown"))
    except LookupError:  # aiogram's UpdateTypeLookupError
        return "unknown"

"""Keeps the bot under Telegram's limits: a global rate, ~1 message/s to one chat, and a pause for
everyone when Telegram answers 429. Time comes from the injected Clock.

`Pacer` keeps the pace inside one process; `bot.delivery.shared_pacer.RedisPacer` keeps it in Redis,
for all the worker processes together (Step 10). Both do what `PaceKeeper` says, and `make_pacer`
(bot/delivery/shared_pacer.py) chooses between them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Protocol

from bot.clock import Clock

# Chats whose spacing is remembered before those long past are forgotten.
REMEMBERED_CHATS = 10_000


def slot_interval(rate_per_second: float) -> timedelta:
    """The spacing of global slots, rounded up to a whole microsecond: never faster than the rate, so
    any one-second stretch holds at most `rate` slots."""
    return timedelta(microseconds=math.ceil(1_000_000 / rate_per_second))


class PaceKeeper(Protocol):
    """What the delivery engine and RetryAfterMiddleware need of a pacer."""

    interval: timedelta  # between two global slots (tests may set it)

    async def chat_ready_at(self, chat_id: int) -> datetime | None:
        """When this chat may get its next message, if not now."""

    async def wait_turn(self, chat_id: int) -> datetime:
        """Reserve this chat's next message a global slot, wait for it, and return it."""

    async def pause(self, seconds: float) -> None:
        """Telegram said "retry after": nobody sends until then."""


class Pacer:
    """The pace of one process: a bot with one worker, or a worker's own when Redis is away."""

    def __init__(self, clock: Clock, rate_per_second: float = 25.0, per_chat_interval: float = 1.0) -> None:
        self.clock = clock
        self.interval = slot_interval(rate_per_second)
        self.per_chat = timedelta(seconds=per_chat_interval)
        self._next_slot: datetime | None = None
        self.paused_until: datetime | None = None
        self._chat_ready: dict[int, datetime] = {}

    async def chat_ready_at(self, chat_id: int) -> datetime | None:
        """When this chat may get its next message, if not now."""
        ready = self._chat_ready.get(chat_id)
        return ready if ready is not None and ready > self.clock.now() else None

    async def wait_turn(self, chat_id: int) -> datetime:
        """Reserve the next global slot for this chat, wait for it, and return it.

        A chat not ready by the next slot (its previous message went out less than a second before)
        reserves nothing while it waits, so the messages to other chats keep their slots."""
        while True:
            now = self.clock.now()
            start = max(t for t in (now, self._next_slot, self.paused_until) if t is not None)
            ready = self._chat_ready.get(chat_id)
            if ready is None or ready <= start:
                break
            await self.clock.sleep((ready - now).total_seconds())
        self.book(chat_id, start)
        if start > now:
            await self.clock.sleep((start - now).total_seconds())
        return start

    def book(self, chat_id: int, start: datetime) -> None:
        """A message to this chat goes at `start`: the next slot, and her next second, come after it.
        RedisPacer books here too what Redis gave it, so that its fallback starts where it left off."""
        next_slot = start + self.interval
        if self._next_slot is None or next_slot > self._next_slot:
            self._next_slot = next_slot
        ready = start + self.per_chat
        previous = self._chat_ready.get(chat_id)
        if previous is None or ready > previous:
            self._chat_ready[chat_id] = ready
        if len(self._chat_ready) > REMEMBERED_CHATS:  # forget chats whose spacing has long passed
            now = self.clock.now()
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}

    async def pause(self, seconds: float) -> None:
        """Telegram said "retry after": nobody sends until then."""
        self.pause_until(self.clock.now() + timedelta(seconds=seconds))

    def pause_until(self, until: datetime) -> None:
        if self.paused_until is None or until > self.paused_until:
            self.paused_until = until

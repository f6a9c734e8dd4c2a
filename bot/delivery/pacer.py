"""Keeps the whole process under Telegram's limits: a global rate, ~1 message/s to one chat,
and a pause for everyone when Telegram answers 429. Time comes from the injected Clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock


class Pacer:
    def __init__(self, clock: Clock, rate_per_second: float = 25.0, per_chat_interval: float = 1.0) -> None:
        self.clock = clock
        self.interval = timedelta(seconds=1.0 / rate_per_second)
        self.per_chat = timedelta(seconds=per_chat_interval)
        self._next_slot: datetime | None = None
        self._paused_until: datetime | None = None
        self._chat_ready: dict[int, datetime] = {}

    def chat_ready_at(self, chat_id: int) -> datetime | None:
        """When this chat may get its next message, if not now."""
        ready = self._chat_ready.get(chat_id)
        return ready if ready is not None and ready > self.clock.now() else None

    async def wait_turn(self, chat_id: int) -> None:
        """Reserve the next global slot for this chat and wait for it."""
        now = self.clock.now()
        start = max(t for t in (now, self._next_slot, self._paused_until, self._chat_ready.get(chat_id)) if t)
        self._next_slot = start + self.interval
        self._chat_ready[chat_id] = start + self.per_chat
        if len(self._chat_ready) > 10_000:  # forget chats whose spacing has long passed
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
        if start > now:
            await self.clock.sleep((start - now).total_seconds())

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after": nobody sends until then."""
        until = self.clock.now() + timedelta(seconds=seconds)
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until

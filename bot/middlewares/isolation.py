"""One update at a time per person, through aiogram's own event-isolation hook.

Updates run as concurrent tasks; two quick taps by the same mother must not race on her flow's
state. aiogram's FSM middleware takes this lock before it reads her state. Its SimpleEventIsolation
never forgets a lock; this one drops a person's lock when nobody is waiting on it, so memory stays
bounded however many families write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Hashable
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class PerChatIsolation(BaseEventIsolation):
    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @property
    def held(self) -> int:
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()

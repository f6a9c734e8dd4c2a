"""What every pacer must give, checked on the moments it reserved (not on wall-clock timing), and a
manual clock for several senders waiting at once."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from bisect import bisect_left
from collections import defaultdict
from datetime import datetime, timedelta

from bot.clock import ManualClock

SECOND = timedelta(seconds=1)


def assert_paced(reserved: list[tuple[int, datetime]], rate: float, per_chat: timedelta = SECOND) -> int:
    """`reserved`: (chat, start) pairs. No chat twice within `per_chat`; at most `rate` starts in any
    one-second stretch [t, t + 1 s). Returns the most starts in one such stretch."""
    by_chat: dict[int, list[datetime]] = defaultdict(list)
    for chat_id, start in reserved:
        by_chat[chat_id].append(start)
    for chat_id, starts in by_chat.items():
        starts.sort()
        too_close = [(a, b) for a, b in zip(starts, starts[1:], strict=False) if b - a < per_chat]
        assert not too_close, f"chat {chat_id}: {too_close[:3]}"
    moments = sorted(start for _, start in reserved)
    busiest = max(bisect_left(moments, moment + SECOND) - i for i, moment in enumerate(moments))
    assert busiest <= rate, f"{busiest} starts within one second, rate {rate}"
    return busiest


class OrderedClock(ManualClock):
    """A manual clock for senders that wait at the same time: each sleeper wakes at its own moment,
    the earliest first, and time moves to that moment. (ManualClock moves time by each sleeper's wait,
    so three senders waiting 40 ms each would take 120 ms.) No wall-clock waiting."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._waking = False

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self.now() + timedelta(seconds=max(seconds, 0.0)), next(self._order), woken))
        if not self._waking:
            self._waking = True
            loop.call_soon(self._wake_next)
        await woken

    def _wake_next(self) -> None:
        moment, _, woken = heapq.heappop(self._sleepers)
        if moment > self.now():
            self.set(moment)
        if not woken.done():
            woken.set_result(None)
        if self._sleepers:  # queued behind the woken sender's next step, so it runs at its moment
            asyncio.get_running_loop().call_soon(self._wake_next)
        else:
            self._waking = False

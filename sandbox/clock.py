"""The sandbox's clock: real time that flows, plus what the time machine added.

It implements bot/clock.py's Clock (now, sleep), so the application, the emulator's message dates
and its flood limits all read the same "now". Two ways to move it:

- `advance`/`advance_to`: the time machine (and a quick tap, see World.human_pause) adds to the
  offset. It never goes back, so the emulator's flood limiter (which reads it as its monotonic
  time) stays sane.
- `fast()`: while seeding the demo or travelling, `sleep()` moves the clock instead of waiting
  (like tests' ManualClock), so a week's pacing and retry-afters take no real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(
        self,
        start: datetime | None = None,
        *,
        offset: timedelta = timedelta(0),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("SandboxClock needs a timezone-aware start")
        self._base = (start or datetime.now(UTC)).astimezone(UTC)
        self._monotonic = monotonic
        self._t0 = monotonic()
        self._offset = offset
        self._fast = 0

    def now(self) -> datetime:
        return self._base + timedelta(seconds=self._monotonic() - self._t0) + self._offset

    @property
    def offset_from_system(self) -> timedelta:
        """How far ahead of the computer's own clock the sandbox is (kept across restarts)."""
        return self.now() - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the sandbox clock does not go back")
        self._offset += delta

    def advance_to(self, moment: datetime) -> None:
        """Move to `moment` if it is ahead; a moment already passed changes nothing."""
        ahead = moment - self.now()
        if ahead > timedelta(0):
            self._offset += ahead

    @contextmanager
    def fast(self) -> Iterator[None]:
        """Inside: waiting moves the clock instead of taking real time."""
        self._fast += 1
        try:
            yield
        finally:
            self._fast -= 1

    async def sleep(self, seconds: float) -> None:
        if self._fast:
            self.advance(timedelta(seconds=max(seconds, 0.0)))
            await asyncio.sleep(0)  # still let others run, as a real wait would
        else:
            await asyncio.sleep(seconds)

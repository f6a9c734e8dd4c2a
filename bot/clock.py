"""One source of "now" for the whole bot, so tests and the sandbox can move time without sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""

    async def sleep(self, seconds: float) -> None:
        """Wait (e.g. Telegram's retry_after); a manual clock just moves."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A clock that only moves when told to: tests and the sandbox's time machine."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    async def sleep(self, seconds: float) -> None:
        self.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)  # still let others run, as a real wait would

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


def local_today(clock: Clock, tz: tzinfo) -> date:
    """Today's date where the family lives (Kazakhstan has one zone, UTC+5, since 2024-03-01)."""
    return clock.now().astimezone(tz).date()

"""Figures that cost seconds to count at national size (the console's overview, the nurses table): counted
at most once a minute per key, and never while a coordinator waits once they exist (and, in production,
counted when the console starts and every few minutes while it is used: bot/services/console_figures.py).

Fresh (under a minute old): served as they are. Older, but under STALE_LIMIT: served at once, and counted
again in the background (one count at a time per scope). Older still, or never counted: counted while she
waits. A count that took under half a second (a small deployment, the sandbox) is made again while she
waits once it is two seconds old: where counting is cheap, the figures are live. Each page says
"figures as of HH:MM", so what she sees is true about its moment."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from bot.logging_setup import log_event
from db.engine import Database

V = TypeVar("V")

FRESH_FOR = timedelta(seconds=60)
STALE_LIMIT = timedelta(minutes=15)
# A count that took less than this (a polyclinic's worth of families, a pilot, the sandbox) is simply made
# again while she waits once its figures are QUICK_FRESH_FOR old: small deployments see live figures.
QUICK = 0.5  # seconds of real time
QUICK_FRESH_FOR = timedelta(seconds=2)


@dataclass
class _Kept(Generic[V]):
    value: V
    at: datetime
    took: float  # seconds the count took


@dataclass
class Snapshots(Generic[V]):
    name: str
    fresh_for: timedelta = FRESH_FOR
    stale_limit: timedelta = STALE_LIMIT
    quick: float = QUICK
    _kept: dict[Hashable, _Kept[V]] = field(default_factory=dict)
    _counting: dict[Hashable, asyncio.Task[None]] = field(default_factory=dict)
    asked_at: datetime | None = None  # when someone last asked for figures (a page was opened)

    async def get(self, key: Hashable, now: datetime, count: Callable[[], Awaitable[V]]) -> tuple[V, datetime]:
        """The figures for `key` and the moment they are true of."""
        self.asked_at = now
        kept = self._kept.get(key)
        age = now - kept.at if kept is not None else None
        quick = kept is not None and kept.took < self.quick
        fresh_for = QUICK_FRESH_FOR if quick else self.fresh_for
        if kept is not None and age is not None and timedelta(0) <= age < fresh_for:
            return kept.value, kept.at
        if kept is not None and age is not None and not quick and timedelta(0) <= age < self.stale_limit:
            if key not in self._counting:
                self._counting[key] = asyncio.create_task(self._recount(key, now, count), name=f"snapshot:{self.name}")
            return kept.value, kept.at
        started = time.perf_counter()
        value = await count()
        self._kept[key] = _Kept(value, now, time.perf_counter() - started)
        log_event("snapshot_counted", name=self.name, waited=1)
        return value, now

    async def _recount(self, key: Hashable, now: datetime, count: Callable[[], Awaitable[V]]) -> None:
        try:
            started = time.perf_counter()
            value = await count()
            self._kept[key] = _Kept(value, now, time.perf_counter() - started)
            log_event("snapshot_counted", name=self.name, waited=0)
        except Exception as exc:  # noqa: BLE001 - the stale figures stay; the next request tries again
            log_event("snapshot_failed", name=self.name, error=type(exc).__name__)
        finally:
            self._counting.pop(key, None)

    async def refresh(self, key: Hashable, now: datetime, count: Callable[[], Awaitable[V]]) -> None:
        """Count `key` again now (a scheduled count: nobody waits for it)."""
        running = self._counting.get(key)
        if running is not None:
            await running
            return
        task = asyncio.create_task(self._recount(key, now, count), name=f"snapshot:{self.name}")
        self._counting[key] = task
        await task

    async def settled(self) -> None:
        """Wait for the counts in the background (tests, shutdown)."""
        while self._counting:
            await asyncio.gather(*self._counting.values(), return_exceptions=True)


# One set per database: tests run many applications in one process, each with its own database.
_all: WeakKeyDictionary[Database, dict[str, Snapshots[object]]] = WeakKeyDictionary()


def snapshots(database: Database, name: str) -> Snapshots[object]:
    kinds = _all.setdefault(database, {})
    return kinds.setdefault(name, Snapshots(name))

"""Group commit for what became of claimed messages.

Each sender hands its outcome (sent, back to the queue, dropped, failed) here and waits until it
is committed before it takes its next message; so a crash can resend only the messages in flight,
never more than DELIVERY_CONCURRENCY, each at most once.

Outcomes are written together: the first waiting sender writes for everyone as soon as no other
sender is in the middle of a Telegram call (nothing more is about to arrive), or after a few
milliseconds, whichever comes first. At 1,000 messages/s the database then sees some dozens of
small transactions a second instead of a thousand; with one sender (DELIVERY_CONCURRENCY=1), or
at a slow pace, each outcome is written at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from bot.clock import Clock
from db import outbox
from db.engine import Database
from db.outbox import Outcome

# A busy or briefly unavailable database must not leave sent messages unmarked: try again.
WRITE_ATTEMPTS = 4
# How long the first outcome may wait for others before it is written anyway (real time: this is
# batching inside one process, not a moment of anyone's day).
LINGER_SECONDS = 0.005


class OutcomeWriter:
    def __init__(self, database: Database, clock: Clock, *, linger: float = LINGER_SECONDS) -> None:
        self.database = database
        self.clock = clock
        self.linger = linger
        self._calls_in_flight = 0  # Telegram calls under way: each will bring an outcome soon
        self._waiting: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._write_now = asyncio.Event()
        self._writing = False
        self.writes = 0  # transactions written: a benchmark figure

    @contextmanager
    def telegram_call(self) -> Iterator[None]:
        """Around a send: while one is under way, a write may wait a moment to take its outcome too."""
        self._calls_in_flight += 1
        try:
            yield
        finally:
            self._calls_in_flight -= 1
            if self._calls_in_flight == 0:
                self._write_now.set()

    async def record(self, outcome: Outcome) -> None:
        """Returns once the outcome is committed; raises if it could not be."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, future))
        if self._writing:  # another sender writes: ours goes with it
            await future
            return
        self._writing = True
        try:
            while self._waiting:
                if self._calls_in_flight:
                    self._write_now.clear()
                    try:
                        await asyncio.wait_for(self._write_now.wait(), self.linger)
                    except TimeoutError:
                        pass
                group, self._waiting = self._waiting, []
                try:
                    await self._write([item for item, _ in group])
                except asyncio.CancelledError:
                    # Shutting down mid-write: the rows stay `sending` and go back to the queue
                    # at the next start (recover_in_flight), like after a crash.
                    for _, waiting in group + self._waiting:
                        waiting.cancel()  # no-op on a future already done
                    self._waiting = []
                    raise
                except Exception as exc:
                    for _, waiting in group:
                        if not waiting.done():  # its sender may have been cancelled meanwhile
                            waiting.set_exception(exc)
                else:
                    for _, waiting in group:
                        if not waiting.done():
                            waiting.set_result(None)
        finally:
            self._writing = False
        await future

    async def _write(self, outcomes: list[Outcome]) -> None:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                async with self.database.transaction() as conn:
                    await outbox.record_outcomes(conn, outcomes)
                self.writes += 1
                return
            except Exception:
                if attempt == WRITE_ATTEMPTS:
                    raise
                await self.clock.sleep(0.25 * 2**attempt)

"""Claims due messages from the outbox, paces them, renders them in her language, sends, marks.

Crash safety: a message is marked `sending` when claimed, and `sent` once Telegram accepted it;
a sender takes its next message only after that mark is committed (bot/delivery/outcomes.py).
After a crash, `sending` rows go back to the queue, so at most the messages in flight at that
moment (DELIVERY_CONCURRENCY of them) can arrive twice, and none is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientError

from bot.context import AppContext
from bot.delivery import REMINDER
from bot.delivery.outcomes import OutcomeWriter
from bot.delivery.pacer import PaceKeeper
from bot.delivery.render import RenderContext
from bot.delivery.renderers import UnknownMessageKey, render
from bot.domain.delivery_time import next_delivery_time
from bot.logging_setup import log_event
from db import alerts, families, outbox, staff
from db.outbox import ClaimedMessage, Discarded, Failed, Outcome, Released, Sent
from db.records import Family

MAX_ATTEMPTS = 6
# A claim is another worker's for this long (a send takes seconds); after it, the worker is taken for dead and
# any worker returns the message to the queue. Checked at start and every RECLAIM_EVERY in the loop.
LEASE = timedelta(minutes=5)
RECLAIM_EVERY = timedelta(minutes=1)
# An nginx HTML 502 during a Telegram outage reaches us as ClientDecodeError: transient too.
TRANSIENT = (TelegramServerError, TelegramNetworkError, ClientDecodeError, ClientError, asyncio.TimeoutError)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … up to 30 minutes."""
    return timedelta(seconds=min(5 * 2**attempts, 1800))


class DeliveryEngine:
    def __init__(self, app: AppContext, bot: Bot, pacer: PaceKeeper, *, batch: int | None = None) -> None:
        self.app = app
        self.bot = bot
        self.pacer = pacer
        # Messages in flight at once. A crash can resend at most this many (each at most once).
        self.concurrency = app.settings.delivery_in_flight
        # About two seconds of sending per claim, so a newly queued alert never waits long behind a batch.
        self.batch = batch or max(10, int(app.settings.delivery_rate * 2))
        self.outcomes = OutcomeWriter(app.database, app.clock)
        self._staff_languages: dict[int, str] = {}  # of the batch in hand
        self._kick = asyncio.Event()
        self.sent = 0

    def kick(self) -> None:
        """Something urgent was queued: do not wait for the next sweep."""
        self._kick.set()

    async def recover(self) -> int:
        """This worker's unfinished claims (it crashed and started again) and claims whose lease ran out."""
        async with self.app.database.transaction() as conn:
            recovered = await outbox.recover_in_flight(conn, self.app.settings.worker_id, self.app.clock.now(), LEASE)
        if recovered:
            log_event("delivery_recovered", count=recovered)
        return recovered

    async def run_once(self) -> int:
        """Send what is due now; returns how many messages were handled."""
        async with self.app.database.transaction() as conn:
            claimed = await outbox.claim_due(conn, self.app.clock.now(), self.batch, self.app.settings.worker_id)
        if not claimed:
            return 0
        # Each message needs her family (language, paused, what is still true), and a message to staff
        # the family it is about: the batch's families are read into the cache in one query, and a
        # write meanwhile (she paused) still drops hers.
        found = await families.cached_families(
            self.app.database, [m.chat_id for m in claimed] + [m.about for m in claimed if m.about is not None]
        )
        # Staff (and former staff) have no family: their own language, for the batch in one read.
        others = [m.chat_id for m in claimed if found.get(m.chat_id) is None]
        async with self.app.database.reading() as conn:
            self._staff_languages = await staff.staff_languages(conn, others) if others else {}
        queue = iter(claimed)

        async def worker() -> None:
            # Workers share one iterator, so messages start in priority order; the pacer spaces them.
            for message in queue:
                await self._deliver_safely(message)

        results = await asyncio.gather(
            *(worker() for _ in range(min(self.concurrency, len(claimed)))), return_exceptions=True
        )
        # Every worker has finished (none is left sending) before an error leaves this batch.
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(claimed)

    async def drain(self, limit: int = 1_000_000, settle_within: timedelta = timedelta(seconds=5)) -> int:
        """Send everything due now, and what falls due within a few seconds (a second message to
        the same chat waits its second). Tests and the sandbox's time machine call this."""
        total = 0
        while total < limit:
            handled = await self.run_once()
            total += handled
            if handled:
                continue
            async with self.app.database.reading() as conn:
                next_due = await outbox.next_due_at(conn)
            now = self.app.clock.now()
            if next_due is None or next_due > now + settle_within:
                break
            await self.app.clock.sleep(max((next_due - now).total_seconds(), 0.001))
        return total

    async def run_forever(self, stopping: Callable[[], bool]) -> None:
        """The production loop: send what is due, then wait for a kick or one second."""
        await self.recover()
        reclaimed_at = self.app.clock.now()
        while not stopping():
            try:
                if self.app.clock.now() - reclaimed_at >= RECLAIM_EVERY:
                    reclaimed_at = self.app.clock.now()
                    await self.recover()  # a worker that died: its claims come back once their lease ran out
                if await self.run_once():
                    continue
            except Exception:  # noqa: BLE001 - the loop must outlive a bad moment (e.g. database busy)
                log_event("delivery_loop_error")
            self._kick.clear()
            try:
                await asyncio.wait_for(self._kick.wait(), timeout=1.0)
            except TimeoutError:
                pass

    async def _deliver_safely(self, message: ClaimedMessage) -> None:
        """An unexpected error with one message must not leave it (or the batch) stuck in `sending`."""
        try:
            outcome = await self._deliver(message)
        except Exception as exc:  # noqa: BLE001 - recorded on the row and retried with backoff
            log_event("delivery_unexpected_error", outbox_id=message.id, error=type(exc).__name__)
            outcome = self._retry_later(message, type(exc).__name__)
        if outcome is not None:
            await self.outcomes.record(outcome)

    async def _deliver(self, message: ClaimedMessage) -> Outcome | None:
        """Send one message; returns what became of it (None: already written, e.g. unreachable)."""
        app = self.app
        family = await families.cached_family(app.database, message.chat_id)
        chat_ready = await self.pacer.chat_ready_at(message.chat_id)
        if chat_ready is not None:
            # Her previous message went out less than a second ago: let others go first.
            return Released(message.id, chat_ready, None, count_attempt=False)
        if message.priority >= REMINDER:
            # Non-urgent messages only in her local daytime: a retry that slipped into the night waits.
            now = app.clock.now()
            allowed = next_delivery_time(now, app.settings.tz, app.settings.delivery_window, message.chat_id)
            if allowed > now:
                return Released(message.id, allowed, None, count_attempt=False)
            if family is not None and family.user.paused:  # nothing but urgent safety while paused
                return Discarded(message.id)
        lang = self._language(message.chat_id, family)
        subject = await families.cached_family(app.database, message.about) if message.about is not None else None
        try:
            with app.i18n.context(), app.i18n.use_locale(lang):
                context = RenderContext(lang, app.today(), family, subject)
                rendered = render(message.message_key, message.params, context)
        except UnknownMessageKey:
            log_event("delivery_unknown_key", outbox_id=message.id)
            return Failed(message.id, f"unknown message key {message.message_key}")
        if rendered is None:  # no longer true (done meanwhile, pregnancy over …)
            return Discarded(message.id)
        await self.pacer.wait_turn(message.chat_id)
        try:
            with self.outcomes.telegram_call():
                if rendered.photo is not None:
                    sent = await self.bot.send_photo(
                        message.chat_id, rendered.photo, caption=rendered.text, reply_markup=rendered.markup
                    )
                else:
                    sent = await self.bot.send_message(message.chat_id, rendered.text, reply_markup=rendered.markup)
        except TelegramRetryAfter as exc:
            app.metrics.sends.labels(outcome="429").inc()
            await self.pacer.pause(exc.retry_after)
            log_event("delivery_flood_wait", seconds=exc.retry_after)
            return Released(message.id, app.clock.now(), "flood", count_attempt=False)
        except TelegramForbiddenError:
            app.metrics.sends.labels(outcome="403").inc()
            await self._unreachable(message)
            return None
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message:
                app.metrics.sends.labels(outcome="403").inc()
                await self._unreachable(message)
                return None
            app.metrics.sends.labels(outcome="400").inc()
            log_event("delivery_rejected", outbox_id=message.id, chat_id=message.chat_id)
            return Failed(message.id, exc.message)
        except TRANSIENT as exc:
            app.metrics.sends.labels(outcome="5xx").inc()
            return self._retry_later(message, type(exc).__name__)
        app.metrics.sends.labels(outcome="sent").inc()
        self.sent += 1
        return Sent(message.id, app.clock.now(), sent.message_id)

    def _language(self, chat_id: int, family: Family | None) -> str:
        """Hers if she is registered; a nurse's or an admin's own (read with the batch); else the default."""
        if family is not None:
            return family.user.language
        return self._staff_languages.get(chat_id) or self.app.settings.default_language

    def _retry_later(self, message: ClaimedMessage, error: str) -> Outcome:
        if message.attempts + 1 >= MAX_ATTEMPTS:
            log_event("delivery_gave_up", outbox_id=message.id, chat_id=message.chat_id)
            return Failed(message.id, error)
        return Released(message.id, self.app.clock.now() + backoff(message.attempts), error, count_attempt=True)

    async def _unreachable(self, message: ClaimedMessage) -> None:
        async with self.app.database.transaction() as conn:
            await outbox.mark_chat_unreachable(conn, message.chat_id, message.id)
            if await families.get_user(conn, message.chat_id) is not None:
                await families.update_user(conn, message.chat_id, self.app.clock.now(), unreachable_at=self.app.clock.now())
            # A member of staff who blocked the bot: passed over from now on, and her alerts go further at once.
            if await staff.set_staff_reachable(conn, message.chat_id, False, self.app.clock.now()):
                await alerts.hasten_for_staff_chat(conn, message.chat_id, self.app.clock.now())
        log_event("delivery_unreachable", chat_id=message.chat_id)

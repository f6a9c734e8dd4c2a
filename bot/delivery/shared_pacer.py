"""The pace of all the worker processes together (Step 10): the global DELIVERY_RATE, one message a
second to one chat and Telegram's "retry after", kept in Redis.

Keys, under a prefix such as `anabala:<bot id>:pace` (one per bot); moments are epoch microseconds
from the workers' injected Clock, never Redis's TIME (tests move a manual clock):

    <prefix>:next         the next free global slot
    <prefix>:paused       nobody sends before this (the latest 429's retry after)
    <prefix>:chat:<id>    this chat's next message not before this

Each key expires (PX) a minute after its moment has passed: a moment in the past means the same as no
key, so nothing grows, and the minute covers clocks that disagree a little. On Redis Cluster, put a
hash tag in the prefix (`anabala:{<bot id>}:pace`) so one script's keys share a slot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import Clock
from bot.delivery.pacer import Pacer, slot_interval
from bot.logging_setup import log_event

# Reserves the next global slot and the chat's next second together, atomically for every worker.
# KEYS: next slot, paused until, this chat's next moment. ARGV: now, global interval, per-chat interval,
# a pause this worker knows that Redis may not (0: none), expiry slack in ms; all moments and intervals
# in microseconds. Returns {1, start}: reserved, send at start; or {0, ready}: nothing reserved, the chat
# is not ready before `ready`, after the next free slot (reserving would push everyone's slots back).
RESERVE = """
local now = tonumber(ARGV[1])
local start = math.max(now, tonumber(redis.call('GET', KEYS[1]) or 0),
                       tonumber(redis.call('GET', KEYS[2]) or 0), tonumber(ARGV[4]))
local ready = tonumber(redis.call('GET', KEYS[3]) or 0)
if ready > start then
  return {0, ready}
end
local slack = tonumber(ARGV[5])
local next_slot = start + tonumber(ARGV[2])
local chat_next = start + tonumber(ARGV[3])
redis.call('SET', KEYS[1], string.format('%.0f', next_slot), 'PX',
           string.format('%.0f', math.ceil((next_slot - now) / 1000) + slack))
redis.call('SET', KEYS[3], string.format('%.0f', chat_next), 'PX',
           string.format('%.0f', math.ceil((chat_next - now) / 1000) + slack))
return {1, start}
"""

# KEYS: paused until. ARGV: now, until, expiry slack in ms. Moves the pause later, never earlier.
PAUSE = """
local now = tonumber(ARGV[1])
local till = tonumber(ARGV[2])
if till > tonumber(redis.call('GET', KEYS[1]) or 0) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', string.format('%.0f', math.ceil((till - now) / 1000) + tonumber(ARGV[3])))
end
return 0
"""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
EXPIRY_SLACK_MS = 60_000
# Workers expected at most: each one alone, without Redis, keeps DELIVERY_RATE / this.
EXPECTED_WORKERS = 4
# Redis is asked again this long (on the injected clock) after it last failed to answer.
RETRY_REDIS = timedelta(seconds=5)
# A Redis call that takes longer counts as Redis away (real time: a network wait, not anyone's pace).
REDIS_TIMEOUT = 1.0
# Redis calls under way at once from one pacer (each takes a pooled connection; redis-py's asyncio pool
# refuses beyond its max_connections, 100 by default since redis-py 6). A call takes well under a ms.
REDIS_CALLS = 16
REDIS_DOWN = (RedisError, OSError, TimeoutError)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class _Unavailable(Exception):
    """Redis did not answer (or is not asked again yet): the worker's own pacer answers instead."""


class RedisPacer:
    """The role of `Pacer`, shared by every worker through Redis: slots are reserved by one Lua script
    (RESERVE above), so two workers never get the same slot nor one chat's same second, and a 429 seen
    by one pauses all (PAUSE, read by RESERVE).

    If Redis does not answer (refused, slower than REDIS_TIMEOUT, any Redis error), delivery goes on:
    this worker falls back to its own in-process `Pacer` at DELIVERY_RATE / `workers`, so that all the
    workers, each falling back alike, stay under the rate together; it logs `pacer_redis_unavailable`
    once per outage and asks Redis again RETRY_REDIS after the last failure, on the injected clock
    (`pacer_redis_restored` when it answers). The fallback knows this worker's chats only, so during an
    outage one chat can get one message from each worker within a second, never more. Every slot Redis
    gives is booked in the fallback too, so the switch starts from what this worker knew; a pause is
    kept there as well, and sent with each reservation, so one seen while Redis was away holds all the
    workers once it is back. `workers` must be at least the number of workers running, or an outage
    lets them exceed the rate together. Redis's own clock is never read: moments come from the
    workers' clocks, which must agree (NTP) to a few milliseconds.
    """

    def __init__(
        self,
        clock: Clock,
        redis: Redis,
        key_prefix: str,
        *,
        rate_per_second: float = 25.0,
        per_chat_interval: float = 1.0,
        workers: int = EXPECTED_WORKERS,
    ) -> None:
        self.clock = clock
        self.redis = redis
        self.key_prefix = key_prefix
        self.interval = slot_interval(rate_per_second)
        self.per_chat = timedelta(seconds=per_chat_interval)
        self.fallback = Pacer(clock, rate_per_second / max(workers, 1), per_chat_interval)
        self._next_key = f"{key_prefix}:next"
        self._paused_key = f"{key_prefix}:paused"
        self._reserve = redis.register_script(RESERVE)
        self._pause = redis.register_script(PAUSE)
        self._down_until: datetime | None = None  # Redis failed: not asked again before this
        self._calls = asyncio.Semaphore(REDIS_CALLS)
        self._probing = False  # a call is finding out whether Redis is back

    def chat_key(self, chat_id: int) -> str:
        return f"{self.key_prefix}:chat:{chat_id}"

    async def chat_ready_at(self, chat_id: int) -> datetime | None:
        """When this chat may get its next message, if not now (from any worker)."""
        try:
            ready = await self._ask(partial(self.redis.get, self.chat_key(chat_id)))
        except _Unavailable:
            return await self.fallback.chat_ready_at(chat_id)
        moment = _moment(int(ready)) if ready is not None else None
        return moment if moment is not None and moment > self.clock.now() else None

    async def wait_turn(self, chat_id: int) -> datetime:
        """Reserve the next global slot for this chat among all workers, wait for it, and return it."""
        keys = (self._next_key, self._paused_key, self.chat_key(chat_id))
        intervals = (self.interval // MICROSECOND, self.per_chat // MICROSECOND)
        while True:
            known_pause = self.fallback.paused_until
            args = (_micros(self.clock.now()), *intervals, _micros(known_pause) if known_pause else 0, EXPIRY_SLACK_MS)
            try:
                reserved, at = await self._ask(partial(self._reserve, keys=keys, args=args))
            except _Unavailable:
                return await self.fallback.wait_turn(chat_id)
            moment = _moment(int(at))
            wait = (moment - self.clock.now()).total_seconds()
            if wait > 0:
                await self.clock.sleep(wait)
            if int(reserved):
                self.fallback.book(chat_id, moment)
                return moment

    async def pause(self, seconds: float) -> None:
        """Telegram said "retry after": no worker sends until then."""
        now = self.clock.now()
        until = now + timedelta(seconds=seconds)
        self.fallback.pause_until(until)
        try:
            await self._ask(partial(self._pause, keys=(self._paused_key,), args=(_micros(now), _micros(until), EXPIRY_SLACK_MS)))
        except _Unavailable:
            pass  # kept in the fallback, and sent with this worker's next reservation

    async def _ask(self, call: Callable[[], Awaitable[Any]]) -> Any:
        """Redis's answer; raises _Unavailable while Redis is away (logged once per outage). Once
        RETRY_REDIS has passed, one call at a time tries Redis again; the others go on without it."""
        async with self._calls:  # waiting here is not Redis's slowness: outside the timeout
            down_until = self._down_until
            probing = down_until is not None
            if down_until is not None and (self._probing or self.clock.now() < down_until):
                raise _Unavailable
            if probing:
                self._probing = True
            try:
                async with asyncio.timeout(REDIS_TIMEOUT):
                    answer = await call()
            except REDIS_DOWN as exc:
                if self._down_until is None:
                    log_event("pacer_redis_unavailable")
                self._down_until = self.clock.now() + RETRY_REDIS
                raise _Unavailable from exc
            finally:
                if probing:
                    self._probing = False
        # Only a call made after Redis failed says it is back (one begun before may still have succeeded).
        if probing and self._down_until is not None:
            self._down_until = None
            log_event("pacer_redis_restored")
        return answer


def make_pacer(
    clock: Clock, rate_per_second: float, redis: Redis | None, key_prefix: str, *, workers: int = EXPECTED_WORKERS
) -> Pacer | RedisPacer:
    """The bot's pacer: shared through Redis when there is one (several workers), else in this process."""
    if redis is None:
        return Pacer(clock, rate_per_second)
    return RedisPacer(clock, redis, key_prefix, rate_per_second=rate_per_second, workers=workers)

"""The pace shared by several workers through Redis (Step 10): three RedisPacers, as three worker
processes, share one Redis and one clock. Checked on the moments they reserve, never on wall-clock
timing; each test has its own key prefix and removes its keys.

Needs Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379/0): skipped without one, except on CI
(CI set), where a missing Redis fails."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from bot.app import Application, build_application
from bot.clock import ManualClock
from bot.delivery import shared_pacer
from bot.delivery.engine import DeliveryEngine
from bot.delivery.pacer import PaceKeeper, Pacer
from bot.delivery.renderers import RENDERERS
from bot.delivery.shared_pacer import EXPIRY_SLACK_MS, RETRY_REDIS, RedisPacer, make_pacer
from bot.middlewares.retry import RetryAfterMiddleware
from db import outbox
from db.migrate import upgrade_to_head
from emulator import BotAPIEmulator, RateLimits
from tests.e2e.harness import make_settings
from tests.service.test_delivery import NOON, _hello, hello, queue, started_users
from tests.unit.pace_checks import OrderedClock, assert_paced

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
RATE = 25.0


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """The test Redis, or skip (fail on CI) with the reason."""
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5, retry=Retry(NoBackoff(), 0))
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        reason = f"the shared pacer's tests need Redis at {REDIS_URL} ({type(exc).__name__}); set TEST_REDIS_URL"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: Redis) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are removed afterwards."""
    prefix = f"anabala-test:{uuid4().hex}:pace"
    yield prefix
    keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)


def workers(clock: ManualClock, redis: Redis, prefix: str, count: int = 3, rate: float = RATE) -> list[RedisPacer]:
    return [RedisPacer(clock, redis, prefix, rate_per_second=rate) for _ in range(count)]


async def turns(pacers: list[RedisPacer], chats: list[int]) -> list[tuple[int, datetime]]:
    """Every chat's turn asked for at once, the workers taking them in rotation."""

    async def turn(i: int, chat_id: int) -> tuple[int, datetime]:
        return chat_id, await pacers[i % len(pacers)].wait_turn(chat_id)

    return list(await asyncio.gather(*(turn(i, chat_id) for i, chat_id in enumerate(chats))))


class FrozenClock(ManualClock):
    """Time stands still: every worker asks at the very same moment."""

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)


async def test_three_workers_asking_at_the_same_moment_get_one_slot_each_back_to_back(redis: Redis, prefix: str) -> None:
    clock = FrozenClock(START)
    reserved = await turns(workers(clock, redis, prefix), list(range(1, 301)))
    starts = sorted(start for _, start in reserved)
    interval = timedelta(seconds=1 / RATE)
    assert starts == [START + k * interval for k in range(300)]  # none shared, none skipped: the reservation is atomic


async def test_three_workers_keep_every_chats_second_and_the_global_rate_together(redis: Redis, prefix: str) -> None:
    clock = OrderedClock(START)
    chats = [chat_id for _ in range(4) for chat_id in range(100, 140)]  # 40 chats, 4 messages each, all at once
    reserved = await turns(workers(clock, redis, prefix), chats)
    assert assert_paced(reserved, RATE) == RATE  # at the rate in the busiest second, never above it


async def test_one_chat_from_three_workers_gets_one_message_a_second(redis: Redis, prefix: str) -> None:
    clock = OrderedClock(START)
    reserved = await turns(workers(clock, redis, prefix), [7] * 9)
    starts = sorted(start for _, start in reserved)
    assert starts == [START + timedelta(seconds=k) for k in range(9)]


async def test_a_chat_just_served_by_one_worker_is_not_ready_for_the_others(redis: Redis, prefix: str) -> None:
    clock = ManualClock(START)
    first, second, third = workers(clock, redis, prefix)
    start = await first.wait_turn(42)
    assert await second.chat_ready_at(42) == start + timedelta(seconds=1)
    assert await third.chat_ready_at(43) is None
    clock.advance(timedelta(seconds=1))
    assert await third.chat_ready_at(42) is None


async def test_a_pause_from_one_worker_holds_back_the_others_and_is_never_shortened(redis: Redis, prefix: str) -> None:
    clock = ManualClock(START)
    first, second, third = workers(clock, redis, prefix)
    await first.pause(7)
    await second.pause(2)
    assert await third.wait_turn(1) == START + timedelta(seconds=7)
    assert await second.wait_turn(2) == START + timedelta(seconds=7) + third.interval


async def test_a_429_in_one_workers_session_pauses_every_worker(redis: Redis, prefix: str) -> None:
    clock = ManualClock(START)
    first, second = workers(clock, redis, prefix, count=2)
    middleware = RetryAfterMiddleware(clock, on_flood=first.pause)
    method = SendMessage(chat_id=1, text="hi")
    answers: list[BaseException | str] = [TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=3), "ok"]

    async def telegram(bot: Bot, method: SendMessage) -> str:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    bot = Bot("123456:TEST-token-for-emulator")
    assert await middleware(telegram, bot, method) == "ok"  # type: ignore[arg-type]
    await bot.session.close()
    # The middleware waited out the 3 s itself (the clock moved); the other worker waits until then too.
    assert await second.wait_turn(9) == START + timedelta(seconds=3)


async def test_every_key_expires_soon_after_its_moment(redis: Redis, prefix: str) -> None:
    clock = ManualClock(START)
    pacer = workers(clock, redis, prefix, count=1)[0]
    await pacer.pause(2)
    for chat_id in (1, 2, 3):
        await pacer.wait_turn(chat_id)
    keys = sorted([key.decode() async for key in redis.scan_iter(match=f"{prefix}:*")])
    assert keys == [f"{prefix}:{name}" for name in ("chat:1", "chat:2", "chat:3", "next", "paused")]
    for key in keys:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(await redis.get(key)))
        ttl = await redis.pttl(key)
        # Alive until a minute after its moment (as the pacer's clock saw it then), and no longer.
        assert 0 < ttl <= (moment - START) // timedelta(milliseconds=1) + 1 + EXPIRY_SLACK_MS, (key, ttl)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_without_redis_a_worker_goes_on_alone_at_its_share_of_the_rate(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="anabala")
    clock = ManualClock(START)
    nowhere = Redis(host="127.0.0.1", port=closed_port(), retry=Retry(NoBackoff(), 0))  # refused at once
    pacer = RedisPacer(clock, nowhere, "anabala-test:nowhere:pace", rate_per_second=RATE, workers=4)
    reserved = [(chat_id, await pacer.wait_turn(chat_id)) for chat_id in (1, 2, 1)]
    assert await pacer.chat_ready_at(1) is not None  # its own chats' seconds are still kept
    await pacer.pause(1)  # kept in the fallback
    reserved.append((3, await pacer.wait_turn(3)))
    await nowhere.aclose()
    assert_paced(reserved, RATE / 4)
    assert [start for _, start in reserved][:2] == [START, START + 4 * pacer.interval]  # a quarter of the rate
    events = [r.getMessage() for r in caplog.records if "pacer_redis" in r.getMessage()]
    assert events == ["event=pacer_redis_unavailable "]  # once, with nothing else on the line


async def test_a_redis_that_does_not_answer_holds_a_send_up_no_longer_than_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_pacer, "REDIS_TIMEOUT", 0.2)
    silent = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)  # takes the connection, never answers
    port = silent.sockets[0].getsockname()[1]
    client = Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))
    clock = ManualClock(START)
    pacer = RedisPacer(clock, client, "anabala-test:silent:pace", rate_per_second=RATE, workers=2)
    reserved = list(zip(range(10), await asyncio.gather(*(pacer.wait_turn(chat_id) for chat_id in range(10))), strict=True))
    assert_paced(reserved, RATE / 2)
    clock.advance(RETRY_REDIS)
    # Time to ask again: one call finds out (and waits for it); the others meanwhile do not wait.
    asked = asyncio.ensure_future(pacer.wait_turn(10))
    await asyncio.sleep(0)
    await pacer.wait_turn(11)
    assert not asked.done()  # chat 11 went on alone while chat 10's call was still waiting for Redis
    await asked  # which gave up after REDIS_TIMEOUT
    await client.aclose()
    silent.close()


async def test_when_redis_comes_back_the_workers_share_the_pace_again(
    redis: Redis, prefix: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="anabala")
    clock = ManualClock(START)
    pacer, other = workers(clock, redis, prefix, count=2)
    asked: list[int] = []

    async def refused(**_: object) -> object:
        asked.append(1)
        raise RedisConnectionError("gone")

    monkeypatch.setattr(pacer, "_reserve", refused)
    during = [await pacer.wait_turn(chat_id) for chat_id in (1, 2, 3)]
    assert len(asked) == 1  # not asked again before RETRY_REDIS
    assert during[1] - during[0] == 4 * pacer.interval  # its share of the rate meanwhile
    monkeypatch.undo()
    clock.advance(RETRY_REDIS)
    back = await pacer.wait_turn(4)
    # Shared again: the other worker's next slot comes after it.
    assert await other.wait_turn(5) == back + other.interval
    events = [r.getMessage().strip() for r in caplog.records if "pacer_redis" in r.getMessage()]
    assert events == ["event=pacer_redis_unavailable", "event=pacer_redis_restored"]


async def test_make_pacer_shares_the_pace_only_with_redis(redis: Redis, prefix: str) -> None:
    clock = ManualClock(START)
    assert type(make_pacer(clock, RATE, None, prefix)) is Pacer
    shared = make_pacer(clock, RATE, redis, prefix)
    assert isinstance(shared, RedisPacer) and shared.interval == timedelta(milliseconds=40)


# --- Three delivery engines (three workers) against the emulator's flood limits -------------------

# Telegram's advice: 30 messages/s in all (bursts up to 30), one a second to a chat. A chat may have a
# burst of 2: on the test's clock a request can reach the emulator a few slots after its start (other
# workers' waits move time on while it crosses the loopback), which real time does not do; each
# chat's second is checked strictly on the slots the pacers gave.
STRICT = RateLimits(global_per_second=30, global_burst=30, per_chat_per_second=1, per_chat_burst=2)
CHATS, EACH = 60, 3


@pytest.fixture
async def world(clean_database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Application, BotAPIEmulator, OrderedClock]]:
    monkeypatch.setitem(RENDERERS, "test.hello", _hello)
    clock = OrderedClock(NOON)  # three workers wait side by side, as in real time
    async with BotAPIEmulator(clock=clock.now, monotonic=lambda: clock.now().timestamp(), rate_limits=STRICT) as emu:
        app = build_application(make_settings(emu.api_url, clean_database_url, DELIVERY_RATE=str(RATE)), clock=clock)
        await upgrade_to_head(app.context.database)
        yield app, emu, clock
        await app.bot.session.close()
        await app.context.database.close()


async def deliver(app: Application, engines: list[DeliveryEngine], clock: OrderedClock) -> None:
    """The workers at once: each claims a batch and sends it while the others send theirs; when none
    has anything due, time moves on to the next message due (one its chat's second held back)."""
    while True:
        if sum(await asyncio.gather(*(engine.run_once() for engine in engines))):
            continue
        async with app.context.database.reading() as conn:
            next_due = await outbox.next_due_at(conn)
        if next_due is None:
            return
        clock.set(max(next_due, clock.now()))


async def three_workers_send(world: tuple[Application, BotAPIEmulator, OrderedClock], pacers: list[PaceKeeper]) -> timedelta:
    """60 chats, 3 messages each, queued round by round so one chat's messages fall to different workers;
    returns how long the sending took on the clock."""
    app, emu, clock = world
    ids = started_users(emu, 700, CHATS)
    await queue(app, [hello(chat_id, n) for n in range(EACH) for chat_id in ids])
    await deliver(app, [DeliveryEngine(app.context, app.bot, pacer) for pacer in pacers], clock)
    assert all(len(emu.user(user_id=chat_id).messages) == EACH for chat_id in ids), "everyone, each message once"
    async with app.context.database.reading() as conn:
        assert await outbox.count_by_status(conn) == {"sent": CHATS * EACH}
    return clock.now() - NOON


class Recorded:
    """A pacer that notes every slot it gives (the moments are checked, not wall-clock timing)."""

    def __init__(self, pacer: PaceKeeper, slots: list[tuple[int, datetime]]) -> None:
        self.pacer = pacer
        self.slots = slots
        self.interval = pacer.interval

    async def chat_ready_at(self, chat_id: int) -> datetime | None:
        return await self.pacer.chat_ready_at(chat_id)

    async def wait_turn(self, chat_id: int) -> datetime:
        start = await self.pacer.wait_turn(chat_id)
        self.slots.append((chat_id, start))
        return start

    async def pause(self, seconds: float) -> None:
        await self.pacer.pause(seconds)


async def test_three_engines_sharing_a_redis_pacer_send_at_the_rate_with_no_429(
    world: tuple[Application, BotAPIEmulator, OrderedClock], redis: Redis, prefix: str
) -> None:
    _, emu, clock = world
    slots: list[tuple[int, datetime]] = []
    took = await three_workers_send(world, [Recorded(pacer, slots) for pacer in workers(clock, redis, prefix)])
    assert emu.stats.rate_limited == 0
    # Each chat's second and the global rate held across the three, and the rate reached: 25 in the busiest second.
    assert assert_paced(slots, RATE) == RATE
    # 180 messages at 25/s take 7.2 s; a chat's second can hold the last ones back a little.
    assert timedelta(seconds=(CHATS * EACH - 1) / RATE) <= took <= timedelta(seconds=CHATS * EACH / RATE + 3)


async def test_three_engines_each_with_its_own_pacer_go_too_fast_together(world: tuple[Application, BotAPIEmulator, OrderedClock]) -> None:
    """The same without sharing (what the shared pacer is for): each worker keeps 25/s, so together they
    go faster, and the check above would catch it."""
    _, _, clock = world
    slots: list[tuple[int, datetime]] = []
    await three_workers_send(world, [Recorded(Pacer(clock, RATE), slots) for _ in range(3)])
    with pytest.raises(AssertionError, match="^chat |within one second"):  # a chat twice a second, or above the rate
        assert_paced(slots, RATE)

"""The delivery engine against the strict emulator: limits, faults, priorities, crash recovery."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import Application, build_application
from bot.clock import ManualClock
from bot.delivery import REMINDER, URGENT
from bot.delivery.render import RenderContext, Rendered
from bot.delivery.renderers import RENDERERS
from bot.services.families import insert_family
from db import families, outbox
from db.migrate import upgrade_to_head
from db.outbox import OutgoingMessage
from emulator import BotAPIEmulator, RateLimits
from tests.e2e.harness import make_settings

MOTHER = {
    "lang": "ru", "roles": ["planning"], "name": "M", "phone": "+77011234567", "region": "astana", "polyclinic": "",
}
# 10:00 in Almaty: inside the delivery window.
NOON = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)


def _hello(params: dict[str, Any], context: RenderContext) -> Rendered:
    return Rendered(text=f"Hello <b>{params['n']}</b>")


@pytest.fixture(autouse=True)
def hello_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RENDERERS, "test.hello", _hello)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOON)


@pytest.fixture
async def world(clean_database_url: str, clock: ManualClock) -> AsyncIterator[tuple[Application, BotAPIEmulator]]:
    async with BotAPIEmulator(clock=clock.now, monotonic=lambda: clock.now().timestamp()) as emu:
        app = build_application(make_settings(emu.api_url, clean_database_url), clock=clock)
        await upgrade_to_head(app.context.database)
        yield app, emu
        await app.bot.session.close()
        await app.context.database.close()


def started_users(emu: BotAPIEmulator, first: int, count: int) -> list[int]:
    ids = list(range(first, first + count))
    for user_id in ids:
        emu.user(user_id=user_id, first_name="M").known_to_bot = True  # she pressed Start long ago
    return ids


async def queue(app: Application, messages: list[OutgoingMessage]) -> None:
    async with app.context.database.transaction() as conn:
        await outbox.enqueue(conn, messages, app.context.clock.now())


def hello(chat_id: int, n: int, *, priority: int = REMINDER, due: datetime = NOON, key: str | None = None) -> OutgoingMessage:
    return OutgoingMessage(chat_id, priority, "test", "test.hello", {"n": n}, due, key or f"hello:{chat_id}:{n}")


@pytest.mark.slow
async def test_5000_messages_under_429_5xx_and_403_reach_everyone_once(
    world: tuple[Application, BotAPIEmulator], clock: ManualClock
) -> None:
    app, emu = world
    emu.rate_limits = RateLimits(global_per_second=30, global_burst=30, per_chat_per_second=1, per_chat_burst=1)
    ids = started_users(emu, 100_000, 5000)
    blocked = set(ids[::50])  # 100 registered mothers blocked the bot
    for user_id in blocked:
        emu.user(user_id=user_id).blocked = True
        await insert_family(app.context.database, clock.now(), NOON.date(), user_id, MOTHER)
    emu.faults.add(method="sendMessage", kind="server_error", times=40)
    emu.faults.add(method="sendMessage", kind="bad_gateway", times=20)
    await queue(app, [hello(user_id, 1) for user_id in ids])
    # Telegram's global limit is lower than ours here, so 429s happen too.
    app.delivery.pacer.interval = timedelta(seconds=1 / 40)

    for _ in range(10):  # transient failures come back after their backoff
        await app.delivery.drain()
        clock.advance(timedelta(minutes=5))
    received: Counter[int] = Counter()
    for user_id in ids:
        received[user_id] = sum(1 for m in emu.user(user_id=user_id).messages if "Hello" in (m.text or ""))
    assert all(received[u] == 1 for u in ids if u not in blocked), "every reachable person exactly once"
    assert all(received[u] == 0 for u in blocked)
    async with app.context.database.reading() as conn:
        counts = await outbox.count_by_status(conn)
    assert counts == {"sent": 4900, "unreachable": 100}
    async with app.context.database.reading() as conn:
        for user_id in blocked:
            user = await families.get_user(conn, user_id)
            assert user is not None and user.unreachable_at is not None
    assert emu.stats.rate_limited > 0 and emu.faults.fired >= 60


async def test_urgent_goes_before_reminders(world: tuple[Application, BotAPIEmulator]) -> None:
    app, emu = world
    ids = started_users(emu, 1, 3)
    await queue(app, [hello(ids[0], 1), hello(ids[1], 2), hello(ids[2], 3, priority=URGENT)])
    await app.delivery.drain()
    order = [c.params["chat_id"] for c in emu.calls if c.method == "sendMessage"]
    assert order[0] == ids[2]


async def test_nothing_non_urgent_at_night_it_waits_for_her_morning(
    world: tuple[Application, BotAPIEmulator], clock: ManualClock
) -> None:
    app, emu = world
    (mother,) = started_users(emu, 7, 1)
    clock.set(datetime(2026, 11, 24, 18, 0, tzinfo=UTC))  # 23:00 in Almaty
    await queue(app, [hello(mother, 1, due=clock.now()), hello(mother, 2, priority=URGENT, due=clock.now())])
    await app.delivery.drain()
    assert [m.text for m in emu.user(user_id=mother).messages] == ["Hello 2"]  # urgent goes at once
    clock.set(datetime(2026, 11, 25, 5, 0, tzinfo=UTC))  # 10:00 next morning
    await app.delivery.drain()
    assert [m.text for m in emu.user(user_id=mother).messages] == ["Hello 2", "Hello 1"]


async def test_a_crash_between_send_and_mark_resends_at_most_that_one(
    world: tuple[Application, BotAPIEmulator]
) -> None:
    app, emu = world
    ids = started_users(emu, 500, 3)
    await queue(app, [hello(user_id, 1) for user_id in ids])
    async with app.context.database.transaction() as conn:
        claimed = await outbox.claim_due(conn, app.context.clock.now(), 1)  # claimed, then the process died
    await app.bot.send_message(claimed[0].chat_id, "Hello <b>1</b>")  # ... after Telegram took it
    assert await app.delivery.recover() == 1
    await app.delivery.drain()
    per_user = [sum("Hello" in (m.text or "") for m in emu.user(user_id=u).messages) for u in ids]
    assert sorted(per_user) == [1, 1, 2]  # one duplicate, nobody lost


async def test_same_unique_key_is_queued_once(world: tuple[Application, BotAPIEmulator]) -> None:
    app, emu = world
    (mother,) = started_users(emu, 9, 1)
    await queue(app, [hello(mother, 1, key="k"), hello(mother, 2, key="k")])
    await queue(app, [hello(mother, 3, key="k")])
    await app.delivery.drain()
    assert [m.text for m in emu.user(user_id=mother).messages] == ["Hello 1"]


async def test_an_html_502_from_telegram_is_retried_not_stuck(
    world: tuple[Application, BotAPIEmulator], clock: ManualClock
) -> None:
    app, emu = world
    ids = started_users(emu, 900, 5)
    emu.faults.add(method="sendMessage", kind="bad_gateway_html", times=2)
    await queue(app, [hello(user_id, 1) for user_id in ids])
    await app.delivery.drain()
    clock.advance(timedelta(minutes=5))
    await app.delivery.drain()
    assert all(len(emu.user(user_id=u).messages) == 1 for u in ids)
    async with app.context.database.reading() as conn:
        assert await outbox.count_by_status(conn) == {"sent": 5}


async def test_enqueue_counts_only_what_is_new(world: tuple[Application, BotAPIEmulator]) -> None:
    app, _ = world
    async with app.context.database.transaction() as conn:
        assert await outbox.enqueue(conn, [hello(1, n) for n in range(3)], NOON) == 3
        # The same keys again, and one new: only the new one is written (on PostgreSQL too).
        assert await outbox.enqueue(conn, [hello(1, n) for n in range(4)], NOON) == 1


async def test_a_starting_worker_never_takes_a_live_workers_claims_only_its_own_or_lapsed_ones(
    world: tuple[Application, BotAPIEmulator]
) -> None:
    from bot.delivery.engine import LEASE

    app, emu = world
    ids = started_users(emu, 600, 3)
    await queue(app, [hello(user_id, 1) for user_id in ids])
    clock = app.context.clock
    assert isinstance(clock, ManualClock)
    async with app.context.database.transaction() as conn:
        theirs = await outbox.claim_due(conn, clock.now(), 2, worker="worker-2")  # another worker, sending now
        await outbox.claim_due(conn, clock.now(), 1, worker="main")  # ours, left by a crash
    assert await app.delivery.recover() == 1  # ours comes back; worker-2's are left alone
    await app.delivery.drain()
    received = {u: sum("Hello" in (m.text or "") for m in emu.user(user_id=u).messages) for u in ids}
    assert sorted(received.values()) == [0, 0, 1]  # worker-2's two are still its own
    clock.advance(LEASE + timedelta(seconds=1))  # worker-2 never marked them: it died
    assert await app.delivery.recover() == 2
    await app.delivery.drain()
    received = {u: sum("Hello" in (m.text or "") for m in emu.user(user_id=u).messages) for u in ids}
    assert sorted(received.values()) == [1, 1, 1] and {m.chat_id for m in theirs} <= set(ids)

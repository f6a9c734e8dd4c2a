"""Flood limits (429 with retry_after) and injected faults (5xx, slow, dropped connections)."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

from emulator import BotAPIEmulator, RateLimits

from .conftest import FakeMonotonic, make_bot


@pytest.fixture
async def limited() -> tuple[BotAPIEmulator, FakeMonotonic]:
    clock = FakeMonotonic()
    emu = BotAPIEmulator(rate_limits=RateLimits(global_per_second=30, global_burst=30, per_chat_per_second=1, per_chat_burst=4), monotonic=clock)
    await emu.start()
    yield emu, clock  # type: ignore[misc]
    await emu.stop()


async def test_per_chat_limit_gives_retry_after(limited: tuple[BotAPIEmulator, FakeMonotonic]) -> None:
    emu, clock = limited
    bot = make_bot(emu)
    user = emu.user(1001)
    await user.send("hi")
    for i in range(4):
        await bot.send_message(user.id, f"burst {i}")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(user.id, "one too many")
    assert info.value.retry_after == 1 and "Too Many Requests: retry after 1" in info.value.message
    # The refused call took no token: after retry_after seconds it goes through.
    clock.now += info.value.retry_after
    await bot.send_message(user.id, "after waiting")
    assert (emu.stats.sent, emu.stats.rate_limited, emu.stats.errors[429]) == (5, 1, 1)
    # Other methods are not rate limited.
    await bot.send_chat_action(user.id, "typing")
    await bot.get_me()
    await bot.session.close()


async def test_global_limit_and_switching_limits_at_run_time(limited: tuple[BotAPIEmulator, FakeMonotonic]) -> None:
    emu, clock = limited
    bot = make_bot(emu)
    users = [emu.user(2000 + i) for i in range(31)]
    for user in users:
        await user.send("hi")
    for user in users[:30]:
        await bot.send_message(user.id, "broadcast")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(users[30].id, "broadcast")
    emu.rate_limits = None
    for _ in range(10):
        await bot.send_message(users[30].id, "unlimited")
    emu.rate_limits = RateLimits(per_chat_per_second=0.1, per_chat_burst=1)
    await bot.send_message(users[0].id, "one")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(users[0].id, "two")
    assert info.value.retry_after == 10
    await bot.session.close()


async def test_raw_429_body(limited: tuple[BotAPIEmulator, FakeMonotonic]) -> None:
    import aiohttp

    emu, _ = limited
    emu.rate_limits = RateLimits(per_chat_burst=1)
    await emu.user(1001).send("hi")
    async with aiohttp.ClientSession() as http:
        url = f"{emu.api_url}/bot1:abcdefghijk/sendMessage"
        async with http.post(url, data={"chat_id": "1001", "text": "a"}) as resp:
            assert resp.status == 200
        async with http.post(url, data={"chat_id": "1001", "text": "b"}) as resp:
            assert resp.status == 429
            assert await resp.json() == {
                "ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }  # fmt: skip


async def test_server_error_and_bad_gateway_faults(emu: BotAPIEmulator, bot: Bot) -> None:
    await emu.user(1001).send("hi")
    emu.faults.add(method="sendMessage", kind="server_error", times=2)
    emu.faults.add(method="getMe", kind="bad_gateway")
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(1001, "x")
    await bot.send_message(1001, "third time works")
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()
    await bot.get_me()
    assert emu.faults.fired == 3 and emu.stats.faults == 3 and emu.stats.errors[500] == 2
    emu.faults.add(kind="server_error", times=None)
    with pytest.raises(TelegramServerError):
        await bot.get_me()
    emu.faults.clear()
    await bot.get_me()


async def test_fault_for_one_chat_only(emu: BotAPIEmulator, bot: Bot) -> None:
    for uid in (1001, 1002):
        await emu.user(uid).send("hi")
    emu.faults.add(kind="server_error", chat_id=1002)
    await bot.send_message(1001, "fine")
    with pytest.raises(TelegramServerError):
        await bot.send_message(1002, "fails once")
    await bot.send_message(1002, "fine now")


async def test_dropped_connection(emu: BotAPIEmulator, bot: Bot) -> None:
    emu.faults.add(method="getMe", kind="drop")
    with pytest.raises(TelegramNetworkError):
        await bot.get_me()
    assert (await bot.get_me()).username == "anabala_test_bot"


async def test_slow_answer_then_normal(emu: BotAPIEmulator, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    emu.faults.add(method="getMe", kind="slow", delay=0.2)
    started = loop.time()
    assert (await bot.get_me()).username == "anabala_test_bot"
    assert loop.time() - started >= 0.2
    with pytest.raises(ValueError, match="unknown fault kind"):
        emu.faults.add(kind="explode")  # type: ignore[arg-type]


async def test_bad_gateway_html_is_not_json(emu: BotAPIEmulator, bot: Bot) -> None:
    from aiogram.exceptions import ClientDecodeError

    emu.faults.add(kind="bad_gateway_html")
    with pytest.raises(ClientDecodeError):
        await bot.get_me()

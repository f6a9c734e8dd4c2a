"""getUpdates: long polling, offsets as confirmation, allowed_updates, conflicts and webhooks."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError

from emulator import BotAPIEmulator, WaitTimeout

from .conftest import make_bot


async def test_long_poll_returns_as_soon_as_a_user_writes(emu: BotAPIEmulator, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for_polling()
    started = loop.time()
    await emu.user(1001).send("Сәлем")
    updates = await asyncio.wait_for(poll, 5)
    assert loop.time() - started < 2
    assert [u.message.text for u in updates if u.message] == ["Сәлем"]


async def test_long_poll_times_out_with_an_empty_list(emu: BotAPIEmulator, bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= loop.time() - started < 3


async def test_offset_confirms_and_drops_updates(emu: BotAPIEmulator, bot: Bot) -> None:
    user = emu.user(1001)
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.update_id for u in first] == [1, 2]
    # Not confirmed yet: the same updates come again.
    assert [u.update_id for u in await bot.get_updates()] == [1, 2, 3]
    waiter = asyncio.create_task(emu.wait_until_confirmed(timeout=5))
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.update_id for u in rest] == [3]
    assert not waiter.done()  # update 3 was delivered but not confirmed
    assert await bot.get_updates(offset=4) == []
    await waiter
    assert emu.pending_updates == []


async def test_wait_until_confirmed_times_out_helpfully(emu: BotAPIEmulator) -> None:
    await emu.user(1001).send("nobody polls")
    with pytest.raises(WaitTimeout, match=r"pending update ids: \[1\]"):
        await emu.wait_until_confirmed(timeout=0.05)


async def test_negative_offset_keeps_only_the_last_updates(emu: BotAPIEmulator, bot: Bot) -> None:
    user = emu.user(1001)
    for text in ("a", "b", "c"):
        await user.send(text)
    assert [u.message.text for u in await bot.get_updates(offset=-1) if u.message] == ["c"]
    assert [u.update_id for u in await bot.get_updates()] == [3]


async def test_allowed_updates_filters_when_updates_happen(emu: BotAPIEmulator, bot: Bot) -> None:
    user = emu.user(1001)
    await user.send("hi")
    await bot.get_updates(offset=2, allowed_updates=["message"])
    user.block()  # my_chat_member is not allowed now: Telegram drops it (and the unblock too)
    user.unblock()
    await user.send("back")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["back"]
    assert emu.discarded_updates == 2
    # An empty list restores the default set, which includes my_chat_member.
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[])
    user.block()
    (update,) = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_a_second_poller_terminates_the_first(emu: BotAPIEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for_polling()
    second = asyncio.create_task(bot.get_updates(timeout=30))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    await emu.user(1001).send("hi")
    assert len(await asyncio.wait_for(second, 5)) == 1


async def test_webhook_blocks_get_updates(emu: BotAPIEmulator, bot: Bot) -> None:
    await bot.set_webhook("https://example.com/hook")
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await emu.user(1001).send("hi")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


async def test_stop_releases_a_pending_long_poll() -> None:
    emu = BotAPIEmulator()
    await emu.start()
    poller = make_bot(emu)
    poll = asyncio.create_task(poller.get_updates(timeout=30))
    await emu.wait_for_polling()
    await asyncio.wait_for(emu.stop(), 5)
    assert await asyncio.wait_for(poll, 5) == []
    await poller.session.close()


async def test_wait_for_polling_sees_a_poll_already_waiting(emu: BotAPIEmulator, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for_polling()
    await emu.wait_for_polling(timeout=1)  # no new request needed: one is waiting right now
    await emu.user(1001).send("hi")
    assert len(await asyncio.wait_for(poll, 5)) == 1
    with pytest.raises(WaitTimeout, match="no bot is polling"):
        await emu.wait_for_polling(timeout=0.05)

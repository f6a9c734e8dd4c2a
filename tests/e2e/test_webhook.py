"""Webhook mode (Step 10): Telegram posts each update; the bot keeps it before answering, then handles her
updates one at a time and in order, whatever reached it twice or was left behind by a worker that died."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject
from sqlalchemy import select

from db import inbox
from db.schema import inbox as inbox_table
from db.schema import users
from tests.e2e.harness import PUBLIC, WEBHOOK_SECRET, RunningBot, running_bot
from tests.story import REGISTERED, open_chat, registered_at_week


@pytest.fixture
async def bot(clean_database_url: str) -> AsyncIterator[RunningBot]:
    async with running_bot(clean_database_url, webhook=True) as running:
        yield running


def local_url(bot: RunningBot) -> str:
    assert bot.app.webhook is not None
    return bot.app.webhook.url


async def test_a_mother_registers_through_the_webhook_as_through_polling(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 5001, "en", 20)
    assert any((m.html or m.text or "").startswith(REGISTERED) for m in mother.user.all_messages if m.from_bot)
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(users.c.id, users.c.name).where(users.c.id == 5001))).one()
        assert row.name == "Aigerim"
        assert await inbox.waiting_count(conn) == 0  # every update she sent was handled
        left = (await conn.execute(select(inbox_table.c.chat_id, inbox_table.c.payload))).all()
    assert left and all(r.chat_id is None and r.payload is None for r in left)  # only ids stay, for repeats
    stats = bot.emulator.stats.webhook
    assert stats.confirmed >= 10 and stats.order_violations == 0
    info = bot.emulator.webhook_info()
    assert info["url"] == f"{PUBLIC}/telegram" and "last_error_message" not in info


async def test_a_post_without_the_secret_is_refused_and_nothing_is_kept(bot: RunningBot) -> None:
    update = {"update_id": 990001, "message": {"message_id": 1, "date": 0, "chat": {"id": 5002, "type": "private"},
                                               "from": {"id": 5002, "is_bot": False, "first_name": "X"}, "text": "/start"}}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess" * 8}):
            async with http.post(local_url(bot), json=update, headers=headers) as answer:
                assert answer.status == 401
        async with http.post(local_url(bot), data="not json", headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}) as answer:
            assert answer.status == 400
    async with bot.app.context.database.reading() as conn:
        assert (await conn.execute(select(inbox_table.c.update_id))).all() == []


async def test_an_update_telegram_posts_again_is_handled_once(bot: RunningBot) -> None:
    """Telegram posts an update again when our answer was lost: the inbox knows its id."""
    seen: list[dict[str, Any]] = []

    async def keep(handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: TelegramObject,
                   data: dict[str, Any]) -> Any:
        seen.append(event.model_dump(mode="json", exclude_none=True))
        return await handler(event, data)

    bot.app.dispatcher.update.outer_middleware(keep)
    user = bot.emulator.user(user_id=5003, first_name="Dana", language_code="en")
    await user.send("/start")
    await bot.settle()
    assert len(seen) == 1
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # the same update, as Telegram would post it again
            async with http.post(local_url(bot), json=seen[0], headers=headers) as answer:
                assert answer.status == 200
    await bot.settle()
    assert len(seen) == 1  # not handled again
    replies = [m for m in user.all_messages if m.from_bot]
    assert len(replies) == 1, [m.text for m in replies]  # the language question, once


async def test_updates_a_dead_worker_kept_are_handled_by_another(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker answered Telegram (the update is in the inbox) and died before handling it: a live worker
    finds it within seconds, and she gets her answer."""
    mother = await open_chat(bot, 5004, "en")  # the language is chosen; the consent question is showing
    server = bot.app.webhook
    assert server is not None
    dropped: list[int] = []
    monkeypatch.setattr(server, "_spawn", lambda chat_id, *, wait: dropped.append(chat_id))  # "dies" after answering
    bot.human_pause()
    await mother.user.click(mother.t("✅ I agree"))
    await bot.emulator.wait_until_confirmed()
    assert dropped == [5004]
    async with bot.app.context.database.reading() as conn:
        assert await inbox.waiting_count(conn) == 1  # kept, and nobody is on it
    monkeypatch.undo()  # the worker that takes over: its sweep finds her update
    await bot.emulator.wait_for(lambda: mother.last_text.startswith("Who are you?"),
                                timeout=10, what="her next question")
    await bot.settle()
    async with bot.app.context.database.reading() as conn:
        assert await inbox.waiting_count(conn) == 0


async def test_her_message_and_her_press_run_one_after_the_other_in_telegram_order(bot: RunningBot) -> None:
    """Telegram posts a chat's messages and a user's presses in separate queues, so the two can arrive at
    once; her turn makes them run one at a time, in the order she made them."""
    mother = await open_chat(bot, 5005, "en")
    spans: list[tuple[int, float, float]] = []

    async def timed(handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: TelegramObject,
                    data: dict[str, Any]) -> Any:
        started = time.monotonic()
        await asyncio.sleep(0.3)  # a slow moment: the other update arrives meanwhile
        try:
            return await handler(event, data)
        finally:
            spans.append((getattr(event, "update_id", 0), started, time.monotonic()))

    bot.app.dispatcher.update.outer_middleware(timed)
    consent = mother.user.last_message
    assert consent is not None
    bot.human_pause()
    typed = asyncio.create_task(mother.user.send("hello"))  # a message (her chat's queue) …
    pressed = asyncio.create_task(mother.user.click(mother.t("✅ I agree"), message=consent))  # … and a press (hers)
    await asyncio.gather(typed, pressed)
    await bot.settle()
    assert len(spans) == 2
    (first_id, _, first_end), (second_id, second_start, _) = sorted(spans, key=lambda s: s[1])
    assert first_id < second_id  # in the order Telegram numbered them
    assert second_start >= first_end  # and never at the same time
    assert bot.emulator.order_violations == 0


def dies_once_before_noting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The next update handled is not noted done, as if its worker died right after handling it: the chat's
    next turn finds it waiting and handles it a second time. The ids of such updates."""
    noted, skipped = inbox.mark_handled, []

    async def dies_before_noting(conn: Any, update_id: int, now: Any) -> None:
        if not skipped:
            skipped.append(update_id)
            return
        await noted(conn, update_id, now)

    monkeypatch.setattr(inbox, "mark_handled", dies_before_noting)
    return skipped


async def test_a_press_handled_again_after_its_worker_died_leaves_her_choice(bot: RunningBot,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Her tap was handled and its worker died before noting it done: the tap is handled a second time. The
    button says what she asked for (ticked), so it stays ticked, not taken away again; and Telegram's refusal
    of a second answer to the same press is no reason to apologise."""
    mother = await open_chat(bot, 5006, "en")
    await mother.click(mother.t("✅ I agree"))
    assert mother.last_text.startswith("Who are you?")
    replayed = dies_once_before_noting(monkeypatch)
    await mother.click("I am planning a pregnancy")
    await bot.settle()
    monkeypatch.undo()
    assert replayed
    roles = mother.user.last_message
    assert roles is not None and "✅ 🌱 I am planning a pregnancy" in roles.button_labels()
    assert not [m for m in mother.user.all_messages if m.from_bot and "something went wrong" in (m.text or "")]
    await mother.click("Continue")
    assert mother.last_text.startswith("What is your name?")


async def test_her_answer_handled_again_ends_with_her_current_question(bot: RunningBot,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Her name was saved and its worker died before noting it done (perhaps before the next question went):
    handled again, it meets the phone question, which is then asked once more, with its button."""
    mother = await open_chat(bot, 5007, "en")
    await mother.click(mother.t("✅ I agree"))
    await mother.click("I am planning a pregnancy")
    await mother.click("Continue ➡️")
    replayed = dies_once_before_noting(monkeypatch)
    await mother.send("Aigerim")
    await bot.settle()
    monkeypatch.undo()
    assert replayed
    assert "phone" in mother.last_text  # the question she is at, last in her chat
    await mother.share_contact()  # its button is there
    assert mother.last_text.startswith("Thank you. Your number") or "region" in mother.last_text
    state = await bot.app.context.fsm_storage.get_data(StorageKey(bot_id=bot.app.bot.id, chat_id=5007, user_id=5007))
    assert state.get("name") == "Aigerim"

"""Webhook delivery: setWebhook's checks, the route table, one request at a time per queue, retries,
timeouts, deleteWebhook and methods answered to the webhook. The target is a tiny aiohttp app that
records what it received, in order; no bot runs."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from emulator import BotAPIEmulator, WebhookSettings
from emulator.webhook import QueueMode

from .conftest import make_bot, raw_call

PUBLIC = "https://bot.example.kz"
HOOK = f"{PUBLIC}/tg/hook"
SECRET = "s3cr3t_-TOKEN"

Answer = Callable[[dict[str, Any]], Awaitable[web.StreamResponse]]


@dataclass
class Received:
    update: dict[str, Any]
    headers: dict[str, str]
    path: str


class Target:
    """A webhook target: records every request in arrival order and answers as ``answer`` says
    (200 with an empty JSON object by default). It counts requests of one chat seen side by side."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answer: Answer | None = None
        self.base = ""
        self._open: Counter[int] = Counter()
        self.overlaps = 0  # a chat's request arrived while another of that chat was unanswered
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Event()

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Until at least ``count`` requests arrived (the emulator does not know when they do)."""
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                await self._arrived.wait()

    def ids(self, chat_id: int | None = None) -> list[int]:
        return [r.update["update_id"] for r in self.received if chat_id is None or chat_of(r.update) == chat_id]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        update = await request.json()
        self.received.append(Received(update, dict(request.headers), request.path_qs))
        self._arrived.set()
        self._arrived = asyncio.Event()
        chat = chat_of(update)
        if self._open[chat]:
            self.overlaps += 1
        self._open[chat] += 1
        try:
            return await self.answer(update) if self.answer is not None else web.json_response({})
        finally:
            self._open[chat] -= 1

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        host, bound = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{bound}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def chat_of(update: dict[str, Any]) -> int:
    for kind in ("message", "callback_query", "my_chat_member"):
        if kind in update:
            payload = update[kind]
            return int((payload.get("message") or payload)["chat"]["id"])
    raise AssertionError(f"unexpected update {update}")


def text_of(update: dict[str, Any]) -> str:
    if "message" in update:
        return str(update["message"].get("text"))
    return f"callback:{update['callback_query']['data']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    server = Target()
    await server.start()
    yield server
    await server.stop()


def fast_emulator(routes: dict[str, str] | None = None, *, timeout: float = 2.0, queues: QueueMode = "telegram") -> BotAPIEmulator:
    settings = WebhookSettings(timeout=timeout, retry_initial=0.02, retry_max=0.1)
    return BotAPIEmulator(webhook_routes=routes, webhook_settings=settings, webhook_queues=queues)


@pytest.fixture
async def hook_emu(target: Target) -> AsyncIterator[BotAPIEmulator]:
    async with fast_emulator({PUBLIC: target.base}) as emulator:
        yield emulator
        assert emulator.internal_errors == [], "the emulator itself failed; see the log"
        assert emulator.order_violations == 0


@pytest.fixture
async def hook_bot(hook_emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    bot = make_bot(hook_emu)
    yield bot
    await bot.session.close()


async def test_updates_are_posted_as_json_with_the_secret_header(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    assert await hook_bot.set_webhook(HOOK, secret_token=SECRET)
    user = hook_emu.user(1001)
    await user.send("Сәлем")
    await hook_emu.wait_until_confirmed()

    (got,) = target.received
    assert got.path == "/tg/hook"
    assert got.headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Host"] == "bot.example.kz"  # as nginx sees it
    assert got.update == {"update_id": 1, "message": user.all_messages[-1].to_api()}
    assert hook_emu.webhook_deliveries(1001) == [1]
    assert hook_emu.pending_updates == []
    stats = hook_emu.stats.webhook
    assert (stats.attempted, stats.confirmed, stats.failed, stats.duplicates) == (1, 1, 0, 0)

    info = await hook_bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections, info.has_custom_certificate) == (HOOK, 0, 40, False)
    assert info.last_error_date is None and info.last_error_message is None

    # Without a secret there is no header at all.
    await hook_bot.set_webhook(HOOK)
    await user.send("again")
    await hook_emu.wait_until_confirmed()
    assert "X-Telegram-Bot-Api-Secret-Token" not in target.received[-1].headers
    assert target.ids() == [1, 2]


async def test_one_chat_waits_for_its_answer_while_other_chats_flow(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    release = asyncio.Event()

    async def slow_for_aigerim(update: dict[str, Any]) -> web.StreamResponse:
        if chat_of(update) == 1001:
            await release.wait()
        return web.json_response({})

    target.answer = slow_for_aigerim
    await hook_bot.set_webhook(HOOK)
    aigerim, dana = hook_emu.user(1001), hook_emu.user(1002, first_name="Dana")
    await aigerim.send("a1")
    await aigerim.send("a2")
    for text in ("b1", "b2", "b3"):
        await dana.send(text)

    await hook_emu.wait_for(lambda: len(hook_emu.webhook_deliveries(1002)) == 3, timeout=5, what="Dana's updates confirmed")
    assert hook_emu.webhook_deliveries(1002) == [3, 4, 5]
    assert [text_of(r.update) for r in target.received if chat_of(r.update) == 1001] == ["a1"]  # a2 waits for a1's answer
    assert [u["update_id"] for u in hook_emu.pending_updates] == [1, 2]

    release.set()
    await hook_emu.wait_until_confirmed()
    assert hook_emu.webhook_deliveries(1001) == [1, 2]
    assert [text_of(r.update) for r in target.received if chat_of(r.update) == 1001] == ["a1", "a2"]
    assert target.overlaps == 0
    assert hook_emu.stats.webhook.max_in_flight >= 2  # the two chats were in flight together


async def _held_message_then_click(emu: BotAPIEmulator, bot: Bot, target: Target) -> asyncio.Event:
    """Aigerim's message is held by the target; then she presses a button under a bot message."""
    release = asyncio.Event()

    async def hold_messages(update: dict[str, Any]) -> web.StreamResponse:
        if "message" in update:
            await release.wait()
        return web.json_response({})

    target.answer = hold_messages
    await bot.set_webhook(HOOK)
    user = emu.user(1001)
    await user.send("hello")
    await target.wait_for(1)
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="yes")]])
    await bot.send_message(1001, "Sure?", reply_markup=markup)
    await user.click("Yes")
    return release


async def test_a_button_press_has_its_own_queue_as_in_telegram(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    """Telegram queues callback queries by the user who pressed, apart from the chat's messages: the
    bot may be handling her message and her button press at the same time."""
    release = await _held_message_then_click(hook_emu, hook_bot, target)
    await hook_emu.wait_for(lambda: hook_emu.webhook_deliveries(1001) == [2], what="the press confirmed")
    assert [text_of(r.update) for r in target.received] == ["hello", "callback:yes"]
    release.set()
    await hook_emu.wait_until_confirmed()
    assert hook_emu.webhook_deliveries(1001) == [2, 1]


async def test_chat_queues_serialise_everything_of_a_chat(target: Target) -> None:
    async with fast_emulator({PUBLIC: target.base}, queues="chat") as emu:
        bot = make_bot(emu)
        release = await _held_message_then_click(emu, bot, target)
        await asyncio.sleep(0.2)
        assert [text_of(r.update) for r in target.received] == ["hello"]  # the press waits behind the message
        release.set()
        await emu.wait_until_confirmed()
        assert [text_of(r.update) for r in target.received] == ["hello", "callback:yes"]
        assert emu.webhook_deliveries(1001) == [1, 2]
        assert emu.order_violations == 0
        await bot.session.close()


async def test_a_500_is_retried_and_shown_in_webhook_info(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    async def fail_twice(update: dict[str, Any]) -> web.StreamResponse:
        if target.ids().count(update["update_id"]) <= 2:
            return web.Response(status=500, text="boom")
        return web.json_response({})

    target.answer = fail_twice
    await hook_bot.set_webhook(HOOK)
    user = hook_emu.user(1001)
    await user.send("one")
    await user.send("two")
    await hook_emu.wait_for(lambda: hook_emu.stats.webhook.failed >= 1, what="a failed delivery")
    info = await hook_bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None and abs(info.last_error_date.timestamp() - hook_emu.now()) <= 2
    assert info.pending_update_count == 2

    await hook_emu.wait_until_confirmed()
    assert target.ids() == [1, 1, 1, 2, 2, 2]  # "two" only after "one" was answered 2xx
    stats = hook_emu.stats.webhook
    assert (stats.attempted, stats.failed, stats.retried, stats.duplicates, stats.confirmed) == (6, 4, 4, 4, 2)
    assert stats.by_error == {"Wrong response from the webhook: 500 Internal Server Error": 4}
    assert hook_emu.webhook_deliveries(1001) == [1, 2]
    assert (await hook_bot.get_webhook_info()).last_error_message is not None  # Telegram keeps the last error


async def test_connection_refused_until_the_target_starts(hook_bot: Bot, hook_emu: BotAPIEmulator) -> None:
    port = free_port()
    hook_emu.route_webhook("https://late.example.kz", f"http://127.0.0.1:{port}")
    await hook_bot.set_webhook("https://late.example.kz/hook")
    await hook_emu.user(1001).send("anyone?")
    await hook_emu.wait_for(lambda: hook_emu.stats.webhook.failed >= 2, what="two refused deliveries")
    info = await hook_bot.get_webhook_info()
    assert info.last_error_message == "Connection refused" and info.pending_update_count == 1

    late = Target()
    await late.start(port)
    try:
        await hook_emu.wait_until_confirmed()
        assert late.ids() == [1]
        stats = hook_emu.stats.webhook
        assert stats.retried >= 2 and stats.duplicates == 0  # it never reached anyone before
    finally:
        await late.stop()


async def test_an_unrouted_url_is_refused_and_never_leaves(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    await hook_bot.set_webhook("https://elsewhere.example.org/hook?bot=1")
    await hook_emu.user(1001).send("hi")
    await hook_emu.wait_for(lambda: hook_emu.stats.webhook.failed >= 1, what="a refused delivery")
    assert hook_emu.webhook_info()["last_error_message"] == "Connection refused"
    assert target.received == []
    hook_emu.route_webhook("https://elsewhere.example.org", target.base)
    await hook_emu.wait_until_confirmed()
    assert [r.path for r in target.received] == ["/hook?bot=1"]


async def test_a_timeout_is_retried_and_counted_as_a_duplicate(target: Target) -> None:
    async def slow_first(update: dict[str, Any]) -> web.StreamResponse:
        if len(target.received) == 1:
            await asyncio.sleep(1.0)
        return web.json_response({})

    target.answer = slow_first
    async with fast_emulator({PUBLIC: target.base}, timeout=0.2) as emu:
        bot = make_bot(emu)
        await bot.set_webhook(HOOK)
        await emu.user(1001).send("slow")
        await emu.wait_until_confirmed()
        assert target.ids() == [1, 1]  # the bot got the same update twice: it must tolerate that
        stats = emu.stats.webhook
        assert (stats.timeouts, stats.failed, stats.retried, stats.duplicates, stats.confirmed) == (1, 1, 1, 1, 1)
        assert (await bot.get_webhook_info()).last_error_message == "Read timeout expired"
        await bot.session.close()


async def test_delete_webhook_stops_delivery_and_keeps_what_is_pending(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    entered = asyncio.Event()

    async def hang_on_two(update: dict[str, Any]) -> web.StreamResponse:
        if text_of(update) == "two" and not entered.is_set():
            entered.set()
            await asyncio.sleep(1.0)
        return web.json_response({})

    target.answer = hang_on_two
    await hook_bot.set_webhook(HOOK)
    user = hook_emu.user(1001)
    await user.send("one")
    await hook_emu.wait_until_confirmed()
    await user.send("two")
    await asyncio.wait_for(entered.wait(), 5)
    assert await hook_bot.delete_webhook()  # cuts the request in flight: "two" stays queued
    await user.send("three")
    await asyncio.sleep(0.3)
    assert [text_of(r.update) for r in target.received] == ["one", "two"]
    assert hook_emu.stats.webhook.abandoned == 1
    info = await hook_bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == ("", 2, None)
    updates = await hook_bot.get_updates()  # polling again: "two" comes once more
    assert [u.message.text for u in updates if u.message] == ["two", "three"]

    # Set again: the update cut off in flight is posted again, a duplicate.
    await hook_bot.set_webhook(HOOK)
    await hook_emu.wait_until_confirmed()
    assert [text_of(r.update) for r in target.received] == ["one", "two", "two", "three"]
    assert hook_emu.stats.webhook.duplicates == 1
    await user.send("four")
    assert await hook_bot.delete_webhook(drop_pending_updates=True)
    assert hook_emu.pending_updates == []


async def test_get_updates_is_refused_while_a_webhook_is_set(hook_emu: BotAPIEmulator, hook_bot: Bot, http: aiohttp.ClientSession) -> None:
    poller = asyncio.create_task(hook_bot.get_updates(timeout=30))
    await hook_emu.wait_for_polling()
    status, body = await raw_call(http, hook_emu, "setWebhook", data={"url": HOOK})
    assert (status, body) == (200, {"ok": True, "result": True, "description": "Webhook was set"})
    with pytest.raises(TelegramConflictError, match="terminated by setWebhook request"):
        await asyncio.wait_for(poller, 5)
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is active"):
        await hook_bot.get_updates()
    assert (await raw_call(http, hook_emu, "setWebhook", data={"url": HOOK}))[1]["description"] == "Webhook is already set"
    assert (await raw_call(http, hook_emu, "deleteWebhook"))[1]["description"] == "Webhook was deleted"
    assert (await raw_call(http, hook_emu, "deleteWebhook"))[1]["description"] == "Webhook is already deleted"
    assert await hook_bot.get_updates() == []


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"secret_token": "has space"}, "Bad Request: secret token contains unallowed characters"),
        ({"secret_token": "base64+/="}, "Bad Request: secret token contains unallowed characters"),
        ({"secret_token": "секрет"}, "Bad Request: secret token contains unallowed characters"),
        ({"secret_token": "a" * 257}, "Bad Request: secret token is too long"),
        ({"url": "http://bot.example.kz/hook"}, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"),
        ({"url": "https://bot.example.kz:8080/hook"}, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"),
        ({"url": "https://127.0.0.1:8443/hook"}, "Bad Request: bad webhook: IP address 127.0.0.1 is reserved"),
        ({"url": "https://10.0.0.5/hook"}, "Bad Request: bad webhook: IP address 10.0.0.5 is reserved"),
        ({"url": "ftp://bot.example.kz/hook"}, "Bad Request: invalid webhook URL specified"),
    ],
)
async def test_set_webhook_is_checked_like_telegram(
    hook_emu: BotAPIEmulator, http: aiohttp.ClientSession, params: dict[str, str], description: str
) -> None:
    status, body = await raw_call(http, hook_emu, "setWebhook", data={"url": HOOK, **params})
    assert (status, body["description"]) == (400, description)
    assert hook_emu.webhook_info()["url"] == ""


async def test_set_webhook_parameters_show_in_webhook_info(hook_emu: BotAPIEmulator, hook_bot: Bot) -> None:
    assert await hook_bot.set_webhook(HOOK, secret_token="a" * 256, max_connections=500, allowed_updates=["message"])
    info = await hook_bot.get_webhook_info()
    assert (info.max_connections, info.allowed_updates) == (100, ["message"])  # Telegram clamps max_connections
    await hook_bot.set_webhook(HOOK, max_connections=0, allowed_updates=[])
    info = await hook_bot.get_webhook_info()
    assert (info.max_connections, info.allowed_updates) == (1, None)  # default set: not shown
    await hook_bot.set_webhook("bot.example.kz/no-scheme")  # Telegram takes it as HTTPS
    assert (await hook_bot.get_webhook_info()).url == "bot.example.kz/no-scheme"


async def test_allowed_updates_of_set_webhook_filter_what_is_queued(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    await hook_bot.set_webhook(HOOK, allowed_updates=["message"])
    user = hook_emu.user(1001)
    await user.send("hi")
    user.block()
    user.unblock()
    await user.send("back")
    await hook_emu.wait_until_confirmed()
    assert [text_of(r.update) for r in target.received] == ["hi", "back"]
    assert hook_emu.discarded_updates == 2


async def test_max_connections_bounds_requests_in_flight(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    release = asyncio.Event()

    async def hold(update: dict[str, Any]) -> web.StreamResponse:
        await release.wait()
        return web.json_response({})

    target.answer = hold
    await hook_bot.set_webhook(HOOK, max_connections=2)
    for user_id in range(1001, 1006):
        await hook_emu.user(user_id).send("hi")
    await target.wait_for(2)
    await asyncio.sleep(0.2)
    assert len(target.received) == 2
    release.set()
    await hook_emu.wait_until_confirmed()
    assert sorted(target.ids()) == [1, 2, 3, 4, 5]
    assert hook_emu.stats.webhook.max_in_flight == 2


async def test_a_method_answered_to_the_webhook_is_executed(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    async def reply(update: dict[str, Any]) -> web.StreamResponse:
        chat_id = chat_of(update)
        if text_of(update) == "bad":
            return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "<b>unclosed", "parse_mode": "HTML"})
        if text_of(update) == "getter":
            return web.json_response({"method": "getMe"})  # Telegram ignores getters and webhook methods
        return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": f"<b>echo</b> {text_of(update)}", "parse_mode": "HTML"})

    target.answer = reply
    await hook_bot.set_webhook(HOOK)
    user = hook_emu.user(1001)
    await user.send("hi")
    answer = await user.wait_for_message()
    assert (answer.text, answer.html) == ("echo hi", "<b>echo</b> hi")
    await user.send("bad")
    await user.send("getter")
    await hook_emu.wait_until_confirmed()
    assert hook_emu.webhook_deliveries(1001) == [1, 2, 3]  # an error in the reply does not fail the delivery
    assert [c.method for c in hook_emu.webhook_reply_errors] == ["sendMessage"]
    assert "can't parse entities" in hook_emu.webhook_reply_errors[0].params["error"]
    assert hook_emu.stats.webhook.replies == 2
    assert user.texts() == ["echo hi"]


async def test_aiogram_simple_request_handler_answers_through_the_webhook(hook_emu: BotAPIEmulator, target: Target) -> None:
    """aiogram answers a handler's returned method as multipart/form-data in the webhook response."""
    bot = make_bot(hook_emu)
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> Any:
        return message.answer(f"You said: {message.text}")

    app = web.Application()
    SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=SECRET).register(app, path="/tg/hook")
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    hook_emu.route_webhook("https://aiogram.example.kz", f"http://{host}:{port}")
    try:
        await bot.set_webhook("https://aiogram.example.kz/tg/hook", secret_token=SECRET)
        user = hook_emu.user(1001)
        await user.send("Сәлем")
        assert (await user.wait_for_message()).text == "You said: Сәлем"
        await bot.set_webhook("https://aiogram.example.kz/tg/hook", secret_token="wrong")
        await user.send("again")
        await hook_emu.wait_for(lambda: hook_emu.stats.webhook.failed >= 1, what="a refused secret")
        assert hook_emu.webhook_info()["last_error_message"] == "Wrong response from the webhook: 401 Unauthorized"
    finally:
        await bot.delete_webhook()
        await runner.cleanup()
        await bot.session.close()


async def test_many_chats_with_flaky_answers_keep_each_queue_in_order(hook_emu: BotAPIEmulator, hook_bot: Bot, target: Target) -> None:
    """Random delays and failures: each chat's updates reach the target one at a time and are
    confirmed in update_id order; failures come back as duplicates, never out of order."""
    import random

    rng = random.Random(7)

    async def flaky(update: dict[str, Any]) -> web.StreamResponse:
        await asyncio.sleep(rng.random() * 0.02)
        if rng.random() < 0.2:
            return web.Response(status=502)
        return web.json_response({})

    target.answer = flaky
    await hook_bot.set_webhook(HOOK, max_connections=8)
    users = [hook_emu.user(2000 + i) for i in range(12)]
    for round_ in range(5):
        for user in users:
            await user.send(f"m{round_}")
    await hook_emu.wait_until_confirmed(timeout=20)

    assert target.overlaps == 0
    for user in users:
        confirmed = hook_emu.webhook_deliveries(user.id)
        assert confirmed == sorted(confirmed) and len(confirmed) == 5
        arrived = target.ids(user.id)
        # What arrived is the confirmed sequence with repeats: no update after a later one.
        assert [i for n, i in enumerate(arrived) if n == 0 or arrived[n - 1] != i] == confirmed
    stats = hook_emu.stats.webhook
    assert stats.failed > 0 and stats.duplicates == stats.failed and stats.confirmed == 60
    assert stats.max_in_flight <= 8


async def test_webhook_info_when_nothing_is_set(bot: Bot, emu: BotAPIEmulator) -> None:
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections, info.last_error_message) == ("", 0, None, None)
    with pytest.raises(TelegramBadRequest, match="bad webhook: An HTTPS URL must be provided for webhook"):
        await bot.set_webhook("http://bot.example.kz/hook")

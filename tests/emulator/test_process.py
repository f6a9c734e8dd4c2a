"""The emulator in a child process driven from the parent: webhook routes, users' actions, chats and
the webhook's figures, as a multi-process scale test uses them. The webhook target runs in a thread
of the parent (the parent's calls block), and answers each update with a Bot API method."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from emulator import WebhookSettings
from emulator.process import EmulatorProcess

from .conftest import TOKEN

PUBLIC = "https://bot.example.kz"
HOOK = f"{PUBLIC}/tg"
MENU = {
    "keyboard": [[{"text": "Share my number", "request_contact": True}]],
    "resize_keyboard": True,
}
INLINE = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}


async def _answer(request: web.Request) -> web.Response:
    """A bot in one function: echo texts, show keyboards on "menu", thank for contacts, answer presses."""
    update = await request.json()
    if "callback_query" in update:
        query = update["callback_query"]
        return web.json_response({"method": "answerCallbackQuery", "callback_query_id": query["id"], "text": "went"})
    message = update["message"]
    reply: dict[str, Any] = {"method": "sendMessage", "chat_id": message["chat"]["id"]}
    if "contact" in message:
        reply["text"] = f"thanks for {message['contact']['phone_number']}"
    elif message.get("text") == "menu":
        reply |= {"text": "pick", "reply_markup": MENU}
    elif message.get("text") == "inline":
        reply |= {"text": "press", "reply_markup": INLINE}
    else:
        reply["text"] = f"echo: {message.get('text')}"
    return web.json_response(reply)


class ThreadTarget:
    """The aiohttp target on its own event loop in a thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.base = ""
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/{tail:.*}", _answer)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture
def thread_target() -> Iterator[ThreadTarget]:
    target = ThreadTarget()
    target.start()
    yield target
    target.stop()


def api(emu: EmulatorProcess, method: str, **params: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{emu.api_url}/bot{TOKEN}/{method}", data=json.dumps(params).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


@pytest.mark.slow
def test_users_are_driven_from_the_parent_through_a_webhook(thread_target: ThreadTarget) -> None:
    ids = [1001, 1002, 1003]
    with EmulatorProcess(rate_limits=None, webhook_settings=WebhookSettings(timeout=2.0, retry_initial=0.02, retry_max=0.1)) as emu:
        assert api(emu, "setWebhook", url=HOOK, secret_token="s3cret")["description"] == "Webhook was set"
        assert emu.send_text(ids, "hi") == []
        with pytest.raises(RuntimeError, match="were not confirmed"):
            emu.wait_until_confirmed(timeout=0.5)
        stats = emu.webhook_stats()
        # Nothing serves bot.example.kz yet: refused, and still queued.
        assert stats["confirmed"] == 0 and stats["last_error_message"] == "Connection refused"

        emu.route_webhook(PUBLIC, thread_target.base)
        emu.wait_until_confirmed(timeout=10)
        assert emu.wait_for_messages(ids, contains="echo: hi", timeout=5) == []
        assert [emu.texts(user_id) for user_id in ids] == [["echo: hi"]] * 3
        assert emu.confirmed_counts(ids) == [1, 1, 1]

        assert emu.send_text([1001], "menu") == []
        assert emu.wait_for_messages([1001], contains="pick") == []
        shown = emu.last_message(1001)
        assert shown is not None and shown["reply_keyboard"] == [["Share my number"]]
        assert emu.press([1001], "Share my number") == []
        assert emu.wait_for_messages([1001], contains="thanks for +7701") == []
        failures = emu.press([1002], "Share my number")  # no keyboard is shown to her
        assert [user_id for user_id, _ in failures] == [1002] and "no reply keyboard" in failures[0][1]
        assert emu.share_contact([1003]) == []

        assert emu.send_text([1002], "inline") == []
        assert emu.wait_for_messages([1002], contains="press") == []
        last = emu.last_message(1002)
        assert last is not None and last["buttons"] == [["Go"]]
        assert emu.click([1002], "Go") == []
        emu.wait_until_confirmed(timeout=5)

        assert "user clicked 'go'" in emu.chat_log(1002) and "bot answered callback 'go'" in emu.chat_log(1002)
        deliveries = emu.webhook_deliveries(ids)
        assert [len(d) for d in deliveries] == [3, 3, 2] and all(d == sorted(d) for d in deliveries)
        stats = emu.webhook_stats()
        assert (stats["order_violations"], stats["confirmed"], stats["pending_update_count"], stats["in_flight"]) == (0, 8, 0, 0)
        assert stats["failed"] >= 3 and stats["duplicates"] == 0 and stats["replies"] == 8 and stats["reply_errors"] == []
        assert emu.stats()["internal_errors"] == []

"""The emulator in a child process, as Telegram is on another machine.

Benchmarks use it so that what they measure is the bot's own cost: with the emulator in the same
process, every request is paid for twice on one core (the bot sending it, the emulator answering
it). The parent controls the child over a pipe: known users, faults, users' actions, webhook routes,
and reading what arrived.

    with EmulatorProcess(rate_limits=RateLimits(...)) as emu:
        emu.add_users(range(1_000, 2_000))       # registered long ago: the bot may write to them
        settings.telegram_api_url = emu.api_url
        ...
        emu.stats()                              # {"sent": ..., "rate_limited": ..., ...}
        emu.message_counts(ids)                  # messages each chat received

A multi-process webhook test (the bot's workers behind a local port, as behind nginx):

    with EmulatorProcess(webhook_routes={"https://bot.example.kz": "http://127.0.0.1:8443"}) as emu:
        ...                                      # the bot calls setWebhook("https://bot.example.kz/tg")
        emu.send_text(ids, "/start")             # [] or [[user_id, why it failed], ...]
        emu.wait_until_confirmed(timeout=30)
        emu.wait_for_messages(ids, contains="Сәлем")
        emu.webhook_stats()["order_violations"]  # must stay 0

Users' actions take a list of user ids and answer the failures, [[user_id, reason], ...]: one person
with no keyboard shown does not stop the others.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, fields
from typing import IO, Any

from emulator.limits import RateLimits
from emulator.server import BotAPIEmulator
from emulator.users import ChatMessage, SimUser
from emulator.webhook import QueueMode, WebhookSettings

_LANGUAGES = ("kk", "ru", "en")
Failures = list[list[Any]]  # [[user_id, reason], ...]


class EmulatorProcess:
    """`python -m emulator.process` as a child; commands and answers are JSON lines on its stdin/stdout."""

    def __init__(
        self,
        *,
        rate_limits: RateLimits | None = RateLimits(),
        record_calls: bool = False,
        webhook_routes: dict[str, str] | None = None,
        webhook_settings: WebhookSettings | None = None,
        webhook_queues: QueueMode = "telegram",
    ) -> None:
        """The arguments are BotAPIEmulator's (emulator/README.md)."""
        self._config = {
            "rate_limits": asdict(rate_limits) if rate_limits else None,
            "record_calls": record_calls,
            "webhook_routes": webhook_routes or {},
            "webhook_settings": asdict(webhook_settings or WebhookSettings()),
            "webhook_queues": webhook_queues,
        }
        self._process: subprocess.Popen[str] | None = None
        self.api_url = ""

    def __enter__(self) -> EmulatorProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "emulator.process", json.dumps(self._config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.api_url = self._call("api_url")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is None:
            return
        try:
            self._call("stop")
            self._process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a child that does not stop is killed
            self._process.kill()
            self._process.wait()

    def _call(self, command: str, **args: Any) -> Any:
        assert self._process is not None and self._process.stdin and self._process.stdout, "use it as a context manager"
        self._process.stdin.write(json.dumps([command, args]) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the emulator process ended")
        ok, value = json.loads(line)
        if not ok:
            raise RuntimeError(f"emulator process: {value}")
        return value

    def add_users(self, user_ids: Iterable[int]) -> None:
        """People who pressed Start long ago (languages kk/ru/en in turn by id)."""
        self._call("add_users", user_ids=list(user_ids))

    def slow(self, method: str, delay: float) -> None:
        """Every `method` call answers `delay` seconds late, like a far-away server."""
        self._call("slow", method=method, delay=delay)

    def stats(self) -> dict[str, Any]:
        """sent, rate_limited, requests, errors by code, internal_errors (emulator bugs)."""
        return dict(self._call("stats"))

    def message_counts(self, user_ids: Iterable[int]) -> list[int]:
        return [int(count) for count in self._call("message_counts", user_ids=list(user_ids))]

    # --- users' actions (each user id is created on first use, kk/ru/en in turn by id) ---------

    def send_text(self, user_ids: Iterable[int], text: str) -> Failures:
        """Each user types and sends `text`."""
        return list(self._call("send_text", user_ids=list(user_ids), text=text))

    def press(self, user_ids: Iterable[int], text: str) -> Failures:
        """Each user presses a button of the reply keyboard shown to her (a contact button shares it)."""
        return list(self._call("press", user_ids=list(user_ids), text=text))

    def click(self, user_ids: Iterable[int], text: str | None = None, *, data: str | None = None) -> Failures:
        """Each user presses an inline button (by text or callback_data) under the bot's newest keyboard."""
        return list(self._call("click", user_ids=list(user_ids), text=text, data=data))

    def share_contact(self, user_ids: Iterable[int]) -> Failures:
        """Each user shares her own contact, as the request_contact button does."""
        return list(self._call("share_contact", user_ids=list(user_ids)))

    def wait_for_messages(self, user_ids: Iterable[int], contains: str | None = None, timeout: float = 10.0) -> Failures:
        """Wait until each user got a new bot message (or edit) since her last action, with `contains`
        in its text if given; the ones that did not within the timeout are the failures."""
        return list(self._call("wait_for_messages", user_ids=list(user_ids), contains=contains, timeout=timeout))

    def wait_until_confirmed(self, timeout: float = 10.0) -> None:
        """Every update queued so far was confirmed (getUpdates offset or webhook 2xx); RuntimeError if not."""
        self._call("wait_until_confirmed", timeout=timeout)

    # --- reading chats ----------------------------------------------------------------------

    def chat_log(self, user_id: int) -> str:
        """The readable transcript of a user's chat with the bot."""
        return str(self._call("chat_log", user_id=user_id))

    def last_message(self, user_id: int) -> dict[str, Any] | None:
        """The newest visible bot message: message_id, text, html, kind, edits, inline buttons (rows of
        labels) and the reply keyboard shown (rows of labels, or None)."""
        result = self._call("last_message", user_id=user_id)
        return dict(result) if result is not None else None

    def texts(self, user_id: int) -> list[str]:
        """Visible texts (or captions) of the bot's messages in a user's chat."""
        return list(self._call("texts", user_id=user_id))

    # --- webhook --------------------------------------------------------------------------

    def route_webhook(self, public_prefix: str, local_base: str) -> None:
        """Webhook URLs under `public_prefix` are POSTed to `local_base` + the rest (like nginx)."""
        self._call("route_webhook", public_prefix=public_prefix, local_base=local_base)

    def webhook_stats(self) -> dict[str, Any]:
        """getWebhookInfo's fields (url, pending_update_count, last_error_message, ...) and delivery's
        figures: attempted, confirmed, failed, timeouts, retried, duplicates, abandoned,
        order_violations, replies, max_in_flight, in_flight, by_error, reply_errors."""
        return dict(self._call("webhook_stats"))

    def webhook_deliveries(self, chat_ids: Iterable[int]) -> list[list[int]]:
        """For each chat, the update_ids the webhook confirmed, in the order confirmed."""
        return [list(ids) for ids in self._call("webhook_deliveries", chat_ids=list(chat_ids))]

    def confirmed_counts(self, chat_ids: Iterable[int]) -> list[int]:
        """For each chat, how many of its updates the webhook confirmed."""
        return [int(count) for count in self._call("confirmed_counts", chat_ids=list(chat_ids))]


def _message_summary(message: ChatMessage | None, user: SimUser) -> dict[str, Any] | None:
    if message is None:
        return None
    keyboard = user.reply_keyboard
    return {
        "message_id": message.message_id,
        "kind": message.kind,
        "text": message.text,
        "html": message.html,
        "edits": message.edits,
        "buttons": [[button["text"] for button in row] for row in message.inline_buttons],
        "reply_keyboard": [[button["text"] for button in row] for row in keyboard] if keyboard is not None else None,
    }


async def _each(user_ids: list[int], act: Callable[[int], Awaitable[object]]) -> Failures:
    """Run one action per user, all at once; [[user_id, reason], ...] for those that failed."""
    results = await asyncio.gather(*(act(user_id) for user_id in user_ids), return_exceptions=True)
    pairs = zip(user_ids, results, strict=True)
    return [[user_id, f"{type(result).__name__}: {result}"] for user_id, result in pairs if isinstance(result, BaseException)]


async def _serve(config: dict[str, Any], commands: IO[str], answers: IO[str]) -> None:
    limits = RateLimits(**config["rate_limits"]) if config["rate_limits"] else None
    emulator = BotAPIEmulator(
        rate_limits=limits,
        record_calls=config["record_calls"],
        webhook_routes=config["webhook_routes"],
        webhook_settings=WebhookSettings(**config["webhook_settings"]),
        webhook_queues=config["webhook_queues"],
    )
    async with emulator as emu:

        def person(user_id: int) -> SimUser:
            return emu.user(user_id=user_id, first_name="Mother", language_code=_LANGUAGES[user_id % 3])

        async def answer(command: str, args: dict[str, Any]) -> Any:
            if command == "api_url":
                return emu.api_url
            if command == "add_users":
                for user_id in args["user_ids"]:
                    person(user_id).known_to_bot = True
                return None
            if command == "slow":
                emu.faults.add(method=args["method"], kind="slow", delay=args["delay"], times=None)
                return None
            if command == "stats":
                stats = emu.stats
                return {
                    "requests": stats.requests,
                    "sent": stats.sent,
                    "rate_limited": stats.rate_limited,
                    "errors": dict(stats.errors),
                    "internal_errors": [repr(error) for error in emu.internal_errors],
                }
            if command == "message_counts":
                return [len(emu.user(user_id=user_id).messages) for user_id in args["user_ids"]]
            if command == "send_text":
                return await _each(args["user_ids"], lambda user_id: person(user_id).send(args["text"]))
            if command == "press":
                return await _each(args["user_ids"], lambda user_id: person(user_id).press(args["text"]))
            if command == "click":
                return await _each(args["user_ids"], lambda user_id: person(user_id).click(args["text"], data=args["data"]))
            if command == "share_contact":
                return await _each(args["user_ids"], lambda user_id: person(user_id).send_contact())
            if command == "wait_for_messages":
                return await _each(
                    args["user_ids"], lambda user_id: person(user_id).wait_for_message(args["contains"], timeout=args["timeout"])
                )
            if command == "wait_until_confirmed":
                await emu.wait_until_confirmed(timeout=args["timeout"])
                return None
            if command == "chat_log":
                return emu.chat_log(args["user_id"])
            if command == "last_message":
                user = person(args["user_id"])
                return _message_summary(user.last_message, user)
            if command == "texts":
                return person(args["user_id"]).texts()
            if command == "route_webhook":
                emu.route_webhook(args["public_prefix"], args["local_base"])
                return None
            if command == "webhook_stats":
                figures = {f.name: getattr(emu.stats.webhook, f.name) for f in fields(emu.stats.webhook)}
                delivery = emu.webhook.delivery
                return {
                    **emu.webhook_info(),
                    **figures,
                    "in_flight": delivery.in_flight if delivery is not None else 0,
                    "reply_errors": [[call.method, call.params.get("error")] for call in emu.webhook_reply_errors],
                }
            if command == "webhook_deliveries":
                return [emu.webhook_deliveries(chat_id) for chat_id in args["chat_ids"]]
            if command == "confirmed_counts":
                return emu.webhook.confirmed_counts(args["chat_ids"])
            if command == "stop":
                return None
            raise ValueError(f"unknown command {command!r}")

        lines: asyncio.Queue[str] = asyncio.Queue()

        def on_readable() -> None:
            lines.put_nowait(commands.readline())  # "" when the parent went away

        loop = asyncio.get_running_loop()
        loop.add_reader(commands.fileno(), on_readable)
        try:
            while line := await lines.get():
                command, args = json.loads(line)
                try:
                    reply = json.dumps([True, await answer(command, args)], ensure_ascii=False)
                except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                    reply = json.dumps([False, repr(exc)])
                answers.write(reply + "\n")
                answers.flush()
                if command == "stop":
                    break
        finally:
            loop.remove_reader(commands.fileno())


if __name__ == "__main__":
    asyncio.run(_serve(json.loads(sys.argv[1]), sys.stdin, sys.stdout))

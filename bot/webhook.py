"""Webhook mode (Step 10): Telegram posts each update to WEBHOOK_URL; any of the workers may receive it.

What a post goes through, and why:
1. aiogram's `SimpleRequestHandler` checks `X-Telegram-Bot-Api-Secret-Token` (a post without it is refused).
2. The update is written to the inbox table (db/inbox.py) and committed, and only then is Telegram told
   "ok". Telegram answered is Telegram forgetting the update, so it must be durable first: a worker killed
   a moment later leaves it in the database, not lost. Telegram posting the same update again (its answer
   was lost) finds it there and it is not handled twice.
3. Handling continues in the background: the worker takes the chat's turn, a lock on Redis (ChatTurns), and
   handles the chat's waiting updates oldest first, marking each handled. Whichever worker holds a chat's
   turn handles all of its waiting updates, so two quick taps that reached two workers still run one after
   the other, in the order Telegram numbered them. A turn is renewed while held and lapses 20 s after its
   worker died; every worker looks for chats left waiting every few seconds (the dead worker's) and takes
   them over. A worker killed between handling an update and marking it handled handles it again after
   the takeover: at most one repeated update per chat it was handling.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from bot.logging_setup import log_event
from bot.ops import add_ops_routes
from db import inbox

if TYPE_CHECKING:
    from bot.context import AppContext

TURN_TTL = 20.0  # seconds a chat's turn outlives its worker (renewed every 5 s while it lives)
RENEW_EVERY = 5.0
TURN_WAIT = 30.0  # a post's background task waits this long for the chat's turn; then the sweep has it
SWEEP_EVERY = 2.0
SWEEP_CHATS = 200
# Chats one worker handles at once. A burst (300 mothers at once) waits here, in memory, instead of in the
# database's connection pool, so posts are still kept and answered at once while handling catches up.
CHATS_AT_ONCE = 8


def chat_of(payload: dict[str, Any]) -> int:
    """Whose turn an update belongs to: its chat, else its sender (0 for an update with neither)."""
    for key, event in payload.items():
        if key == "update_id" or not isinstance(event, dict):
            continue
        for holder in (event, event.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict) and isinstance(holder["chat"].get("id"), int):
                return int(holder["chat"]["id"])
        sender = event.get("from") or event.get("user")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


class Held:
    """A chat's turn while this worker holds it; false once its renewal failed."""

    lost = False

    def __bool__(self) -> bool:
        return not self.lost


class ChatTurns:
    """One chat at a time across all workers: a lock per chat on Redis, renewed while its worker lives."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int, *, wait: float) -> AsyncIterator[Held | None]:
        """Yields the chat's turn (truthy while still held), or None when another worker kept it for `wait` s."""
        lock = self.redis.lock(
            f"{self.prefix}turn:{chat_id}", timeout=TURN_TTL, sleep=0.05, blocking=wait > 0, blocking_timeout=wait or None
        )
        if not await lock.acquire():
            yield None
            return
        held = Held()
        renewing = asyncio.create_task(self._renew(lock, held))
        try:
            yield held
        finally:
            renewing.cancel()
            try:
                await lock.release()
            except (LockError, RedisError):
                pass  # it lapsed (or Redis went away): another worker may hold it now; nothing of ours to free

    @staticmethod
    async def _renew(lock: Any, held: Held) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY)
            try:
                await lock.reacquire()
            except (LockError, RedisError):
                held.lost = True  # another worker may take her chat now: stop after the update in hand
                log_event("chat_turn_lost")
                return


class JournalingRequestHandler(SimpleRequestHandler):
    """aiogram's handler (secret check, JSON), with the answer given only once the update is kept."""

    def __init__(self, server: WebhookServer, dispatcher: Dispatcher, bot: Bot, secret: str) -> None:
        super().__init__(dispatcher, bot, handle_in_background=True, secret_token=secret)
        self.server = server

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        raw = await request.text()
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            log_event("webhook_refused", reason="not_an_update")
            return web.json_response({"ok": False}, status=400)
        await self.server.receive(payload["update_id"], chat_of(payload), raw)
        return web.json_response({})

    async def close(self) -> None:
        """The application closes the bot's session itself, after the last update is handled."""


class WebhookServer:
    """The webhook endpoint and the background work behind it, in one worker."""

    def __init__(self, app: AppContext, dispatcher: Dispatcher, bot: Bot, redis: Redis, prefix: str) -> None:
        self.app = app
        self.dispatcher = dispatcher
        self.bot = bot
        self.turns = ChatTurns(redis, prefix)
        self.redis = redis
        self.prefix = prefix
        self._tasks: set[asyncio.Task[None]] = set()
        self._queued: Counter[int] = Counter()  # drains started or waiting for a slot, per chat
        self._slots = asyncio.Semaphore(CHATS_AT_ONCE)
        self._runner: web.AppRunner | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.url = ""

    # --- receiving -------------------------------------------------------------------------------

    async def receive(self, update_id: int, chat_id: int, raw: str) -> None:
        async with self.app.database.transaction() as conn:
            new = await inbox.journal(conn, update_id, chat_id, raw, self.app.clock.now())
        if not new:
            log_event("webhook_repeat", update_id=update_id)
            return
        self._spawn(chat_id, wait=TURN_WAIT)

    def _spawn(self, chat_id: int, *, wait: float) -> None:
        self._queued[chat_id] += 1
        task = asyncio.create_task(self._drain(chat_id, wait=wait), name=f"chat:{chat_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, chat_id: int, *, wait: float) -> None:
        """Handle the chat's waiting updates, oldest first, while holding its turn."""
        try:
            async with self._slots, self.turns.turn(chat_id, wait=wait) as held:
                if not held:
                    return  # another worker has the chat; the sweep looks again if it dies
                waiting = await self._next(chat_id)
                while waiting is not None:
                    await self._handle(waiting)
                    # Noted as handled, and her next one read, in one transaction; none once the turn is lost.
                    async with self.app.database.transaction() as conn:
                        await inbox.mark_handled(conn, waiting.update_id, self.app.clock.now())
                        waiting = await inbox.next_of(conn, chat_id) if held else None
        except RedisError as exc:
            log_event("chat_turn_unavailable", error=type(exc).__name__)  # the sweep tries again
        finally:
            self._queued[chat_id] -= 1
            if not self._queued[chat_id]:
                del self._queued[chat_id]

    async def _next(self, chat_id: int) -> inbox.Waiting | None:
        async with self.app.database.transaction() as conn:
            return await inbox.next_of(conn, chat_id)

    async def _handle(self, waiting: inbox.Waiting) -> None:
        try:
            update = Update.model_validate(json.loads(waiting.payload), context={"bot": self.bot})
            if waiting.again:
                log_event("update_again", update_id=waiting.update_id, attempts=waiting.attempts)
            # `again`: its first handling may have changed her state already (see handlers/again.py).
            result = await self.dispatcher.feed_update(self.bot, update, app=self.app, again=waiting.again)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=self.bot, result=result)
        except Exception as exc:  # noqa: BLE001 - one bad update must not block her later ones (as in polling)
            log_event("update_failed", update_id=waiting.update_id, error=type(exc).__name__)

    async def _sweep_forever(self) -> None:
        """Chats whose updates wait with nobody on them (their worker died): take them over."""
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                async with self.app.database.reading() as conn:
                    chats = await inbox.waiting_chats(conn, SWEEP_CHATS)
            except Exception as exc:  # noqa: BLE001 - the database comes back; readiness reports meanwhile
                log_event("inbox_sweep_failed", error=type(exc).__name__)
                continue
            for chat_id in chats:
                if chat_id not in self._queued:  # this worker is not on it already
                    self._spawn(chat_id, wait=0)

    # --- serving ---------------------------------------------------------------------------------

    async def start(self) -> str:
        settings = self.app.settings
        assert settings.webhook_secret is not None
        web_app = web.Application()
        JournalingRequestHandler(self, self.dispatcher, self.bot, settings.webhook_secret.get_secret_value()).register(
            web_app, path=settings.webhook_path
        )
        add_ops_routes(web_app, self.app)  # /healthz, /readyz, /metrics: the proxy exposes only the webhook's path
        self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        # Several workers on one machine listen on the same port; the kernel spreads connections between them.
        await web.TCPSite(self._runner, settings.webhook_host, settings.webhook_port, reuse_port=True).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{settings.webhook_host}:{port}{settings.webhook_path}"
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="inbox-sweep")
        log_event("webhook_serving", port=port)
        return self.url

    async def stop_receiving(self) -> None:
        """Stop taking posts (Telegram sends the next ones to the other workers), then finish what was taken."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.wait_idle()

    async def wait_idle(self) -> None:
        """Until every update taken so far is handled (tests: the webhook's counterpart of a settled poll)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def ensure_webhook(self, allowed_updates: list[str]) -> bool:
        """setWebhook once per deployment: the first worker with new settings sets it, the others see it is set."""
        settings = self.app.settings
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        fingerprint = hashlib.sha256(
            json.dumps([settings.webhook_url, settings.webhook_secret.get_secret_value(), sorted(allowed_updates)]).encode()
        ).hexdigest()
        marker = f"{self.prefix}webhook:{fingerprint}"
        if await self.redis.get(marker) is not None:
            info = await self.bot.get_webhook_info()
            if info.url == settings.webhook_url:
                return False
        await self.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=allowed_updates,
            drop_pending_updates=False,
        )
        await self.redis.set(marker, "1", ex=30 * 86400)
        log_event("webhook_set")
        return True

"""Webhook delivery as Telegram does it: setWebhook's checks, a proxy-like route table, and the
delivery loop (one request at a time per queue, retries with backoff, replies executed).

Telegram's Bot API server (tdlib/telegram-bot-api, WebhookActor) keeps one queue per *kind of update
and chat or user*: messages queue by chat, callback queries by the user who pressed, my_chat_member
by chat, and so on. A queue's next update is posted only after the previous one was answered 2xx;
different queues proceed in parallel, up to max_connections requests in flight. So a message and a
button press of the same person may be handled at the same time. ``queues="chat"`` serialises
everything of one chat instead (simpler, not what Telegram does).

Delivery runs on wall-clock asyncio time, because the bot under test does; the emulator's own
``now()`` only dates last_error_date.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import aiohttp

from emulator.errors import bad_request
from emulator.spec import UploadedFile

log = logging.getLogger("emulator.webhook")

DEFAULT_MAX_CONNECTIONS = 40
MAX_CONNECTIONS = 100
ALLOWED_PORTS = frozenset({80, 88, 443, 8443})
MAX_SECRET_TOKEN = 256
MAX_RETRY_AFTER = 3600  # Telegram clamps a webhook's Retry-After to an hour
_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# A method named in a webhook answer is not executed when it is one of these or starts with "get".
_IGNORED_REPLY_METHODS = frozenset({"deletewebhook", "setwebhook", "close", "logout"})

QueueMode = Literal["telegram", "chat"]
QueueKey = tuple[str, int]
# Telegram's queue for each update kind: (queue name, where the id comes from).
_CHAT, _SENDER, _POLL = "chat", "sender", "poll"
_TELEGRAM_QUEUES: dict[str, tuple[str, str]] = {
    "message": ("message", _CHAT),
    "edited_message": ("message", _CHAT),
    "channel_post": ("message", _CHAT),
    "edited_channel_post": ("message", _CHAT),
    "business_message": ("business_message", _CHAT),
    "edited_business_message": ("business_message", _CHAT),
    "deleted_business_messages": ("business_message", _CHAT),
    "inline_query": ("inline_query", _SENDER),
    "chosen_inline_result": ("chosen_inline_result", _SENDER),
    "callback_query": ("callback_query", _SENDER),
    "shipping_query": ("payment", _SENDER),
    "pre_checkout_query": ("payment", _SENDER),
    "my_chat_member": ("my_chat_member", _CHAT),
    "chat_member": ("chat_member", _SENDER),
    "chat_join_request": ("chat_member", _SENDER),
    "chat_boost": ("chat_boost", _CHAT),
    "removed_chat_boost": ("chat_boost", _CHAT),
    "message_reaction": ("message_reaction", _CHAT),
    "message_reaction_count": ("message_reaction_count", _CHAT),
    "poll": ("poll", _POLL),
    "poll_answer": ("poll", _POLL),
}


@dataclass
class WebhookStats:
    """What webhook delivery did (``emu.stats.webhook``)."""

    attempted: int = 0  # POSTs started
    confirmed: int = 0  # answered 2xx: the update left the queue
    failed: int = 0  # answered non-2xx, could not connect, or timed out
    timeouts: int = 0  # of the failed: no answer within the timeout
    retried: int = 0  # POSTs of an update that had been attempted before
    duplicates: int = 0  # POSTs of an update that had already reached the webhook (it may have acted on it)
    abandoned: int = 0  # in flight when the webhook was deleted or changed (reached it; posted again later)
    order_violations: int = 0  # must stay 0: a queue's update posted beside or confirmed before an earlier one
    replies: int = 0  # methods executed from webhook answers
    max_in_flight: int = 0  # the most requests in flight at once (never above max_connections)
    by_error: Counter[str] = field(default_factory=Counter)  # failures by last_error_message


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret_token: str = ""
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    has_custom_certificate: bool = False


class Reply(NamedTuple):
    """A Bot API call found in a webhook's answer."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]


class _Outcome(NamedTuple):
    error: str | None  # None: answered 2xx
    reached: bool = True  # the request got to the webhook (a repost may be processed twice)
    timeout: bool = False
    retry_after: float | None = None
    reply: Reply | None = None


_CONFIRMED = _Outcome(None)


def webhook_config(p: dict[str, Any]) -> WebhookConfig:
    """setWebhook's parameters, checked as Telegram does (its error texts); url must not be empty."""
    url = p["url"]
    _check_url(url)
    secret = p.get("secret_token") or ""
    if len(secret) > MAX_SECRET_TOKEN:
        raise bad_request("secret token is too long")
    if not set(secret) <= _SECRET_CHARS:
        raise bad_request("secret token contains unallowed characters")
    # Telegram clamps max_connections into 1..100 rather than refusing it.
    max_connections = p.get("max_connections")
    max_connections = min(max(DEFAULT_MAX_CONNECTIONS if max_connections is None else max_connections, 1), MAX_CONNECTIONS)
    return WebhookConfig(url, secret, max_connections, p.get("certificate") is not None)


def _https(url: str) -> str:
    """The URL with its scheme: Telegram takes one without a scheme as HTTPS."""
    return url if "://" in url else f"https://{url}"


def _check_url(url: str) -> None:
    scheme = url.split("://", 1)[0].lower() if "://" in url else "https"
    try:
        parts = urlsplit(_https(url))
        port = parts.port
    except ValueError:
        raise bad_request("invalid webhook URL specified") from None
    host = parts.hostname
    if scheme not in ("http", "https") or not host:
        raise bad_request("invalid webhook URL specified")
    if scheme == "http":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if port is not None and port not in ALLOWED_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    address = "127.0.0.1" if host == "localhost" else host
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return  # a name: resolved by the route table when updates are delivered
    if ip.version == 6:
        raise bad_request("bad webhook: IPv6-only addresses are not allowed")
    if not ip.is_global:
        raise bad_request(f"bad webhook: IP address {address} is reserved")


def _id_of(value: Any) -> int | None:
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return int(value["id"])
    return None


def update_kind(update: dict[str, Any]) -> str | None:
    return next((key for key in update if key != "update_id"), None)


def update_chat(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to: its chat, the chat of the message under a pressed button,
    else the person who caused it (None for updates without either, e.g. a poll)."""
    kind = update_kind(update)
    payload = update.get(kind) if kind else None
    if not isinstance(payload, dict):
        return None
    chat = _id_of(payload.get("chat"))
    if chat is None and isinstance(payload.get("message"), dict):
        chat = _id_of(payload["message"].get("chat"))
    return chat if chat is not None else _id_of(payload.get("from")) or _id_of(payload.get("user"))


def queue_key(update: dict[str, Any], mode: QueueMode) -> QueueKey:
    """The delivery queue of an update. An update that belongs to no queue gets its own, as in Telegram."""
    kind = update_kind(update) or ""
    payload = update.get(kind)
    if mode == "chat":
        chat = update_chat(update)
        return ("chat", chat) if chat is not None else ("update", update["update_id"])
    queue, source = _TELEGRAM_QUEUES.get(kind, ("update", ""))
    key: int | None = None
    if isinstance(payload, dict):
        if source == _CHAT:
            key = _id_of(payload.get("chat"))
        elif source == _SENDER:
            key = _id_of(payload.get("from"))
            if kind == "chat_member" and isinstance(payload.get("new_chat_member"), dict):
                key = _id_of(payload["new_chat_member"].get("user"))
        elif source == _POLL:
            poll = payload.get("id") if kind == "poll" else payload.get("poll_id")
            key = hash(poll) if poll is not None else None
    return (queue, key) if key is not None else ("update", update["update_id"])


class WebhookRoutes:
    """The deployment's reverse proxy: a public HTTPS prefix is served by a local base URL."""

    def __init__(self, routes: dict[str, str] | None = None) -> None:
        self._routes: dict[str, str] = {}
        for public, local in (routes or {}).items():
            self.add(public, local)

    def add(self, public_prefix: str, local_base: str) -> None:
        if not public_prefix.startswith("https://"):
            raise ValueError(f"a webhook route's public prefix is an https:// URL, not {public_prefix!r}")
        if not local_base.startswith(("http://", "https://")):
            raise ValueError(f"a webhook route's local base is an http:// URL, not {local_base!r}")
        self._routes[public_prefix] = local_base

    def remove(self, public_prefix: str) -> None:
        self._routes.pop(public_prefix, None)

    def as_dict(self) -> dict[str, str]:
        return dict(self._routes)

    def resolve(self, url: str) -> str | None:
        """The local URL a webhook URL reaches (longest matching prefix), or None if nothing serves it."""
        url = _https(url)
        best: str | None = None
        for prefix in self._routes:
            matches = url == prefix or (
                url.startswith(prefix) and (prefix.endswith("/") or url[len(prefix)] in "/?#")
            )
            if matches and (best is None or len(prefix) > len(best)):
                best = prefix
        if best is None:
            return None
        rest = url[len(best) :]
        base = self._routes[best].rstrip("/")
        return base + ("/" + rest if best.endswith("/") else rest)


async def read_reply(response: aiohttp.ClientResponse) -> Reply | None:
    """The method a webhook answered with (JSON, urlencoded or multipart, as aiogram answers), if any."""
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    ctype = response.content_type
    try:
        if ctype == "application/json":
            body = json.loads(await response.read() or b"null")
            if not isinstance(body, dict):
                return None
            params = body
        elif ctype == "application/x-www-form-urlencoded":
            params = dict(parse_qsl(await response.text(), keep_blank_values=True))
        elif ctype.startswith("multipart/"):
            async for part in aiohttp.MultipartReader.from_response(response):
                if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                    continue
                if part.filename:
                    data = bytes(await part.read(decode=True))
                    upload = UploadedFile(part.name, part.filename, part.headers.get("Content-Type", "application/octet-stream"), data)
                    files[part.name] = params[part.name] = upload
                else:
                    params[part.name] = await part.text()
        else:
            return None
    except (ValueError, aiohttp.ClientPayloadError):
        return None
    method = params.pop("method", None)
    if not isinstance(method, str) or not method:
        return None
    lowered = method.lower()
    if lowered in _IGNORED_REPLY_METHODS or lowered.startswith("get"):
        return None
    return Reply(method, params, files)


def _retry_after(headers: Any) -> float | None:
    try:
        return float(min(max(int(headers.get("Retry-After", "")), 0), MAX_RETRY_AFTER))
    except ValueError:
        return None


class _Queue:
    """Updates of one queue in update_id order; ``busy`` from the moment its head waits for a connection
    until it is confirmed (posted, or waiting to be retried): a busy queue is never scheduled twice."""

    __slots__ = ("key", "updates", "busy", "delay")

    def __init__(self, key: QueueKey) -> None:
        self.key = key
        self.updates: deque[dict[str, Any]] = deque()
        self.busy = False
        self.delay = 0.0


class WebhookDelivery:
    """The delivery loop of one setWebhook: created by it, closed by the next setWebhook or deleteWebhook."""

    def __init__(self, webhook: Webhook, config: WebhookConfig) -> None:
        self._webhook = webhook
        self.config = config
        self._queues: dict[QueueKey, _Queue] = {}
        self._ready: deque[_Queue] = deque()
        self.in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.TimerHandle] = set()
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        public = urlsplit(_https(config.url))
        self._host = public.netloc.rsplit("@", 1)[-1]

    def add(self, update: dict[str, Any]) -> None:
        key = self._webhook.queue_key(update)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue(key)
        queue.updates.append(update)
        if not queue.busy:
            queue.busy = True
            self._ready.append(queue)
            self._pump()

    def _pump(self) -> None:
        while self._ready and self.in_flight < self.config.max_connections and not self._closed:
            queue = self._ready.popleft()
            self.in_flight += 1
            task = asyncio.get_running_loop().create_task(self._deliver(queue, queue.updates[0]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        self._webhook.stats.max_in_flight = max(self._webhook.stats.max_in_flight, self.in_flight)

    async def _deliver(self, queue: _Queue, update: dict[str, Any]) -> None:
        hook = self._webhook
        hook.begin(update, queue.key)
        outcome: _Outcome | None = None
        try:
            outcome = await self._post(update)
        except asyncio.CancelledError:
            hook.abandoned(update, queue.key)
            raise
        except Exception as exc:  # an emulator bug: keep it visible, retry like any failure
            log.exception("webhook delivery failed")
            hook.internal_error(exc)
            outcome = _Outcome("Internal error of the emulator", reached=False)
        finally:
            self.in_flight -= 1
            if outcome is not None:
                hook.end(update, queue.key, outcome)
        if self._closed:
            return
        if outcome.error is None:
            queue.updates.popleft()
            queue.delay = 0.0
            if queue.updates:
                self._ready.append(queue)
            else:
                del self._queues[queue.key]
        else:
            settings = hook.settings
            queue.delay = min(queue.delay * 2, settings.retry_max) if queue.delay else settings.retry_initial
            delay = outcome.retry_after if outcome.retry_after is not None else queue.delay
            self._retry_later(queue, delay)
        self._pump()
        if outcome.reply is not None:
            await hook.execute_reply(outcome.reply)

    def _retry_later(self, queue: _Queue, delay: float) -> None:
        loop = asyncio.get_running_loop()

        def retry() -> None:
            self._timers.discard(handle)
            if not self._closed:
                self._ready.append(queue)
                self._pump()

        handle = loop.call_later(delay, retry)
        self._timers.add(handle)

    async def _post(self, update: dict[str, Any]) -> _Outcome:
        target = self._webhook.routes.resolve(self.config.url)
        if target is None:
            return _Outcome("Connection refused", reached=False)  # nothing answers there
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        headers = {"Host": self._host, "Content-Type": "application/json"}
        if self.config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.config.secret_token
        body = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            async with asyncio.timeout(self._webhook.settings.timeout):
                async with self._session.post(target, data=body, headers=headers, allow_redirects=False) as response:
                    if 200 <= response.status <= 299:
                        return _Outcome(None, reply=await read_reply(response))
                    await response.read()
                    error = f"Wrong response from the webhook: {response.status} {response.reason or ''}".rstrip()
                    return _Outcome(error, retry_after=_retry_after(response.headers))
        except TimeoutError:
            return _Outcome("Read timeout expired", timeout=True)
        except aiohttp.ClientConnectorError:
            return _Outcome("Connection refused", reached=False)
        except aiohttp.ClientError:
            return _Outcome("Connection reset by peer")

    async def close(self) -> None:
        """Stop: requests in flight are cut off (their updates stay queued), no retry fires."""
        self._closed = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()


@dataclass
class WebhookSettings:
    """Wall-clock timings of delivery (shorten them in tests)."""

    timeout: float = 10.0  # no answer within this → "Read timeout expired", retried
    retry_initial: float = 0.1  # first delay after a failure; doubles at each failure of the same queue
    retry_max: float = 2.0


class Webhook:
    """The webhook side of the emulator (``emu.webhook``): its settings, routes, the active delivery
    and what every delivery did. The emulator owns the update queue; this owns nothing of it."""

    def __init__(
        self,
        *,
        routes: dict[str, str] | None,
        settings: WebhookSettings,
        queues: QueueMode,
        stats: WebhookStats,
        now: Callable[[], int],
        confirm: Callable[[dict[str, Any]], None],
        execute: Callable[[Reply], Awaitable[None]],
        internal_error: Callable[[BaseException], None],
        attempted: Callable[[], None],
    ) -> None:
        self.routes = WebhookRoutes(routes)
        self.settings = settings
        self.queues: QueueMode = queues
        self.stats = stats
        self.config: WebhookConfig | None = None
        self.delivery: WebhookDelivery | None = None
        self.last_error_date = 0
        self.last_error_message = ""
        self._now = now
        self._confirm = confirm
        self._execute = execute
        self.internal_error = internal_error
        self._attempted = attempted  # after every POST's end: lets emu.wait_for() look again
        self._attempts: Counter[int] = Counter()  # update_id -> POSTs so far (until confirmed)
        self._reached: set[int] = set()  # updates the webhook has seen at least once
        self._posting: Counter[QueueKey] = Counter()  # requests in flight per queue
        self._last_confirmed: dict[QueueKey, int] = {}
        self._confirmed_by_chat: dict[int, list[int]] = {}

    @property
    def url(self) -> str:
        return self.config.url if self.config is not None else ""

    def queue_key(self, update: dict[str, Any]) -> QueueKey:
        return queue_key(update, self.queues)

    async def start(self, config: WebhookConfig, pending: Iterable[dict[str, Any]]) -> None:
        await self.stop()
        self.config = config
        self.last_error_date, self.last_error_message = 0, ""
        self.delivery = WebhookDelivery(self, config)
        for update in pending:
            self.delivery.add(update)

    async def stop(self) -> None:
        delivery, self.delivery, self.config = self.delivery, None, None
        self.last_error_date, self.last_error_message = 0, ""
        if delivery is not None:
            await delivery.close()

    def add(self, update: dict[str, Any]) -> None:
        if self.delivery is not None:
            self.delivery.add(update)

    def forget(self) -> None:
        """Pending updates were dropped: their attempts no longer matter."""
        self._attempts.clear()
        self._reached.clear()

    # --- the ledger: every check reads these, not the delivery's own queues ---------------------

    def begin(self, update: dict[str, Any], key: QueueKey) -> None:
        update_id = update["update_id"]
        stats = self.stats
        stats.attempted += 1
        if self._attempts[update_id]:
            stats.retried += 1
        if update_id in self._reached:
            stats.duplicates += 1
        self._attempts[update_id] += 1
        if self._posting[key]:
            stats.order_violations += 1  # two of one queue in flight at once
        self._posting[key] += 1

    def end(self, update: dict[str, Any], key: QueueKey, outcome: _Outcome) -> None:
        self._posting[key] -= 1
        if not self._posting[key]:
            del self._posting[key]
        update_id = update["update_id"]
        self._attempted()
        if outcome.error is None:
            self._confirmed(update, key)
            return
        stats = self.stats
        stats.failed += 1
        stats.by_error[outcome.error] += 1
        if outcome.timeout:
            stats.timeouts += 1
        if outcome.reached:
            self._reached.add(update_id)
        self.last_error_date, self.last_error_message = self._now(), outcome.error

    def abandoned(self, update: dict[str, Any], key: QueueKey) -> None:
        self._posting[key] -= 1
        if not self._posting[key]:
            del self._posting[key]
        self.stats.abandoned += 1
        self._reached.add(update["update_id"])
        self._attempted()

    def _confirmed(self, update: dict[str, Any], key: QueueKey) -> None:
        update_id = update["update_id"]
        self.stats.confirmed += 1
        last = self._last_confirmed.get(key)
        if last is not None and update_id <= last:
            self.stats.order_violations += 1  # confirmed after a later update of its queue
        self._last_confirmed[key] = max(update_id, last or 0)
        chat = update_chat(update)
        if chat is not None:
            self._confirmed_by_chat.setdefault(chat, []).append(update_id)
        self._attempts.pop(update_id, None)
        self._reached.discard(update_id)
        self._confirm(update)

    async def execute_reply(self, reply: Reply) -> None:
        self.stats.replies += 1
        await self._execute(reply)

    def deliveries(self, chat_id: int) -> list[int]:
        """update_ids of this chat confirmed by the webhook, in the order they were confirmed."""
        return list(self._confirmed_by_chat.get(chat_id, []))

    def confirmed_counts(self, chat_ids: Iterable[int]) -> list[int]:
        return [len(self._confirmed_by_chat.get(chat_id, [])) for chat_id in chat_ids]

    def info(self, pending_update_count: int, allowed_updates: Iterable[str] | None) -> dict[str, Any]:
        """getWebhookInfo's WebhookInfo, with the fields Telegram includes."""
        config = self.config
        result: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": config.has_custom_certificate if config is not None else False,
            "pending_update_count": pending_update_count,
        }
        if self.last_error_date:
            result["last_error_date"] = self.last_error_date
            result["last_error_message"] = self.last_error_message
        if config is not None:
            result["max_connections"] = config.max_connections
        if allowed_updates is not None:
            result["allowed_updates"] = sorted(allowed_updates)
        return result

    def describe(self) -> str:
        """One line for a timeout message: where updates go and how it went."""
        if self.delivery is None:
            return "no webhook"
        line = f"webhook {self.url} -> {self.routes.resolve(self.url) or 'no route'}; {self.delivery.in_flight} in flight"
        if self.last_error_message:
            line += f"; last error: {self.last_error_message}"
        return line


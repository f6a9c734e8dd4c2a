"""BotAPIEmulator: an in-process Telegram Bot API server that is as strict as Telegram.

The real bot talks to it over HTTP (``TELEGRAM_API_URL = emu.api_url``); tests drive simulated
users (emulator/users.py) and read what they see. Everything is in memory and single-threaded on
the asyncio loop, so handlers need no locks.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import logging
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from aiohttp import web

from emulator.errors import ApiError, bad_request, forbidden, not_found, unauthorized
from emulator.faults import Faults
from emulator.files import FileStore, StoredFile, image_kind
from emulator.formatting import EntityParseError, UnsupportedParseMode, format_text, utf16_len
from emulator.groups import SimGroup
from emulator.keyboards import check_reply_markup
from emulator.limits import RateLimiter, RateLimits
from emulator.spec import BotApiSpec, UploadedFile, load_spec
from emulator.users import ChatMessage, SimUser, WaitTimeout
from emulator.webhook import QueueMode, Reply, Webhook, WebhookSettings, WebhookStats, webhook_config

log = logging.getLogger("emulator")

_TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{10,}$")
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
DELETE_WINDOW_SECONDS = 48 * 3600
# Update types delivered when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_MEDIA_METHODS = {
    "sendVideo": "video",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
_NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)

Handler = Callable[[dict[str, Any], dict[str, Any]], Awaitable[Any]]
# The request being handled (each aiohttp handler runs in its own task, so its own context).
_current_request: contextvars.ContextVar[web.Request] = contextvars.ContextVar("emulator_request")


class Call(NamedTuple):
    """One API call as received: the method's canonical name and its (validated) parameters."""

    method: str
    params: dict[str, Any]


class Described(NamedTuple):
    """A handler's result with the "description" Telegram adds beside it (e.g. "Webhook was set")."""

    result: Any
    description: str


@dataclass
class EmulatorStats:
    requests: int = 0
    sent: int = 0  # accepted message-sending calls
    rate_limited: int = 0  # message-sending calls refused with 429
    faults: int = 0
    errors: Counter[int] = field(default_factory=Counter)  # error responses by error_code
    by_method: Counter[str] = field(default_factory=Counter)
    webhook: WebhookStats = field(default_factory=WebhookStats)  # webhook delivery (emulator/webhook.py)


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False


def _is_sending_method(method: str) -> bool:
    """Methods that create messages: they are rate limited and counted in stats.sent."""
    if method == "sendChatAction":
        return False
    return method.startswith("send") or method in ("copyMessage", "copyMessages", "forwardMessage", "forwardMessages")


class BotAPIEmulator:
    """The emulated Bot API. ``async with BotAPIEmulator() as emu: emu.api_url ...``."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        rate_limits: RateLimits | None = RateLimits(),
        token: str | None = None,
        bot_first_name: str = "AnaBala",
        bot_username: str = "anabala_test_bot",
        strict_html_ampersand: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        spec: BotApiSpec | None = None,
        record_calls: bool = True,
        webhook_routes: dict[str, str] | None = None,
        webhook_settings: WebhookSettings | None = None,
        webhook_queues: QueueMode = "telegram",
    ) -> None:
        """
        clock: "now" for message dates (timezone-aware); default real UTC.
        rate_limits: flood limits for message-sending methods, None to switch them off.
        token: accept only this token (otherwise any well-formed token is accepted).
        strict_html_ampersand: reject a bare "&" in HTML text (Telegram keeps it literally).
        monotonic: the time source of the rate limiter (inject one to test limits without sleeping).
        record_calls: keep every call in ``calls`` (switch off for long benchmarks to save memory).
        webhook_routes: {public https prefix: local base URL}, the deployment's reverse proxy; a webhook
            URL under no prefix is "Connection refused" (``route_webhook`` adds routes later).
        webhook_settings: wall-clock seconds of delivery (timeout 10, retries after 0.1 doubling up
            to 2 by default); ``emu.webhook.settings`` at run time.
        webhook_queues: "telegram" (one request at a time per kind of update and chat or user, as
            Telegram's server does) or "chat" (one at a time per chat, whatever the kind).
        """
        self._clock = clock or (lambda: datetime.now(UTC))
        self._spec = spec or load_spec()
        self._monotonic = monotonic
        self._rate_limits = rate_limits
        self._limiter = RateLimiter(rate_limits, monotonic) if rate_limits else None
        self._token = token
        self.record_calls = record_calls
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.strict_html_ampersand = strict_html_ampersand
        self._bot_id = int(token.split(":", 1)[0]) if token and _TOKEN_RE.match(token) else None

        self.calls: list[Call] = []
        self._activity = asyncio.Event()
        self.unimplemented_calls: list[Call] = []
        self.internal_errors: list[BaseException] = []  # emulator bugs; tests should keep this empty
        self.stats = EmulatorStats()
        self.faults = Faults()

        self._users: dict[int, SimUser] = {}
        self._usernames: dict[str, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._files = FileStore()
        # Queued, not yet confirmed, by update_id (ascending: ids are given in queueing order).
        self._updates: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._next_update_id = 1
        self._updates_changed = asyncio.Event()
        self._allowed_updates: frozenset[str] | None = None  # None = the default set
        self.discarded_updates = 0  # not queued because allowed_updates excluded them
        self._poll_generation = 0
        self.poll_requests = 0
        self._waiting_polls: dict[int, web.Request] = {}  # id(request) -> request (not hashable)
        self.webhook = Webhook(
            routes=webhook_routes,
            settings=webhook_settings or WebhookSettings(),
            queues=webhook_queues,
            stats=self.stats.webhook,
            now=self.now,
            confirm=self._webhook_confirmed,
            execute=self._execute_reply,
            internal_error=self.internal_errors.append,
            attempted=self._notify_activity,
        )
        self.webhook_reply_errors: list[Call] = []  # methods from webhook answers that failed (Telegram is silent)
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_counter = 0
        self._commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> name/description
        self._menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._stopping = False
        self.chat_changes = 0  # grows at every change to any chat (SimUser.version per chat)
        self._chats_changed = asyncio.Event()

        self._app: web.Application | None = None
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._handlers: dict[str, Handler] = self._build_handlers()

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 = a free port) and return api_url."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # handler_cancellation: a long poll whose client went away (bot stopped or killed) ends at
        # once instead of lingering as an orphan that wait_for_polling could mistake for a bot.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        self._app, self._runner = app, runner
        self._stopping = False
        self._url = f"http://{bound_host}:{bound_port}"
        return self._url

    async def stop(self) -> None:
        self._stopping = True
        self._notify_updates()  # long polls return [] at once
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._app = None

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        if self._url is None:
            raise RuntimeError("the emulator is not started; await emu.start() first")
        return self._url

    @property
    def spec(self) -> BotApiSpec:
        return self._spec

    @property
    def rate_limits(self) -> RateLimits | None:
        return self._rate_limits

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits | None) -> None:
        self._rate_limits = limits
        self._limiter = RateLimiter(limits, self._monotonic) if limits else None

    # --- users ----------------------------------------------------------------------------

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Aigerim",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "kk",
        phone_number: str | None = None,
    ) -> SimUser:
        """The simulated user with this id (created on first use; the same object afterwards)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = SimUser(self, user_id, first_name, last_name, username, language_code, phone_number)
        self._users[user_id] = user
        if username:
            self._usernames[username.lower()] = user
        return user

    @property
    def users(self) -> list[SimUser]:
        return list(self._users.values())

    def group(self, chat_id: int = -1001000000001, title: str = "Mothers of Almaty", kind: str = "supergroup") -> SimGroup:
        """A group, supergroup or channel (created on first use). The bot is not in it until a member
        adds it (``add_bot``)."""
        existing = self._groups.get(chat_id)
        if existing is None:
            existing = self._groups[chat_id] = SimGroup(self, chat_id, title, kind)
        return existing

    @property
    def groups(self) -> list[SimGroup]:
        return list(self._groups.values())

    def inject_raw_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update exactly as given, after its update_id: e.g. one that a newer Bot API sends with
        a field the library does not know, or a malformed one, to test that polling is not wedged."""
        update = {"update_id": self._next_update_id, **payload}
        self._queue(update)
        return update

    def _queue(self, update: dict[str, Any]) -> None:
        """Take the next update_id for an update and queue it for getUpdates or the webhook."""
        self._next_update_id += 1
        self._updates[update["update_id"]] = update
        self.webhook.add(update)
        self._notify_updates()

    def chat_log(self, user_id: int) -> str:
        user = self._users.get(user_id)
        if user is None:
            return f"(no user {user_id})"
        lines = [f"--- chat with {user.first_name} ({user_id}) ---", *user._log]
        if user.reply_keyboard is not None:
            rows = " | ".join(" ".join(f"<{b['text']}>" for b in row) for row in user.reply_keyboard)
            lines.append(f"(reply keyboard shown: {rows})")
        return "\n".join(lines)

    def file(self, file_id: str) -> StoredFile | None:
        """A file the emulated Telegram holds (what the bot or a user sent), by file_id."""
        return self._files.get(file_id)

    def snapshot(self) -> dict[str, Any]:
        """Every chat, file and command menu as plain JSON-able data (emulator/snapshot.py)."""
        from emulator.snapshot import dump

        return dump(self)

    def restore(self, state: dict[str, Any]) -> None:
        """Bring back what ``snapshot()`` saved, into an emulator that has no users yet."""
        from emulator.snapshot import load

        load(self, state)

    def _chat_changed(self) -> None:
        self.chat_changes += 1
        event, self._chats_changed = self._chats_changed, asyncio.Event()
        event.set()

    async def wait_for_chat_change(self, since: int, timeout: float) -> int:
        """Wait until ``chat_changes`` moves past ``since`` (or the timeout); returns it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.chat_changes == since:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._chats_changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        return self.chat_changes

    # --- commands -------------------------------------------------------------------------

    def get_commands(
        self,
        scope_type: str = "default",
        language_code: str = "",
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[dict[str, str]] | None:
        """Exactly what setMyCommands stored for this scope and language, or None."""
        found = self._commands.get((scope_type, chat_id, user_id, language_code))
        return [dict(c) for c in found] if found is not None else None

    def resolve_commands(self, user_id: int, language_code: str = "") -> list[dict[str, str]]:
        """The menu a private-chat user sees: chat scope, then all private chats, then default."""
        order: list[tuple[str, int | None]] = [("chat", user_id), ("all_private_chats", None), ("default", None)]
        for scope, chat_id in order:
            for lang in ([language_code, ""] if language_code else [""]):
                found = self._commands.get((scope, chat_id, None, lang))
                if found:
                    return [dict(c) for c in found]
        return []

    # --- waiting --------------------------------------------------------------------------

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self._updates.values())

    async def wait_until_confirmed(self, timeout: float = 5.0) -> None:
        """Wait until every update queued so far was delivered and confirmed: via a later offset
        of getUpdates, or answered 2xx by the webhook."""
        target = self._next_update_id - 1

        def done() -> bool:
            return not self._updates or next(iter(self._updates)) > target

        await self._wait_updates(done, timeout, lambda: f"updates up to {target} were not confirmed")

    async def wait_for_polling(self, timeout: float = 5.0) -> None:
        """Wait until a bot is polling: a long poll from a live client is waiting, or a new
        getUpdates arrives. A poll orphaned by a killed/stopped bot does not count."""
        start = self.poll_requests

        def polling() -> bool:
            if self.poll_requests > start:
                return True
            for request in self._waiting_polls.values():
                transport = request.transport
                if transport is not None and not transport.is_closing():
                    return True
            return False

        await self._wait_updates(polling, timeout, lambda: "no bot is polling (getUpdates)")

    async def _wait_updates(self, done: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                pending = list(self._updates)
                raise WaitTimeout(
                    f"{what()} within {timeout}s; pending update ids: {pending}; "
                    f"getUpdates calls so far: {self.poll_requests}; {self.webhook.describe()}"
                )
            event = self._updates_changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    def _notify_updates(self) -> None:
        event, self._updates_changed = self._updates_changed, asyncio.Event()
        event.set()

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of one method (case-insensitive name)."""
        name = method.lower()
        return [c.params for c in self.calls if c.method.lower() == name]

    # --- HTTP -----------------------------------------------------------------------------

    @staticmethod
    def _respond(payload: dict[str, Any], status: int = 200) -> web.Response:
        return web.Response(
            body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
            status=status,
            content_type="application/json",
        )

    async def _not_found(self, request: web.Request) -> web.Response:
        return self._respond(not_found().payload(), 404)

    def _authorize(self, token: str) -> dict[str, Any]:
        m = _TOKEN_RE.match(token)
        if m is None or (self._token is not None and token != self._token):
            raise unauthorized()
        bot_id = int(m.group(1))
        if self._bot_id is None:
            self._bot_id = bot_id
        return self._bot_user(bot_id)

    def _bot_user(self, bot_id: int | None = None) -> dict[str, Any]:
        return {
            "id": bot_id if bot_id is not None else (self._bot_id or 123456),
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = dict(request.query) if request.query_string else {}
        files: dict[str, UploadedFile] = {}
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = json.loads(await request.read() or b"{}")
                except ValueError:
                    raise bad_request("can't parse JSON request body") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON request body must be an object")
                params.update(body)
            elif ctype == "application/x-www-form-urlencoded" or ctype.startswith("multipart/"):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        uploaded = UploadedFile(key, value.filename, value.content_type, value.file.read())
                        files[key] = uploaded
                        params[key] = uploaded
                    else:
                        params[key] = value
        return params, files

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
        """Wait, without polling, until `predicate()` holds after some request was handled
        (e.g. ``lambda: emu.stats.sent >= 1000``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(f"{what} did not happen within {timeout}s")
            try:
                await asyncio.wait_for(self._activity.wait(), remaining)
            except TimeoutError:
                pass

    def _notify_activity(self) -> None:
        event, self._activity = self._activity, asyncio.Event()
        event.set()

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            return await self._handle_request(request)
        finally:
            self._notify_activity()

    async def _handle_request(self, request: web.Request) -> web.Response:
        outcome = await self._call(
            request.match_info["method"], lambda: self._read_params(request), token=request.match_info["token"], request=request
        )
        return outcome if isinstance(outcome, web.Response) else self._respond(*outcome)

    async def _call(
        self,
        method: str,
        read_params: Callable[[], Awaitable[tuple[dict[str, Any], dict[str, UploadedFile]]]],
        *,
        token: str | None,
        request: web.Request | None,
    ) -> tuple[dict[str, Any], int] | web.Response:
        """One Bot API call, answered as (payload, HTTP status), or as a raw response by a transport
        fault. Over HTTP token and request are given; a method from a webhook's answer has neither:
        it acts as the bot the emulator knows, and faults (they are about the transport) do not fire."""
        self.stats.requests += 1
        try:
            bot = self._authorize(token) if token is not None else self._bot_user()
            canonical = self._spec.canonical(method)
            if canonical is None:
                raise not_found()
            method = canonical
            self.stats.by_method[method] += 1
            raw, files = await read_params()
            record = dict(raw)
            if self.record_calls:
                self.calls.append(Call(method, record))
            fault = self.faults.take(method, raw.get("chat_id")) if request is not None else None
            if fault is not None:
                assert request is not None
                self.stats.faults += 1
                if fault.kind == "server_error":
                    raise ApiError(500, "Internal Server Error")
                if fault.kind == "bad_gateway":
                    raise ApiError(502, "Bad Gateway")
                if fault.kind == "bad_gateway_html":
                    self.stats.errors[502] += 1
                    return web.Response(status=502, text=_NGINX_502, content_type="text/html")
                if fault.kind == "drop":
                    if request.transport is not None:
                        request.transport.abort()
                    return web.Response(status=500)
                if fault.kind == "slow":
                    await asyncio.sleep(fault.delay)
            spec = self._spec.methods[method]
            params = spec.validate(raw, files)
            record.clear()
            record.update(params)
            handler = self._handlers.get(method)
            if handler is None:
                self.unimplemented_calls.append(Call(method, params))
                if not spec.returns_true:
                    raise bad_request(f"method {method} is not implemented by the emulator")
                result: Any = True
            else:
                if request is not None:
                    _current_request.set(request)
                result = await handler(bot, params)
            if isinstance(result, Described):
                return {"ok": True, "result": result.result, "description": result.description}, 200
            return {"ok": True, "result": result}, 200
        except ApiError as exc:
            self.stats.errors[exc.code] += 1
            if exc.code == 429:
                self.stats.rate_limited += 1
            return exc.payload(), exc.code
        except Exception as exc:  # an emulator bug: answer like Telegram, but keep it visible
            log.exception("emulator failed on %s", method)
            self.internal_errors.append(exc)
            self.stats.errors[500] += 1
            return {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500

    async def _download(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request.match_info["token"])
        except ApiError as exc:
            return self._respond(exc.payload(), exc.code)
        stored = self._files.by_path(request.match_info["path"])
        if stored is None or stored.data is None:
            return self._respond(not_found().payload(), 404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # --- helpers used by handlers --------------------------------------------------------

    def now(self) -> int:
        return int(self._clock().timestamp())

    def _chat(self, chat_id: int | str) -> SimUser:
        """The private chat the bot addresses; Telegram's errors for unknown or blocked chats."""
        user: SimUser | None
        if isinstance(chat_id, str):
            user = self._usernames.get(chat_id[1:].lower()) if chat_id.startswith("@") else None
        else:
            user = self._users.get(chat_id) or self._groups.get(chat_id)
        if user is None or not user.known_to_bot:
            raise bad_request("chat not found")
        return user

    def _writable_chat(self, chat_id: int | str) -> SimUser:
        user = self._chat(chat_id)
        if isinstance(user, SimGroup) and not user.bot_is_member:
            if user.bot_status == "kicked":
                raise forbidden(f"bot was kicked from the {user.kind} chat")
            raise forbidden(f"bot is not a member of the {user.kind} chat")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        return user

    def _format(self, text: str, params: dict[str, Any], *, caption: bool) -> tuple[str, list[dict[str, Any]], str | None]:
        prefix = "caption_" if caption else ""
        parse_mode = params.get("parse_mode")
        try:
            plain, entities = format_text(
                text, parse_mode, params.get(f"{prefix}entities"), strict_ampersand=self.strict_html_ampersand
            )
        except UnsupportedParseMode:
            if (parse_mode or "").lower() in ("markdown", "markdownv2"):
                raise bad_request(f"unsupported parse_mode {parse_mode} (the emulator implements HTML only)") from None
            raise bad_request("unsupported parse_mode") from None
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        if any(e["type"] == "text_mention" and "is_bot" not in e["user"] for e in entities):
            entities = self._resolve_mentions(entities)
        length = utf16_len(plain)
        if caption:
            if length > MAX_CAPTION:
                raise bad_request("message caption is too long")
        else:
            if not plain:
                raise bad_request("message text is empty")
            if length > MAX_TEXT:
                raise bad_request("message is too long")
        html = text if (parse_mode or "").lower() == "html" else None
        return plain, entities, html

    def _resolve_mentions(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """<a href="tg://user?id=N"> becomes a full text_mention for users the bot knows, else nothing."""
        resolved = []
        for entity in entities:
            if entity["type"] == "text_mention" and "is_bot" not in entity["user"]:
                known = self._users.get(entity["user"]["id"])
                if known is None or not known.known_to_bot:
                    continue
                entity = {**entity, "user": known.info}
            resolved.append(entity)
        return resolved

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]], str | None]:
        caption = params.get("caption")
        if caption is None:
            return None, [], None
        plain, entities, html = self._format(caption, params, caption=True)
        return (plain or None), entities, html

    def _reply_target(self, user: SimUser, params: dict[str, Any]) -> ChatMessage | None:
        reply = params.get("reply_parameters")
        if reply is None:
            return None
        if reply.get("chat_id") not in (None, user.id):
            raise bad_request("replies to other chats are not supported by the emulator")
        target = user.message(reply["message_id"])
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target

    def _charge(self, chat_id: int | None) -> None:
        if self._limiter is None:
            return
        retry_after = self._limiter.acquire(chat_id)
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})

    def _deliver(
        self,
        bot: dict[str, Any],
        user: SimUser,
        params: dict[str, Any],
        *,
        kind: str,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        html: str | None = None,
        media: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        markup: dict[str, Any] | None = None,
    ) -> ChatMessage:
        """Common tail of every send: reply target, flood limit, then store the message."""
        reply_to = self._reply_target(user, params)
        self._charge(user.id)
        message = ChatMessage(
            message_id=user._allocate_id(),
            chat=user.chat,
            sender=bot,
            date=self.now(),
            kind=kind,
            from_bot=True,
            text=text,
            entities=entities or [],
            html=html,
            reply_markup=markup,
            media=media or {},
            reply_to=reply_to,
            extra=extra or {},
        )
        user._store(message)
        user._log_line(message.describe())
        self.stats.sent += 1
        return message

    def _media_value(self, kind: str, value: UploadedFile | str) -> Any:
        """Turn an upload, a known file_id or a URL into the Message field for this kind."""
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo":
                if image_kind(value.data) is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
                return self._files.new_photo(value.data)
            content_type = value.content_type if value.content_type != "application/octet-stream" else None
            if kind == "document":
                return self._files.new_document(value.data, value.filename or "document", content_type)
            return self._files.new_media(kind, value.data, value.filename, content_type)
        stored = self._files.get(value)
        if stored is not None:
            if stored.kind != kind:
                raise bad_request(f"wrong file type: can't use file of type {stored.kind} as {kind}")
            return [dict(s) for s in stored.group] if kind == "photo" else dict(stored.api_object)
        if value.startswith(("http://", "https://")):
            # No internet in tests: pretend Telegram downloaded it.
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            if kind == "photo":
                return self._files.new_photo(None)
            if kind == "document":
                return self._files.new_document(None, name)
            return self._files.new_media(kind, None, name, None)
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _editable(self, params: dict[str, Any]) -> tuple[SimUser, ChatMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID (inline messages are not supported by the emulator)")
        if params.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        user = self._writable_chat(params["chat_id"])
        message = user.message(params["message_id"])
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return user, message

    @staticmethod
    def _not_modified() -> ApiError:
        return bad_request(
            "message is not modified: specified new message content and reply markup are exactly "
            "the same as a current content and reply markup of the message"
        )

    def _commit_edit(self, user: SimUser, message: ChatMessage) -> dict[str, Any]:
        message.edits += 1
        message.edit_date = self.now()
        user._edited(message)
        user._log_line("edited " + message.describe())
        return message.to_api(snapshot=False)

    # --- updates from users ----------------------------------------------------------------

    def _enqueue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        allowed = self._allowed_updates
        if (kind in DEFAULT_EXCLUDED_UPDATES) if allowed is None else (kind not in allowed):
            # Telegram drops such updates when they happen, not when they would be delivered.
            self.discarded_updates += 1
            return payload
        self._queue({"update_id": self._next_update_id, kind: payload})
        return payload

    def _user_message(
        self,
        user: SimUser,
        kind: str,
        *,
        text: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        media: dict[str, Any] | None = None,
        reply_to: ChatMessage | int | None = None,
    ) -> ChatMessage:
        target = None
        if reply_to is not None:
            target = user.message(reply_to if isinstance(reply_to, int) else reply_to.message_id)
        user.known_to_bot = True
        message = ChatMessage(
            message_id=user._allocate_id(),
            chat=user.chat,
            sender=user.info,
            date=self.now(),
            kind=kind,
            from_bot=False,
            text=text,
            entities=entities or [],
            media=media or {},
            reply_to=target,
        )
        user._store(message)
        user._log_line(message.describe())
        return message

    def _new_callback_query(self, user: SimUser, message: ChatMessage, data: str) -> dict[str, Any]:
        self._query_counter += 1
        query_id = str(4_390_000_000_000_000_000 + self._query_counter * 7919)
        self._queries[query_id] = _CallbackQuery(query_id, user.id, message.message_id, data)
        user._log_line(f"user clicked {data!r} on #{message.message_id}")
        return {
            "id": query_id,
            "from": user.info,
            "message": message.to_api(),
            "chat_instance": str(-(7_000_000_000_000_000_000 + user.id)),
            "data": data,
        }

    def _unanswered_queries(self, user_id: int) -> list[str]:
        return [q.id for q in self._queries.values() if q.user_id == user_id and not q.answered]

    def unanswered_callback_queries(self) -> list[str]:
        """Callback queries the bot never answered (Telegram clients show a spinner for those)."""
        return [q.id for q in self._queries.values() if not q.answered]

    def _chat_member_update(self, user: SimUser, *, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"user": self._bot_user(), "status": status}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        user._log_line(f"user {'blocked' if new == 'kicked' else 'unblocked'} the bot")
        self._enqueue_update(
            "my_chat_member",
            {
                "chat": user.chat,
                "from": user.info,
                "date": self.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # --- method handlers --------------------------------------------------------------------

    def _build_handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendContact": self._send_contact,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat,
            "leaveChat": self._leave_chat,
            "getFile": self._get_file,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
        }
        for method, kind in _MEDIA_METHODS.items():
            handlers[method] = self._media_handler(kind)
        for kind, key, limit in (("Name", "name", 64), ("Description", "description", 512),
                                 ("ShortDescription", "short_description", 120)):  # fmt: skip
            handlers[f"setMy{kind}"] = self._setter(key, limit)
            handlers[f"getMy{kind}"] = self._getter(key)
        return handlers

    async def _true(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        return {
            **bot,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed_updates(self, p: dict[str, Any]) -> None:
        """getUpdates and setWebhook: a list replaces the set (empty = the default), none keeps it."""
        if "allowed_updates" in p:
            self._allowed_updates = frozenset(p["allowed_updates"]) or None

    async def _get_updates(self, bot: dict[str, Any], p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.url:
            raise ApiError(
                409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
            )
        self.poll_requests += 1
        self._set_allowed_updates(p)
        offset = p.get("offset")
        if offset is not None:
            if offset < 0:
                while len(self._updates) > -offset:
                    self._updates.popitem(last=False)
            else:
                while self._updates and next(iter(self._updates)) < offset:
                    self._updates.popitem(last=False)
        limit = min(max(p.get("limit", 100), 1), 100)
        timeout = max(p.get("timeout", 0), 0)
        # A newer getUpdates terminates an older pending one, like Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_updates()
        request = _current_request.get()
        self._waiting_polls[id(request)] = request
        try:
            return await self._long_poll(generation, limit, timeout)
        finally:
            self._waiting_polls.pop(id(request), None)
            self._notify_updates()

    async def _long_poll(self, generation: int, limit: int, timeout: int) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                if self.webhook.url:
                    raise ApiError(409, "Conflict: terminated by setWebhook request")
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            if self._updates or self._stopping:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._updates_changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        return list(itertools.islice(self._updates.values(), limit))

    async def _set_webhook(self, bot: dict[str, Any], p: dict[str, Any]) -> Described:
        if not p.get("url"):
            return await self._delete_webhook(bot, p)  # setWebhook with an empty url removes it
        config = webhook_config(p)
        drop = bool(p.get("drop_pending_updates"))
        self._set_allowed_updates(p)
        if config == self.webhook.config and not drop:
            return Described(True, "Webhook is already set")
        self._poll_generation += 1  # a waiting long poll ends with 409, as in Telegram
        self._notify_updates()
        await self.webhook.stop()
        if drop:
            self._drop_pending()
        await self.webhook.start(config, self._updates.values())
        return Described(True, "Webhook was set")

    async def _delete_webhook(self, bot: dict[str, Any], p: dict[str, Any]) -> Described:
        was_set = bool(self.webhook.url)
        await self.webhook.stop()  # requests in flight are cut off; their updates stay queued
        if p.get("drop_pending_updates"):
            self._drop_pending()
        return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    def _drop_pending(self) -> None:
        self._updates.clear()
        self.webhook.forget()
        self._notify_updates()

    async def _get_webhook_info(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        return self.webhook_info()

    def webhook_info(self) -> dict[str, Any]:
        """What getWebhookInfo answers now (url, pending_update_count, last_error_*, ...)."""
        return self.webhook.info(len(self._updates), self._allowed_updates)

    # --- webhook delivery (emulator/webhook.py) ---------------------------------------------

    def route_webhook(self, public_prefix: str, local_base: str) -> None:
        """Like the deployment's reverse proxy: webhook URLs under ``public_prefix`` (https://host[/path])
        are POSTed to ``local_base`` + the rest of the URL. Takes effect at the next delivery."""
        self.webhook.routes.add(public_prefix, local_base)

    def unroute_webhook(self, public_prefix: str) -> None:
        """Take a route away: its URLs are "Connection refused" again."""
        self.webhook.routes.remove(public_prefix)

    @property
    def webhook_routes(self) -> dict[str, str]:
        return self.webhook.routes.as_dict()

    def webhook_deliveries(self, chat_id: int) -> list[int]:
        """update_ids of this chat (or this sender, for updates without a chat) the webhook confirmed,
        in the order confirmed."""
        return self.webhook.deliveries(chat_id)

    @property
    def order_violations(self) -> int:
        """Updates of one delivery queue posted side by side or confirmed out of order; must stay 0."""
        return self.stats.webhook.order_violations

    def _webhook_confirmed(self, update: dict[str, Any]) -> None:
        self._updates.pop(update["update_id"], None)
        self._notify_updates()

    async def _execute_reply(self, reply: Reply) -> None:
        """A method the webhook answered with: executed like a call; its result goes nowhere."""

        async def given() -> tuple[dict[str, Any], dict[str, UploadedFile]]:
            return reply.params, reply.files

        outcome = await self._call(reply.method, given, token=None, request=None)
        assert not isinstance(outcome, web.Response)  # transport faults do not fire without a request
        payload = outcome[0]
        if not payload["ok"]:
            self.webhook_reply_errors.append(Call(reply.method, {**reply.params, "error": payload["description"]}))

    async def _send_message(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        text, entities, html = self._format(p["text"], p, caption=False)
        markup = check_reply_markup(p.get("reply_markup"))
        user = self._writable_chat(p["chat_id"])
        message = self._deliver(bot, user, p, kind="text", text=text, entities=entities, html=html, markup=markup)
        return message.to_api(snapshot=False)

    async def _send_with_media(self, bot: dict[str, Any], p: dict[str, Any], kind: str) -> dict[str, Any]:
        caption, entities, html = self._caption(p) if kind not in ("sticker", "video_note") else (None, [], None)
        markup = check_reply_markup(p.get("reply_markup"))
        user = self._writable_chat(p["chat_id"])
        media = {kind: self._media_value(kind, p[kind])}
        message = self._deliver(
            bot, user, p, kind=kind, text=caption, entities=entities, html=html, media=media, markup=markup
        )
        return message.to_api(snapshot=False)

    async def _send_photo(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_with_media(bot, p, "photo")

    async def _send_document(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_with_media(bot, p, "document")

    def _media_handler(self, kind: str) -> Handler:
        async def send_media(bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
            return await self._send_with_media(bot, p, kind)

        return send_media

    async def _send_contact(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        markup = check_reply_markup(p.get("reply_markup"))
        user = self._writable_chat(p["chat_id"])
        contact = {k: p[k] for k in ("phone_number", "first_name", "last_name", "vcard") if k in p}
        return self._deliver(bot, user, p, kind="contact", media={"contact": contact}, markup=markup).to_api(snapshot=False)

    async def _send_location(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        if not -90 <= p["latitude"] <= 90 or not -180 <= p["longitude"] <= 180:
            raise bad_request("wrong coordinates")
        markup = check_reply_markup(p.get("reply_markup"))
        user = self._writable_chat(p["chat_id"])
        location = {"latitude": p["latitude"], "longitude": p["longitude"]}
        return self._deliver(bot, user, p, kind="location", media={"location": location}, markup=markup).to_api(snapshot=False)

    async def _send_chat_action(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        if p["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        user = self._writable_chat(p["chat_id"])
        user.chat_actions.append(p["action"])
        return True

    def _source_message(self, p: dict[str, Any], verb: str) -> ChatMessage:
        source_chat = self._chat(p["from_chat_id"])
        source = source_chat.message(p["message_id"])
        if source is None or source.deleted:
            raise bad_request(f"message to {verb} not found")
        return source

    async def _copy_message(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        source = self._source_message(p, "copy")
        text, entities, html = source.text, source.entities, source.html
        if "caption" in p and source.kind != "text":
            text, entities, html = self._caption(p)
        markup = check_reply_markup(p.get("reply_markup"))
        user = self._writable_chat(p["chat_id"])
        message = self._deliver(
            bot, user, p, kind=source.kind, text=text, entities=list(entities), html=html,
            media=source.media, markup=markup,
        )  # fmt: skip
        return {"message_id": message.message_id}

    async def _forward_message(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        source = self._source_message(p, "forward")
        user = self._writable_chat(p["chat_id"])
        origin = {"type": "user", "sender_user": dict(source.sender), "date": source.date}
        message = self._deliver(
            bot, user, p, kind=source.kind, text=source.text, entities=list(source.entities),
            media=source.media, extra={"forward_origin": origin},
        )  # fmt: skip
        return message.to_api(snapshot=False)

    async def _edit_message_text(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        text, entities, html = self._format(p["text"], p, caption=False)
        markup = check_reply_markup(p.get("reply_markup"))
        user, message = self._editable(p)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        # Without reply_markup the inline keyboard is removed, exactly as Telegram does.
        if text == message.text and entities == message.entities and markup == message.inline_markup:
            raise self._not_modified()
        message.text, message.entities, message.html, message.reply_markup = text, entities, html, markup
        return self._commit_edit(user, message)

    async def _edit_message_caption(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        caption, entities, html = self._caption(p)
        markup = check_reply_markup(p.get("reply_markup"))
        user, message = self._editable(p)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        if caption == message.text and entities == message.entities and markup == message.inline_markup:
            raise self._not_modified()
        message.text, message.entities, message.html, message.reply_markup = caption, entities, html, markup
        return self._commit_edit(user, message)

    async def _edit_message_reply_markup(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        markup = check_reply_markup(p.get("reply_markup"))
        user, message = self._editable(p)
        if markup == message.inline_markup:
            raise self._not_modified()
        message.reply_markup = markup
        return self._commit_edit(user, message)

    def _delete_one(self, user: SimUser, message_id: int) -> None:
        message = user.message(message_id)
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        if self.now() - message.date > DELETE_WINDOW_SECONDS:
            raise bad_request("message can't be deleted for everyone")
        message.deleted = True
        user._deleted(message)
        user._log_line(f"{'bot' if message.from_bot else 'user'} message #{message_id} deleted")

    async def _delete_message(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        user = self._chat(p["chat_id"])
        self._delete_one(user, p["message_id"])
        return True

    async def _delete_messages(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        ids = p["message_ids"]
        if not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        user = self._chat(p["chat_id"])
        for message_id in ids:
            try:
                self._delete_one(user, message_id)
            except ApiError:
                pass  # deleteMessages skips messages that can't be deleted
        return True

    async def _answer_callback_query(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        query = self._queries.get(p["callback_query_id"])
        if query is None or query.answered:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        user = self._users[query.user_id]
        answer = {
            "text": text,
            "show_alert": bool(p.get("show_alert", False)),
            "url": p.get("url"),
            "cache_time": p.get("cache_time", 0),
            "query_id": query.id,
            "data": query.data,
        }
        user.callback_answers.append(answer)
        user._log_line(f"bot answered callback {query.data!r}" + (f": {text!r}" if text else ""))
        user._notify()
        return True

    def _scope_key(self, p: dict[str, Any]) -> tuple[str, int | None, int | None, str]:
        scope = p.get("scope") or {"type": "default"}
        language = p.get("language_code", "")
        if language and not _LANG_RE.match(language):
            raise bad_request("LANG_CODE_INVALID")
        chat_id: int | None = None
        if "chat_id" in scope:
            chat_id = self._chat(scope["chat_id"]).id
        return scope["type"], chat_id, scope.get("user_id"), language

    async def _set_my_commands(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        commands = p["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands: at most 100 are allowed")
        seen = set()
        for command in commands:
            if not _COMMAND_RE.match(command["command"]):
                raise bad_request(f"BOT_COMMAND_INVALID: {command['command']!r}")
            if not 1 <= len(command["description"]) <= 256:
                raise bad_request(f"BOT_COMMAND_DESCRIPTION_INVALID: {command['command']!r}")
            if command["command"] in seen:
                raise bad_request(f"BOT_COMMAND_INVALID: duplicate command {command['command']!r}")
            seen.add(command["command"])
        key = self._scope_key(p)
        if commands:
            self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, bot: dict[str, Any], p: dict[str, Any]) -> list[dict[str, str]]:
        return [dict(c) for c in self._commands.get(self._scope_key(p), [])]

    async def _delete_my_commands(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        self._commands.pop(self._scope_key(p), None)
        return True

    async def _get_chat(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        user = self._chat(p["chat_id"])
        return {
            **user.chat,
            "accent_color_id": user.id % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _leave_chat(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        """The bot leaves a group or channel; a private chat cannot be left (Telegram: 400)."""
        chat = self._chat(p["chat_id"])
        if not isinstance(chat, SimGroup):
            raise bad_request("chat member status can't be changed in private chats")
        if not chat.bot_is_member:
            raise forbidden(f"bot is not a member of the {chat.kind} chat")
        old, chat.bot_status, chat.left_by_bot = chat.bot_status, "left", True
        chat._log_line("bot left the chat")
        chat._member_update(self._bot_user(), old, "left")
        chat._notify()
        return True

    async def _get_file(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(p["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        result: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.size is not None:
            result["file_size"] = stored.size
        result["file_path"] = stored.file_path
        return result

    async def _set_chat_menu_button(self, bot: dict[str, Any], p: dict[str, Any]) -> bool:
        chat_id = self._chat(p["chat_id"]).id if "chat_id" in p else None
        self._menu_buttons[chat_id] = p.get("menu_button") or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, bot: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(p["chat_id"]).id if "chat_id" in p else None
        return dict(self._menu_buttons.get(chat_id) or self._menu_buttons.get(None) or {"type": "commands"})

    def _setter(self, key: str, limit: int) -> Handler:
        async def set_text(bot: dict[str, Any], p: dict[str, Any]) -> bool:
            value = p.get(key, "")
            if len(value) > limit:
                raise bad_request(f"{key} is too long: at most {limit} characters")
            language = p.get("language_code", "")
            if value:
                self._bot_texts[(key, language)] = value
            else:
                self._bot_texts.pop((key, language), None)
            return True

        return set_text

    def _getter(self, key: str) -> Handler:
        async def get_text(bot: dict[str, Any], p: dict[str, Any]) -> dict[str, str]:
            language = p.get("language_code", "")
            value = self._bot_texts.get((key, language), self._bot_texts.get((key, ""), ""))
            if key == "name" and not value:
                value = self.bot_first_name
            return {key: value}

        return get_text

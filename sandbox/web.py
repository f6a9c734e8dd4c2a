"""The sandbox's web page and its JSON API (aiohttp). Plain files in sandbox/static, no build step.

GET  /                           the page
GET  /api/state                  the clock, the people (who is who, from the bot's database)
GET  /api/events?since=VERSION   waits (up to 25 s) until something changed; returns the version
GET  /api/people/{id}/chat       her chat: bubbles (safe HTML), buttons, reply keyboard, commands
POST /api/people                 {"name", "lang"}: a new Telegram user
POST /api/people/{id}/start      {"payload"?}: the Start button of a new chat (or a t.me link)
POST /api/people/{id}/send       {"text"}
POST /api/people/{id}/click      {"message_id", "data"}: an inline button
POST /api/people/{id}/press      {"text"}: a reply-keyboard button (share contact included)
POST /api/people/{id}/photo      {"caption"?} ; /document {"caption"?}: a sample attachment
POST /api/people/{id}/block      {"blocked": bool}
POST /api/time                   {"by": "hour" | "day" | "week"}
POST /api/reset
GET  /api/files/{file_id}        a photo or document the bot or a person sent

Changes answer after the bot has handled them, with her chat as it is then. They need a JSON body
and, when the browser says where it comes from, the same origin: another site open in the same
browser cannot drive the sandbox.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from yarl import URL

from bot.logging_setup import log_event
from emulator.files import image_kind
from sandbox.config import LOOPBACK_HOSTS
from sandbox.world import SandboxError, World

STATIC = Path(__file__).with_name("static")
WORLD: web.AppKey[World] = web.AppKey("world", World)
KEY: web.AppKey[str | None] = web.AppKey("key")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json(payload: Any, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


KEY_COOKIE = "anabala_sandbox_key"


def _host_allowed(request: web.Request, configured: str) -> bool:
    """The Host header names this server (its configured address, or localhost on its port), so a page
    from elsewhere cannot reach it under another name (DNS rebinding)."""
    try:
        named = URL(f"http://{request.host}")
    except ValueError:
        return False
    sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
    port = sockname[1] if isinstance(sockname, tuple) and len(sockname) > 1 else None
    allowed = {configured.strip("[]"), *LOOPBACK_HOSTS}
    return named.host in allowed and (port is None or named.port == port)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Only this server's own name; the key when it is served beyond this computer; same-origin JSON for
    every change; sandbox errors as JSON; nothing cached."""
    world = request.app[WORLD]
    if not _host_allowed(request, world.settings.host):
        return _json({"error": "this sandbox answers only to its own address"}, 421)
    key = request.app[KEY]
    if key is not None:
        if request.query.get("key") == key:  # the address printed at start-up: remember it, then a clean URL
            redirect = web.HTTPFound(request.rel_url.with_query(None))
            redirect.set_cookie(KEY_COOKIE, key, httponly=True, samesite="Strict")
            raise redirect
        if request.cookies.get(KEY_COOKIE) != key:
            return _json({"error": "this sandbox needs its key: open the address printed in its terminal"}, 401)
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is not None and origin != "null" and urlsplit(origin).netloc != request.host:
            return _json({"error": "cross-origin requests are refused"}, 403)
        if request.content_type != "application/json":
            return _json({"error": "send JSON (Content-Type: application/json)"}, 415)
    try:
        response = await handler(request)
    except SandboxError as exc:
        return _json({"error": str(exc)}, exc.status)
    except web.HTTPException:
        raise
    except Exception as exc:  # noqa: BLE001 - one line, never what she typed
        log_event("sandbox_request_failed", method=request.method, path=request.path, error=type(exc).__name__)
        return _json({"error": "the sandbox could not do that; see the terminal"}, 500)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise SandboxError("the body is not JSON") from None
    if not isinstance(body, dict):
        raise SandboxError("the body must be a JSON object")
    return body


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SandboxError(f"{what} must be a number")
    try:
        return int(value)
    except ValueError:
        raise SandboxError(f"{what} must be a number") from None


def _str(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise SandboxError(f"{key} must be text")
    return value


def _person_id(request: web.Request) -> int:
    return _int(request.match_info["person"], "person")


def _world(request: web.Request) -> World:
    return request.app[WORLD]


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def state(request: web.Request) -> web.Response:
    world = _world(request)
    if not world.ready:
        return _json({"ready": False, "version": world.version, "generation": world.generation})
    return _json(
        {
            "ready": True,
            "version": world.version,
            "generation": world.generation,
            "now": world.clock.now().isoformat(),
            "timezone": world.app.settings.timezone,
            "bot_username": world.emulator.bot_username,
            "console": world.console_url,
            "people": await world.people_view(),
        }
    )


async def events(request: web.Request) -> web.Response:
    since = request.query.get("since", "")
    return _json({"version": await _world(request).changes(since)})


def _ready(world: World) -> World:
    if not world.ready:
        raise SandboxError("the sandbox is starting", 503)
    return world


async def chat(request: web.Request) -> web.Response:
    return _json(_ready(_world(request)).chat(_person_id(request)))


async def create_person(request: web.Request) -> web.Response:
    body = await _body(request)
    world = _world(request)
    person = await world.create_person(_str(body, "name") or "", _str(body, "lang") or "")
    return _json({"person": {"id": person.id, "name": person.name, "lang": person.lang}, "chat": world.chat(person.id)})


def _action(run: Callable[[World, int, dict[str, Any]], Awaitable[Any]]) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        world = _world(request)
        person_id = _person_id(request)
        world.person(person_id)  # 404 before anything else
        body = await _body(request)
        answer = await run(world, person_id, body)
        return _json({"answer": answer, "chat": world.chat(person_id)})

    return handler


async def _start(world: World, person_id: int, body: dict[str, Any]) -> None:
    await world.start(person_id, _str(body, "payload", required=False) or None)


async def _send(world: World, person_id: int, body: dict[str, Any]) -> None:
    await world.send_text(person_id, _str(body, "text") or "")


async def _click(world: World, person_id: int, body: dict[str, Any]) -> Any:
    return await world.click(person_id, _int(body.get("message_id"), "message_id"), _str(body, "data") or "")


async def _press(world: World, person_id: int, body: dict[str, Any]) -> None:
    await world.press(person_id, _str(body, "text") or "")


async def _photo(world: World, person_id: int, body: dict[str, Any]) -> None:
    await world.send_photo(person_id, _str(body, "caption", required=False))


async def _document(world: World, person_id: int, body: dict[str, Any]) -> None:
    await world.send_document(person_id, _str(body, "caption", required=False))


async def _block(world: World, person_id: int, body: dict[str, Any]) -> None:
    await world.set_blocked(person_id, bool(body.get("blocked")))


async def travel(request: web.Request) -> web.Response:
    body = await _body(request)
    world = _world(request)
    await world.travel(_str(body, "by") or "")
    return _json({"now": world.clock.now().isoformat(), "version": world.version})


async def reset(request: web.Request) -> web.Response:
    await _body(request)
    world = _world(request)
    await world.reset()
    return _json({"now": world.clock.now().isoformat(), "version": world.version})


async def file(request: web.Request) -> web.StreamResponse:
    found = _ready(_world(request)).file(request.match_info["file_id"])
    if found is None:
        raise SandboxError("no such file", 404)
    data, api_object, kind = found
    picture = image_kind(data)
    if kind == "photo" and picture is not None:
        content_type = "image/jpeg" if picture == "jpg" else f"image/{picture}"
        return web.Response(body=data, content_type=content_type)
    # Anything else is offered as a download, never shown as a page.
    name = _SAFE_NAME.sub("_", str(api_object.get("file_name") or "file"))[:100] or "file"
    return web.Response(
        body=data,
        content_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def build_web_app(world: World, key: str | None = None) -> web.Application:
    """``key``: required (once as ?key=, then a cookie) when the page is served beyond this computer."""
    app = web.Application(middlewares=[guard], client_max_size=64 * 1024)
    app[WORLD] = world
    app[KEY] = key
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, show_index=False)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/people", create_person)
    app.router.add_get("/api/people/{person}/chat", chat)
    for name, run in (("start", _start), ("send", _send), ("click", _click), ("press", _press),
                      ("photo", _photo), ("document", _document), ("block", _block)):  # fmt: skip
        app.router.add_post(f"/api/people/{{person}}/{name}", _action(run))
    app.router.add_post("/api/time", travel)
    app.router.add_post("/api/reset", reset)
    app.router.add_get("/api/files/{file_id}", file)
    return app

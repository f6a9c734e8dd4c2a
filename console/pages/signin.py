"""Signing in and out: the link from /console (a page with one button, so a link preview that opens the
address does not use the code up), Telegram's Login Widget where it is offered, and logout."""

from __future__ import annotations

from aiohttp import web

from bot.domain.console_auth import SESSION_LIFETIME
from bot.logging_setup import log_event
from bot.services import console as console_service
from console.keys import BOT_USERNAME, CONTEXT
from console.render import page
from console.security import LIMITER, SESSION_COOKIE, same_origin, set_session_cookie
from console.viewer import viewer

routes = web.RouteTableDef()


def _home(screens_first: str) -> str:
    return f"/{screens_first}"


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    context = request.app[CONTEXT]
    refused = request.query.get("refused") == "1"
    return page(request, "login.html", {"refused": refused, "widget": context.settings.console_telegram_login,
                                        "bot_username": request.app[BOT_USERNAME]}, status=401 if refused else 200)


@routes.get("/login/{code}")
async def link_page(request: web.Request) -> web.Response:
    """The link itself: a button that signs in (POST). Opening it changes nothing."""
    return page(request, "login_link.html", {"code": request.match_info["code"]})


def client_address(request: web.Request) -> str:
    """The browser's address: the connection's, or behind our reverse proxy (CONSOLE_BEHIND_PROXY) the last
    address the proxy added to X-Forwarded-For (earlier ones are whatever the browser claimed)."""
    if request.app[CONTEXT].settings.console_behind_proxy:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.remote or "?"


def _limited(request: web.Request) -> bool:
    address = client_address(request)
    if request.app[LIMITER].allow(address):
        return False
    log_event("console_sign_in_limited")
    return True


def _signed_in(request: web.Request, session: console_service.Session) -> web.HTTPFound:
    response = web.HTTPFound("/")
    set_session_cookie(response, request, session.code, int(SESSION_LIFETIME.total_seconds()))
    return response


@routes.post("/login/{code}")
async def sign_in(request: web.Request) -> web.StreamResponse:
    if _limited(request):
        return page(request, "login.html", {"refused": True, "limited": True, "widget": False, "bot_username": ""}, status=429)
    if not same_origin(request):
        raise web.HTTPForbidden(text="cross-origin sign-in refused")
    session = await console_service.sign_in_with_link(request.app[CONTEXT], request.match_info["code"])
    if session is None:
        raise web.HTTPFound("/login?refused=1")
    raise _signed_in(request, session)


@routes.get("/auth/telegram")
async def telegram_widget(request: web.Request) -> web.StreamResponse:
    """Telegram's Login Widget sends the signed fields here (its data-auth-url)."""
    context = request.app[CONTEXT]
    if not context.settings.console_telegram_login:
        raise web.HTTPNotFound()
    if _limited(request):
        raise web.HTTPFound("/login?refused=1")
    session = await console_service.sign_in_with_widget(context, dict(request.query))
    if session is None:
        raise web.HTTPFound("/login?refused=1")
    raise _signed_in(request, session)


@routes.post("/logout")
async def logout(request: web.Request) -> web.StreamResponse:
    who = viewer(request)
    await console_service.sign_out(request.app[CONTEXT], who.session_code, who.actor)
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(_home(viewer(request).screens[0]))

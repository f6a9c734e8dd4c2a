"""Every request of the console passes here: security headers on every answer, the session read from
the database (role and scope as they are now), the language, CSRF on every form, and a rate limit on
signing in."""

from __future__ import annotations

import hmac
import time
from collections import deque
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.config import SUPPORTED_LANGUAGES
from bot.logging_setup import log_event
from bot.services import console as console_service
from console.keys import BASE_URL, CONTEXT
from console.viewer import LANG, VIEWER, Viewer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "anabala_console"
LANGUAGE_COOKIE = "anabala_console_lang"
# Paths anyone may open: the sign-in pages and the style sheet and scripts.
PUBLIC_PREFIXES = ("/login", "/auth/", "/static/")
# Sign-in attempts per address in a window: a guessed or replayed code costs a wait.
SIGN_IN_ATTEMPTS = 20
SIGN_IN_WINDOW = 300.0


def content_security_policy(telegram_widget: bool) -> str:
    """No inline script or style anywhere; the Login Widget's script and frame only where it is offered."""
    script = "'self' https://telegram.org" if telegram_widget else "'self'"
    frame = "https://oauth.telegram.org" if telegram_widget else "'none'"
    return (
        f"default-src 'none'; script-src {script}; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"frame-src {frame}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def _secure_headers(response: web.StreamResponse, telegram_widget: bool) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(telegram_widget))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # The sign-in link carries a code in its path: never send it to another site as a Referer. (Not
    # "no-referrer": with it Chromium sends "Origin: null" on this console's own forms.)
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")


class SignInLimiter:
    """At most SIGN_IN_ATTEMPTS per remote address in SIGN_IN_WINDOW seconds (in this process)."""

    def __init__(self, attempts: int = SIGN_IN_ATTEMPTS, window: float = SIGN_IN_WINDOW,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window, self._now = attempts, window, monotonic
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        now = self._now()
        seen = self._seen.setdefault(address, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.attempts:
            return False
        seen.append(now)
        if len(self._seen) > 10_000:  # forget quiet addresses
            self._seen = {a: q for a, q in self._seen.items() if q and q[-1] > now - self.window}
        return True


LIMITER: web.AppKey[SignInLimiter] = web.AppKey("sign_in_limiter", SignInLimiter)


def secure_cookies(request: web.Request) -> bool:
    return request.secure or request.app[BASE_URL][0].startswith("https://")


def set_session_cookie(response: web.StreamResponse, request: web.Request, code: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, code, max_age=max_age, path="/", httponly=True, samesite="Strict",
                        secure=secure_cookies(request))


def same_origin(request: web.Request) -> bool:
    """A form from this console: the browser's Origin (or Referer) names this host, when it sends one."""
    # Browsers say where a request comes from in Sec-Fetch-Site; older ones only in Origin/Referer.
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin is None:
        return True
    return origin != "null" and urlsplit(origin).netloc == request.host


async def check_csrf(request: web.Request, who: Viewer) -> None:
    form = await request.post()
    token = str(form.get("csrf", ""))
    if not same_origin(request) or not hmac.compare_digest(token.encode(), who.csrf.encode()):
        log_event("console_csrf_refused", user_id=who.actor.user_id, path=request.path)
        raise web.HTTPForbidden(reason=EXPIRED_FORM)


EXPIRED_FORM = "Form expired"  # the reason of a 403 for a form without its token (shown as a kind page)


def _error_page(request: web.Request, status: int, reason: str) -> web.Response:
    """403, 404 and 500 as a page in her language, with the menu: never what was asked for, never a trace."""
    from console.render import page

    kind = "expired" if reason == EXPIRED_FORM else {403: "forbidden", 404: "missing"}.get(status, "broken")
    return page(request, "error.html", {"kind": kind}, status=status)


def browser_language(request: web.Request, default: str) -> str:
    """The first of the browser's languages (Accept-Language) that we speak, else `default`."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED_LANGUAGES:
            return code
    return default


def _language(request: web.Request, own: str) -> str:
    """?lang= (then remembered), her earlier choice here, else her own language."""
    asked = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return asked if asked in SUPPORTED_LANGUAGES else own


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    app = request.app[CONTEXT]
    widget = app.settings.console_telegram_login
    lang = _language(request, browser_language(request, app.settings.default_language))
    try:
        if request.path.startswith(PUBLIC_PREFIXES):
            request[LANG] = lang
            with app.i18n.context(), app.i18n.use_locale(lang):
                response = await handler(request)
        else:
            code = request.cookies.get(SESSION_COOKIE, "")
            found = await console_service.signed_in(app, code)
            if found is None:
                raise web.HTTPFound("/login")
            session, actor = found
            lang = _language(request, session.member.language)
            who = Viewer(session.member, actor, session.csrf, lang, code)
            request[VIEWER] = who
            request[LANG] = lang
            with app.i18n.context(), app.i18n.use_locale(lang):
                try:
                    if request.method == "POST":
                        await check_csrf(request, who)
                    response = await handler(request)
                except (web.HTTPForbidden, web.HTTPNotFound, web.HTTPMethodNotAllowed) as exc:
                    response = _error_page(request, exc.status, exc.reason)
                except web.HTTPException:
                    raise
                except Exception as exc:  # noqa: BLE001 - one line with the type, never what the page held
                    log_event("console_error", user_id=actor.user_id, path=request.path, error=type(exc).__name__)
                    response = _error_page(request, 500, "")
    except web.HTTPException as exc:
        _secure_headers(exc, widget)
        raise
    if request.query.get("lang") in SUPPORTED_LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="Strict",
                            secure=secure_cookies(request))
    _secure_headers(response, widget)
    return response

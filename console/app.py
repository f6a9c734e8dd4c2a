"""The console's web application and its server (aiohttp), started beside the bot: by
Application.run_polling in production, by the sandbox beside its page."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.context import AppContext
from bot.logging_setup import log_event
from console import render
from console.keys import BASE_URL, BOT_USERNAME, CONTEXT
from console.pages import alerts, families, nurses, overview, signin, today
from console.security import LIMITER, SignInLimiter, guard

STATIC = Path(__file__).with_name("static")


def build_console_app(context: AppContext, *, bot_username: str = "") -> web.Application:
    app = web.Application(middlewares=[guard], client_max_size=64 * 1024)
    app[CONTEXT] = context
    app[BASE_URL] = [context.settings.console_url or ""]
    app[LIMITER] = SignInLimiter()
    app[BOT_USERNAME] = bot_username
    render.setup(app)
    for module in (signin, alerts, overview, nurses, families, today):
        app.router.add_routes(module.routes)
    app.router.add_static("/static/", STATIC, append_version=False)
    return app


class ConsoleServer:
    """The console on CONSOLE_HOST:CONSOLE_PORT; `base_url` is the address the bot's links use."""

    def __init__(self, context: AppContext, *, bot_username: str = "") -> None:
        self.context = context
        self.app = build_console_app(context, bot_username=bot_username)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> str:
        settings = self.context.settings
        assert settings.console_port is not None
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.console_host, settings.console_port)
        await site.start()
        port = self._runner.addresses[0][1]
        host = "127.0.0.1" if settings.console_host in ("0.0.0.0", "::", "") else settings.console_host
        shown = f"[{host}]" if ":" in host else host
        self.base_url = settings.console_url or f"http://{shown}:{port}"
        self.app[BASE_URL][0] = self.base_url
        self.context.console_url = self.base_url
        log_event("console_serving", port=port)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

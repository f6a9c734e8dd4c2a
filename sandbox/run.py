"""Start the sandbox: the page on SANDBOX_HOST:SANDBOX_PORT, the world behind it; stop on Ctrl+C."""

from __future__ import annotations

import asyncio
import secrets
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.logging_setup import log_event
from sandbox.config import SandboxSettings
from sandbox.web import build_web_app
from sandbox.world import World


def page_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


async def serve(
    settings: SandboxSettings,
    *,
    stop: asyncio.Event | None = None,
    start: datetime | None = None,
    bot_settings: dict[str, Any] | None = None,
    on_ready: Callable[[str, World], None] | None = None,
    handle_signals: bool = True,
) -> int:
    """Serve until `stop` is set (or SIGINT/SIGTERM). Returns an exit code."""
    stop = stop or asyncio.Event()
    if handle_signals:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # e.g. Windows
                pass
    world = World(settings, start=start, bot_settings=bot_settings)
    # Beyond this computer anyone on the network could act as anyone: a key, printed here only.
    key = None if settings.loopback else secrets.token_urlsafe(16)
    runner = web.AppRunner(build_web_app(world, key), access_log=None, shutdown_timeout=2.0, handler_cancellation=True)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        try:
            await site.start()
        except OSError as exc:
            print(
                f"AnaBala cannot start the sandbox: {settings.host}:{settings.port} is not free ({exc.strerror}); "
                "set SANDBOX_PORT to another port.",
                file=sys.stderr,
            )
            return 2
        port = runner.addresses[0][1]
        await world.open()
        url = page_url(settings.host, port)
        shown = f"{url}/?key={key}" if key else url
        if on_ready is not None:
            on_ready(shown, world)
        console = world.console_url
        beside = f"; the console (sign in with /console from a member of staff) is at {console}" if console else ""
        print(f"AnaBala sandbox (a local demo, no Telegram: nobody receives anything): open {shown}{beside} — Ctrl+C to stop",
              flush=True)
        log_event("sandbox_serving", port=port, key_required=int(key is not None))
        await stop.wait()
    finally:
        await runner.cleanup()
        await world.close()
    return 0

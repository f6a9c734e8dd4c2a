"""Runs the real application (the production wiring) against the Bot API emulator over HTTP.

Only TELEGRAM_API_URL and DATABASE_URL differ from production; the clock is a ManualClock.
`spawn_main` runs the real process instead (`python main.py`), for tests that kill and restart it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Application, build_application
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.services import alerts, calendar
from emulator import BotAPIEmulator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token-for-emulator"
# A Tuesday morning in Almaty (UTC+5).
START = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
HUMAN_PAUSE = timedelta(seconds=3)


@dataclass
class RunningBot:
    app: Application
    emulator: BotAPIEmulator
    clock: ManualClock
    task: asyncio.Task[None]

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until the bot has taken every update sent so far and finished handling it."""
        await self.emulator.wait_until_confirmed(timeout=timeout)
        if self.app.webhook is not None:  # confirmed = kept in the inbox; handling goes on behind it
            await asyncio.wait_for(self.app.webhook.wait_idle(), timeout)
        await asyncio.wait_for(self.app.in_flight.wait_idle(), timeout)

    async def tick(self) -> int:
        """What the background jobs do at this moment: escalate alerts nobody took, plan due
        calendars, send what is due."""
        await alerts.escalate(self.app.context)
        await calendar.sweep(self.app.context)
        sent = await self.app.delivery.drain()
        await self.settle()
        return sent

    async def live_until(self, moment: datetime, step: timedelta = timedelta(hours=1)) -> None:
        """Let time pass to `moment`, running the jobs every `step` as production would."""
        while self.clock.now() < moment:
            self.clock.set(min(self.clock.now() + step, moment))
            await self.tick()

    def human_pause(self) -> None:
        """A person needs a few seconds to read and tap; Telegram's per-chat limits assume so."""
        self.clock.advance(HUMAN_PAUSE)

    async def stop(self) -> None:
        await self.app.stop()
        await asyncio.wait_for(self.task, 15)


def make_settings(api_url: str, database_url: str, **extra: object) -> Settings:
    return load_settings(
        BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api_url, DATABASE_URL=database_url, _env_file=None, **extra
    )


# Webhook mode (Step 10): Telegram posts to this public address; the emulator routes it, as nginx would,
# to the port the bot listens on.
PUBLIC = "https://bot.example.kz"
WEBHOOK_SECRET = "e2e-webhook-secret-0123456789abcdef0123"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def redis_or_skip() -> None:
    """Tests of several workers need Redis: skipped without it here, failed without it in CI."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await redis.ping()
        # What an earlier test (or a killed one) left: chat turns, the pace, the webhook's note.
        keys = [key async for key in redis.scan_iter(match=f"anabala:{TOKEN.partition(':')[0]}:*")]
        if keys:
            await redis.delete(*keys)
    except OSError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    finally:
        await redis.aclose()


def webhook_settings(emulator: BotAPIEmulator) -> dict[str, str]:
    port = free_port()
    emulator.route_webhook(PUBLIC, f"http://127.0.0.1:{port}")
    return {"BOT_MODE": "webhook", "WEBHOOK_URL": f"{PUBLIC}/telegram", "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_PORT": str(port), "REDIS_URL": REDIS_URL}


async def start_bot(emulator: BotAPIEmulator, database_url: str, clock: ManualClock, **settings: object) -> RunningBot:
    app = build_application(make_settings(emulator.api_url, database_url, **settings), clock=clock)
    # The console is served only when a test asks for it (CONSOLE_PORT="0": any free port).
    task = asyncio.create_task(app.run(
        handle_signals=False, background_jobs=False, serve_console="CONSOLE_PORT" in settings, serve_ops="METRICS_PORT" in settings
    ))
    running = RunningBot(app=app, emulator=emulator, clock=clock, task=task)
    if settings.get("BOT_MODE") == "webhook":
        ready = asyncio.ensure_future(emulator.wait_for(lambda: bool(emulator.webhook_info()["url"]), timeout=15, what="setWebhook"))
    else:
        ready = asyncio.ensure_future(emulator.wait_for_polling(timeout=15))
    await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():  # the app died while starting: show why
        ready.cancel()
        task.result()
    await ready
    return running


@asynccontextmanager
async def running_bot(database_url: str, clock: ManualClock | None = None, **settings: object) -> AsyncIterator[RunningBot]:
    """`settings`: extra environment, e.g. ADMIN_IDS="9000001"."""
    clock = clock or ManualClock(START)
    # The emulator's flood limits run on the same clock, so a test that pauses like a person
    # (clock.advance) meets Telegram's real per-chat limits without sleeping.
    async with BotAPIEmulator(clock=clock.now, monotonic=lambda: clock.now().timestamp()) as emulator:
        # The same test in webhook mode (Step 10): asked for by a test, or for the whole suite with
        # E2E_BOT_MODE=webhook (a local check that every story holds when updates come by webhook).
        if settings.pop("webhook", os.environ.get("E2E_BOT_MODE") == "webhook"):
            await redis_or_skip()
            settings = {**webhook_settings(emulator), **settings}
        bot = await start_bot(emulator, database_url, clock, **settings)
        try:
            yield bot
        finally:
            if not bot.task.done():
                await bot.stop()
        # Reached when the test itself passed: no update may have ended in a handler's exception,
        # whatever the test looked at (a broken catch-all leaves only a log line and a spinner).
        assert bot.app.context.errors == 0, f"{bot.app.context.errors} update(s) ended in a handler error (log: event=handler_error)"


async def spawn_main(api_url: str, database_url: str, *, stderr: int = asyncio.subprocess.DEVNULL, **env: str) -> asyncio.subprocess.Process:
    """`python main.py` as production runs it, against the emulator at `api_url`; `env`: more settings."""
    environment = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url, "DATABASE_URL": database_url,
                   "CONSOLE_PORT": "0", **env}
    return await asyncio.create_subprocess_exec(
        sys.executable, "main.py", cwd=ROOT, env=environment, stdout=asyncio.subprocess.DEVNULL, stderr=stderr
    )

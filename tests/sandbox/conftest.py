"""The sandbox in-process on a free port, with a database of its own and a fixed first moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.config import SandboxSettings, load_sandbox_settings
from sandbox.run import serve
from sandbox.world import World

# A Tuesday, 12:00 in Almaty (UTC+5): inside the 09:00–21:00 delivery window.
START = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
# The bot's settings from nothing but these (no .env), and the console beside it on any free port.
BOT_SETTINGS = {"_env_file": None, "CONSOLE_PORT": 0}


@dataclass
class RunningSandbox:
    url: str
    world: World
    settings: SandboxSettings
    stop: asyncio.Event
    task: asyncio.Task[int]

    def t(self, msgid: str, lang: str = "en") -> str:
        return self.world.app.context.i18n.gettext(msgid, locale=lang)


def sandbox_settings(tmp_path: Path) -> SandboxSettings:
    return load_sandbox_settings(
        SANDBOX_PORT=0, SANDBOX_HOST="127.0.0.1", SANDBOX_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/sandbox.sqlite3", _env_file=None
    )


async def start_sandbox(settings: SandboxSettings) -> RunningSandbox:
    stop = asyncio.Event()
    ready: asyncio.Future[tuple[str, World]] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        serve(settings, stop=stop, start=START, bot_settings=BOT_SETTINGS, handle_signals=False,
              on_ready=lambda url, world: ready.set_result((url, world)))  # fmt: skip
    )
    done, _ = await asyncio.wait({task, ready}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # it died while starting: show why
        raise AssertionError("the sandbox stopped while starting")
    if ready not in done:
        raise AssertionError("the sandbox did not start within 60 s")
    url, world = ready.result()
    return RunningSandbox(url, world, settings, stop, task)


async def stop_sandbox(running: RunningSandbox) -> None:
    running.stop.set()
    assert await asyncio.wait_for(running.task, 30) == 0


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(sandbox_settings(tmp_path))
    try:
        yield running
    finally:
        await stop_sandbox(running)

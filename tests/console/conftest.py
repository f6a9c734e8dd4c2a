"""The console's tests: the real application with its console on a free port, one national admin
(ADMIN_ID), and a browser without a screen (tests/console_client.py). A module that needs another clock
overrides `clock`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from tests.console_client import ConsoleBrowser
from tests.e2e.harness import START, RunningBot, running_bot
from tests.story import ADMIN_ID


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def bot(clean_database_url: str, clock: ManualClock) -> AsyncIterator[RunningBot]:
    async with running_bot(clean_database_url, clock, ADMIN_IDS=str(ADMIN_ID), CONSOLE_PORT="0") as running:
        yield running


@pytest.fixture
async def browser(bot: RunningBot) -> AsyncIterator[ConsoleBrowser]:
    assert bot.app.console is not None
    opened = ConsoleBrowser(bot.app.console.base_url)
    yield opened
    await opened.close()

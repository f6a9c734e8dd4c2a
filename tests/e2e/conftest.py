from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.harness import RunningBot, running_bot
from tests.story import ADMIN_ID


@pytest.fixture
async def bot(clean_database_url: str) -> AsyncIterator[RunningBot]:
    async with running_bot(clean_database_url) as running:
        yield running


@pytest.fixture
async def staffed_bot(clean_database_url: str) -> AsyncIterator[RunningBot]:
    """The bot with one national admin (ADMIN_ID) configured, as production's ADMIN_IDS."""
    async with running_bot(clean_database_url, ADMIN_IDS=str(ADMIN_ID)) as running:
        yield running

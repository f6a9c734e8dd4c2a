from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.harness import RunningBot, running_bot


@pytest.fixture
async def bot(clean_database_url: str) -> AsyncIterator[RunningBot]:
    async with running_bot(clean_database_url) as running:
        yield running

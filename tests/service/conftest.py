from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone

import pytest

from bot.clock import ManualClock
from db.engine import Database
from db.migrate import upgrade_to_head


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 24, 5, 0, tzinfo=timezone.utc))


@pytest.fixture
async def database(clean_database_url: str) -> AsyncIterator[Database]:
    db = Database(clean_database_url)
    await upgrade_to_head(db)
    yield db
    await db.close()

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.config import load_settings
from bot.context import AppContext
from bot.i18n import make_i18n
from db.engine import Database
from db.fsm_storage import DatabaseStorage
from db.migrate import upgrade_to_head


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 24, 5, 0, tzinfo=UTC))


@pytest.fixture
async def database(clean_database_url: str) -> AsyncIterator[Database]:
    db = Database(clean_database_url)
    await upgrade_to_head(db)
    yield db
    await db.close()


@pytest.fixture
async def app(database: Database, clock: ManualClock) -> AsyncIterator[AppContext]:
    """What a service is called with (no bot: a use case that sends queues it in the outbox)."""
    settings = load_settings(BOT_TOKEN="123456:TEST-token-for-emulator", _env_file=None)
    yield AppContext(settings=settings, database=database, clock=clock, i18n=make_i18n("kk"), fsm_storage=DatabaseStorage(database, clock))

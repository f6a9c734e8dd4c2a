"""The real application, built as tests/e2e/harness.py builds it, with its outgoing calls kept in
memory: updates go straight to `Dispatcher.feed_update` (see tests/handlers/feed.py)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.clock import ManualClock
from db.engine import Database
from db.migrate import upgrade_to_head
from tests.e2e.harness import START, make_settings
from tests.handlers.feed import FedApp, RecordingSession

NO_SERVER = "http://127.0.0.1:9"  # never called: the session below answers every request
SQLITE = "sqlite+aiosqlite:///"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head for the whole run: each test starts from a copy (most of a
    handler test's time was the migrations)."""
    path = tmp_path_factory.mktemp("handlers") / "migrated.sqlite3"

    async def migrate() -> None:
        database = Database(SQLITE + str(path))
        await upgrade_to_head(database)
        await database.close()

    asyncio.run(migrate())
    return path


@pytest.fixture
async def fed(clean_database_url: str, migrated_sqlite: Path) -> AsyncIterator[FedApp]:
    if clean_database_url.startswith(SQLITE):  # PostgreSQL (TEST_DATABASE_URL) is migrated by prepare()
        target = clean_database_url.removeprefix(SQLITE)
        for suffix in ("", "-wal"):  # the write-ahead log, should one be left
            if Path(f"{migrated_sqlite}{suffix}").exists():
                shutil.copyfile(f"{migrated_sqlite}{suffix}", f"{target}{suffix}")
    clock = ManualClock(START)
    app = build_application(make_settings(NO_SERVER, clean_database_url), clock=clock)
    session = RecordingSession(clock.now)
    app.bot.session = session
    await app.prepare()  # the migrations (none left to run on the copy) and command menus, as before polling
    try:
        yield FedApp(app, session)
    finally:
        await app.shutdown()
    assert app.context.errors == 0, f"{app.context.errors} update(s) ended in a handler error (log: event=handler_error)"

"""Shared fixtures: a database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import Database
from db.schema import metadata


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp_path}/test.sqlite3"


async def _reset_postgres(url: str) -> None:
    """PostgreSQL is shared between tests: start each from an empty schema."""
    database = Database(url)
    async with database.transaction() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await database.close()


@pytest.fixture
async def clean_database_url(database_url: str) -> AsyncIterator[str]:
    if database_url.startswith("postgresql"):
        await _reset_postgres(database_url)
    yield database_url

"""The database as configured: SQLite in WAL mode with foreign keys on; migrations are idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import Database
from db.migrate import upgrade_to_head


async def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/nested/folder/bot.sqlite3")  # folder made on demand
    await upgrade_to_head(database)
    async with database.reading() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
    await database.close()
    assert (tmp_path / "nested" / "folder" / "bot.sqlite3").exists()


async def test_migrations_apply_twice_without_change(database: Database) -> None:
    await upgrade_to_head(database)
    async with database.reading() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_a_child_cannot_point_at_a_missing_mother(database: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        async with database.transaction() as conn:
            await conn.execute(
                text(
                    "INSERT INTO children (user_id, name, birth_date, sex, created_at) "
                    "VALUES (999, 'x', '2025-01-01', 'girl', '2026-01-01 00:00:00')"
                )
            )

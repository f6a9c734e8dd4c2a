"""Apply Alembic migrations at start-up (and from tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from db.engine import Database
from db.jobs import lock_key

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


async def upgrade_to_head(database: Database) -> None:
    def _upgrade(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with database.transaction() as conn:
        if conn.dialect.name == "postgresql":  # workers starting together: one migrates, the others then find it done
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key("migrate")})
        await conn.run_sync(_upgrade)

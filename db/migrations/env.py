"""Alembic environment: runs on the connection the app hands over, or on DATABASE_URL from the CLI."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from db.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # CLI use (`alembic upgrade head`): the URL comes from the same settings as the bot.
    from bot.config import load_settings
    from db.engine import Database

    async def _main() -> None:
        database = Database(load_settings().database_url)
        async with database.transaction() as conn:
            await conn.run_sync(_run)
        await database.close()

    asyncio.run(_main())


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported; run against a database.")
run_migrations_online()

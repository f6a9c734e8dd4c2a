"""The database handle: one async engine, short transactions, SQLite tuned for one writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from db.cache import LruCache
from db.records import Family, StaffRecord

# Rows a transaction changed whose cached copies must go once it commits (see db/cache.py).
TOUCHED_USERS = "anabala_touched_users"
TOUCHED_STAFF = "anabala_touched_staff"  # Telegram ids whose staff role changed


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")  # an erased mother's rows are overwritten, not just unlinked
    cursor.close()


class Database:
    """Services open a short transaction per use case and commit before the bot replies.

    There is deliberately no transaction spanning a whole update: a Telegram call inside a
    write transaction would hold SQLite's single write lock for the length of a network call.
    """

    def __init__(self, url: str, *, echo: bool = False, cache_size: int = 50_000) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.engine: AsyncEngine = create_async_engine(
            url,
            echo=echo,
            pool_pre_ping=not self.is_sqlite,
            # SQLite: plain SELECTs open no transaction and every write goes through transaction(),
            # which commits or rolls back; the extra rollback on each return is a wasted thread hop.
            pool_reset_on_return=None if self.is_sqlite else "rollback",
        )
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.families: LruCache[Family | None] = LruCache(cache_size)
        # Her staff role (or None): read on every update, so it is cached like families.
        self.staff: LruCache[StaffRecord | None] = LruCache(cache_size)

    async def checkpoint(self) -> None:
        """SQLite: fold the write-ahead log into the database file and empty it, so rows just deleted
        (an erasure) leave no copy in the -wal file either. Nothing to do elsewhere."""
        if self.is_sqlite:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        touched: set[int] = set()
        touched_staff: set[int] = set()
        try:
            async with self.engine.begin() as conn:
                conn.info[TOUCHED_USERS] = touched
                conn.info[TOUCHED_STAFF] = touched_staff
                try:
                    yield conn
                finally:
                    conn.info.pop(TOUCHED_USERS, None)
                    conn.info.pop(TOUCHED_STAFF, None)
        finally:
            # After commit (or rollback): the next read sees the database, not an old copy.
            for user_id in touched:
                self.families.invalidate(user_id)
            for user_id in touched_staff:
                self.staff.invalidate(user_id)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def close(self) -> None:
        await self.engine.dispose()

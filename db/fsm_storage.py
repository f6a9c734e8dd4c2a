"""aiogram FSM storage on our own database, so a half-finished flow survives a restart.

aiogram ships memory, Redis and MongoDB storages only. One row per key holds both state and data;
a row whose state and data are both empty is deleted, so the table holds only flows in progress.
Every update reads the state, so reads go through an in-process cache (see db/cache.py for why
that is safe); a write that changes nothing is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import Clock
from db.cache import MISSING, LruCache
from db.engine import Database
from db.schema import fsm_states

EMPTY = "{}"
Row = tuple[str | None, str]  # state, data as JSON


class DatabaseStorage(BaseStorage):
    def __init__(
        self, database: Database, clock: Clock, key_builder: KeyBuilder | None = None, cache_size: int = 50_000
    ) -> None:
        self.database = database
        self.clock = clock
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._insert = sqlite_insert if database.is_sqlite else pg_insert
        self._cache: LruCache[Row] = LruCache(cache_size)

    @property
    def cache_size(self) -> int:
        return self._cache.max_size

    @cache_size.setter
    def cache_size(self, size: int) -> None:
        self._cache.max_size = size
        self._cache.clear()

    async def _row(self, key: str) -> Row:
        cached = self._cache.get(key)
        if cached is not MISSING:
            return cached
        generation = self._cache.generation(key)
        async with self.database.reading() as conn:
            found = (
                await conn.execute(select(fsm_states.c.state, fsm_states.c.data).where(fsm_states.c.key == key))
            ).first()
        row: Row = (found.state, found.data) if found else (None, EMPTY)
        self._cache.put(key, row, generation)
        return row

    async def _write(self, key: str, state: str | None, data: str) -> None:
        self._cache.invalidate(key)
        async with self.database.transaction() as conn:
            if state is None and data == EMPTY:
                await conn.execute(delete(fsm_states).where(fsm_states.c.key == key))
            else:
                values = {"state": state, "data": data, "updated_at": self.clock.now()}
                stmt = self._insert(fsm_states).values(key=key, **values)
                await conn.execute(stmt.on_conflict_do_update(index_elements=[fsm_states.c.key], set_=values))
        self._cache.put(key, (state, data))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        db_key = self.key_builder.build(key)
        new_state = state.state if isinstance(state, State) else state
        current_state, data = await self._row(db_key)
        if new_state != current_state:
            await self._write(db_key, new_state, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._row(self.key_builder.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        db_key = self.key_builder.build(key)
        encoded = json.dumps(dict(data), ensure_ascii=False, sort_keys=True) if data else EMPTY
        state, current = await self._row(db_key)
        if encoded != current:
            await self._write(db_key, state, encoded)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A fresh dict each time: handlers change what they get.
        data: dict[str, Any] = json.loads((await self._row(self.key_builder.build(key)))[1])
        return data

    def forget_cached(self) -> None:
        """Drop what this process remembers of every flow (after rows were deleted beside it, e.g. an erasure)."""
        self._cache.clear()

    async def purge_older_than(self, moment: datetime) -> int:
        """Drop flows untouched since `moment`: unfinished registrations hold a name and phone."""
        async with self.database.transaction() as conn:
            result = await conn.execute(delete(fsm_states).where(fsm_states.c.updated_at < moment))
        self._cache.clear()
        return int(result.rowcount or 0)

    async def close(self) -> None:
        """The database is closed by the application, not by the storage."""

"""aiogram FSM storage on our own database, so a half-finished flow survives a restart.

aiogram ships memory, Redis and MongoDB storages only. One row per key holds both state and data;
a row whose state and data are both empty is deleted, so the table holds only flows in progress.
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
from db.engine import Database
from db.schema import fsm_states


class DatabaseStorage(BaseStorage):
    def __init__(self, database: Database, clock: Clock, key_builder: KeyBuilder | None = None) -> None:
        self.database = database
        self.clock = clock
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._insert = sqlite_insert if database.is_sqlite else pg_insert

    async def _upsert(self, key: str, **values: Any) -> None:
        values["updated_at"] = self.clock.now()
        insert_values = {"key": key, "state": None, "data": "{}", **values}
        stmt = self._insert(fsm_states).values(**insert_values)
        async with self.database.transaction() as conn:
            await conn.execute(stmt.on_conflict_do_update(index_elements=[fsm_states.c.key], set_=values))
            # A flow that ended leaves nothing behind.
            await conn.execute(
                delete(fsm_states).where(
                    fsm_states.c.key == key, fsm_states.c.state.is_(None), fsm_states.c.data == "{}"
                )
            )

    async def _load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        async with self.database.reading() as conn:
            row = (
                await conn.execute(
                    select(fsm_states.c.state, fsm_states.c.data).where(fsm_states.c.key == self.key_builder.build(key))
                )
            ).first()
        if row is None:
            return None, {}
        return row.state, json.loads(row.data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._upsert(self.key_builder.build(key), state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        encoded = json.dumps(dict(data), ensure_ascii=False, sort_keys=True) if data else "{}"
        await self._upsert(self.key_builder.build(key), data=encoded)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._load(key))[1]

    async def close(self) -> None:
        """The database is closed by the application, not by the storage."""


async def purge_stale(database: Database, older_than: datetime) -> int:
    """Drop flows untouched since `older_than`: unfinished registrations hold a name and phone."""
    async with database.transaction() as conn:
        result = await conn.execute(delete(fsm_states).where(fsm_states.c.updated_at < older_than))
    return int(result.rowcount or 0)

from __future__ import annotations

from datetime import timedelta

from aiogram.fsm.storage.base import StorageKey

from bot.clock import ManualClock
from db.engine import Database
from db.fsm_storage import DatabaseStorage
from db.migrate import upgrade_to_head

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_state_and_data_survive_a_new_storage_and_engine(database: Database, clock: ManualClock) -> None:
    storage = DatabaseStorage(database, clock)
    await storage.set_state(KEY, "Flow:name")
    await storage.set_data(KEY, {"lang": "kk", "roles": ["pregnant"], "name": "Әйгерім"})

    # A fresh engine on the same database, as after a restart.
    again = Database(str(database.engine.url.render_as_string(hide_password=False)))
    await upgrade_to_head(again)  # migrating twice is harmless
    reopened = DatabaseStorage(again, clock)
    assert await reopened.get_state(KEY) == "Flow:name"
    assert await reopened.get_data(KEY) == {"lang": "kk", "roles": ["pregnant"], "name": "Әйгерім"}
    await again.close()


async def test_keys_are_separate_and_clearing_removes_the_row(database: Database, clock: ManualClock) -> None:
    storage = DatabaseStorage(database, clock)
    other = StorageKey(bot_id=1, chat_id=43, user_id=43)
    await storage.set_state(KEY, "Flow:phone")
    await storage.set_data(other, {"lang": "ru"})
    assert await storage.get_state(other) is None
    assert await storage.get_data(KEY) == {}
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    await storage.set_data(other, {})
    async with database.reading() as conn:
        from sqlalchemy import func, select

        from db.schema import fsm_states

        assert (await conn.execute(select(func.count()).select_from(fsm_states))).scalar_one() == 0


async def test_abandoned_flows_are_purged_after_30_days(database: Database, clock: ManualClock) -> None:
    storage = DatabaseStorage(database, clock)
    await storage.set_data(KEY, {"name": "Dana", "phone": "+77011234567"})
    clock.advance(timedelta(days=10))
    fresh = StorageKey(bot_id=1, chat_id=44, user_id=44)
    await storage.set_data(fresh, {"name": "Aru"})
    clock.advance(timedelta(days=25))
    assert await storage.purge_older_than(clock.now() - timedelta(days=30)) == 1
    assert await storage.get_data(KEY) == {}
    assert await storage.get_data(fresh) == {"name": "Aru"}

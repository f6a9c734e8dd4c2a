"""What several workers share through the database (Step 10): the webhook's inbox and the periodic jobs'
runs. On PostgreSQL (TEST_DATABASE_URL) the job lock is a real advisory lock between two connections."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram import Bot
from sqlalchemy import select

from bot.clock import ManualClock
from bot.context import AppContext
from db import inbox
from db.schema import inbox as inbox_table
from db.schema import job_runs
from scheduler.one_place import run_in_one_place


async def test_an_update_is_kept_once_and_handled_in_order_then_stripped_to_its_id(app: AppContext) -> None:
    now = app.clock.now()
    async with app.database.transaction() as conn:
        assert await inbox.journal(conn, 12, 777, '{"update_id": 12, "text": "second"}', now)
        assert await inbox.journal(conn, 11, 777, '{"update_id": 11, "text": "first"}', now)
        assert await inbox.journal(conn, 13, 888, '{"update_id": 13}', now)
        assert not await inbox.journal(conn, 11, 777, '{"update_id": 11, "text": "first"}', now)  # posted again
    async with app.database.transaction() as conn:
        first = await inbox.next_of(conn, 777)
        assert first is not None and first.update_id == 11 and "first" in first.payload and not first.again
    async with app.database.transaction() as conn:  # its worker died before noting it done: taken again
        again = await inbox.next_of(conn, 777)
        assert again is not None and again.update_id == 11 and again.attempts == 2 and again.again
    async with app.database.reading() as conn:
        assert sorted(await inbox.waiting_chats(conn, 10)) == [777, 888]
        assert await inbox.waiting_count(conn) == 3
    async with app.database.transaction() as conn:
        await inbox.mark_handled(conn, 11, now)
        assert not await inbox.journal(conn, 11, 777, '{"update_id": 11}', now)  # handled: still not twice
    async with app.database.transaction() as conn:
        second = await inbox.next_of(conn, 777)
        assert second is not None and second.update_id == 12 and second.attempts == 1
        row = (await conn.execute(select(inbox_table).where(inbox_table.c.update_id == 11))).one()
    assert row.chat_id is None and row.payload is None  # nothing of her stays once handled
    async with app.database.transaction() as conn:
        assert await inbox.purge_handled(conn, now + timedelta(seconds=1)) == 1


async def _runs(app: AppContext) -> list[tuple[str, str]]:
    async with app.database.reading() as conn:
        return [(r.job, r.worker) for r in await conn.execute(select(job_runs.c.job, job_runs.c.worker).order_by(job_runs.c.id))]


async def test_a_job_runs_once_per_interval_and_records_who_ran_it(app: AppContext, clock: ManualClock) -> None:
    calls: list[int] = []

    async def escalate(app: AppContext, bot: Bot) -> int:
        calls.append(1)
        return 7

    every = timedelta(minutes=1)
    bot = Bot("123456:TEST-token-for-emulator")
    assert await run_in_one_place(escalate, every, app, bot) == 7
    clock.advance(timedelta(seconds=20))  # another worker's tick, 20 s later: this minute's run is done
    assert await run_in_one_place(escalate, every, app, bot) is None
    clock.advance(timedelta(seconds=40))
    assert await run_in_one_place(escalate, every, app, bot) == 7
    assert len(calls) == 2
    assert await _runs(app) == [("escalate", "main"), ("escalate", "main")]
    await bot.session.close()


async def test_a_job_running_in_one_worker_is_not_started_in_another(app: AppContext, clock: ManualClock) -> None:
    """Two workers tick at once: the second finds the job's lock taken (PostgreSQL) — or, on SQLite's single
    process, finds this interval's run already begun. Either way it runs once."""
    started = asyncio.Event()
    release = asyncio.Event()

    async def purge(app: AppContext, bot: Bot) -> int:
        started.set()
        await release.wait()
        return 1

    bot = Bot("123456:TEST-token-for-emulator")
    first = asyncio.create_task(run_in_one_place(purge, timedelta(hours=6), app, bot))
    await started.wait()
    clock.advance(timedelta(hours=7))  # even past its interval: it is still running over there
    if app.database.engine.dialect.name == "postgresql":
        assert await run_in_one_place(purge, timedelta(hours=6), app, bot) is None
    release.set()
    assert await first == 1
    assert await _runs(app) == [("purge", "main")]
    await bot.session.close()


async def test_a_failing_job_still_records_its_end_and_frees_its_lock(app: AppContext, clock: ManualClock) -> None:
    async def broken(app: AppContext, bot: Bot) -> int:
        raise RuntimeError("boom")

    bot = Bot("123456:TEST-token-for-emulator")
    try:
        await run_in_one_place(broken, timedelta(minutes=1), app, bot)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the job's error must reach APScheduler")
    async with app.database.reading() as conn:
        finished = (await conn.execute(select(job_runs.c.finished_at))).scalar_one()
    assert finished is not None
    clock.advance(timedelta(minutes=1))

    async def fixed(app: AppContext, bot: Bot) -> int:
        return 3

    fixed.__name__ = "broken"
    assert await run_in_one_place(fixed, timedelta(minutes=1), app, bot) == 3  # the lock was given back
    await bot.session.close()

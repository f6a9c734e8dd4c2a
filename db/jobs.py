"""Periodic jobs that must run in one place at a time across workers (Step 10).

On PostgreSQL a job holds a session-level advisory lock for as long as it runs: a worker that dies
drops its connection, and with it the lock, so another worker's next tick takes over. Each run is
recorded (who, from when to when), so "ran in two places at once" can be checked, and so a job that
ran a moment ago in another worker is not run again before its interval. SQLite is one process:
no lock is needed there, and runs are recorded all the same.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from db.schema import job_runs


def lock_key(job: str) -> int:
    """A stable signed 64-bit key per job name (advisory locks are keyed by bigint)."""
    return int.from_bytes(hashlib.sha256(f"anabala-job:{job}".encode()).digest()[:8], "big", signed=True)


async def try_lock(conn: AsyncConnection, job: str) -> bool:
    if conn.dialect.name != "postgresql":
        return True
    return bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(job)}))


async def wait_lock(conn: AsyncConnection, job: str) -> None:
    """Wait for the lock (workers starting together take turns at what each start does once)."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key(job)})


async def unlock(conn: AsyncConnection, job: str) -> None:
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(job)})


async def last_started(conn: AsyncConnection, job: str) -> datetime | None:
    value: datetime | None = await conn.scalar(select(func.max(job_runs.c.started_at)).where(job_runs.c.job == job))
    return value


async def begin_run(conn: AsyncConnection, job: str, worker: str, now: datetime) -> int:
    result = await conn.execute(insert(job_runs).values(job=job, worker=worker, started_at=now).returning(job_runs.c.id))
    return int(result.scalar_one())


async def end_run(conn: AsyncConnection, run_id: int, now: datetime) -> None:
    await conn.execute(update(job_runs).where(job_runs.c.id == run_id).values(finished_at=now))


async def purge_runs(conn: AsyncConnection, before: datetime) -> int:
    result = await conn.execute(delete(job_runs).where(job_runs.c.started_at < before))
    return result.rowcount or 0

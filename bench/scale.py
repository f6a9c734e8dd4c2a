"""1,000,000 registered families in SQLite: database size, planner sweep cost, start-up and memory.

1. Build (once; cached under bench/results/, `--rebuild` to force) a database migrated with
   db.migrate.upgrade_to_head and filled by bulk inserts through sqlite3 (a fixture, same schema and
   the same stored formats as SQLAlchemy writes): `--users` families, ~45 % pregnant (an active
   pregnancy at a random week; 30 % of them with an older child), ~50 % with 1–2 children under 5,
   ~5 % planning; languages kk/ru/en; a plan_state row each with next_plan_at spread over the next
   7 days, as the planner leaves them.
2. On a copy of it, with a ManualClock fixed at 2026-11-24 10:00 Almaty: the planner's due query
   (`db.care.plan_due`) when nothing is due, then with k due families (k = 10 … 10,000), and the
   full `bot.services.calendar.sweep` that plans them. The same k against a `--small-users`
   database (10,000 families) runs side by side, so the ratio shows what the million costs.
3. Start-up in a fresh interpreter (`python -m bench.scale --startup-only ...`, imports counted;
   `--startup-runs` of them, median reported):
   build_application + prepare() (migration check, setMyCommands against a local emulator), and
   the process's resident memory after start-up and after a sweep of 10,000 due families.

    .venv/bin/python -m bench.scale                 # --users 1000000 --small-users 10000
"""

from __future__ import annotations

# Only the standard library here: the start-up child imports what the bot imports, nothing more.
import argparse
import asyncio
import json
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 10:00 in Almaty, inside the delivery window
TODAY = date(2026, 11, 24)  # Almaty
TOKEN = "123456:BENCH-token-for-emulator"
CHUNK = 50_000
DUE_KS = (10, 100, 1_000, 10_000)
ROUNDS = {10: 5, 100: 5, 1_000: 3, 10_000: 1}  # sweeps per k (fresh families each round); median reported
QUERY_RUNS = 50

NAMES = ("Aigerim", "Aruzhan", "Dana", "Zhanar", "Madina", "Gulnara", "Aliya", "Saule", "Ainur", "Dinara",
         "Kamila", "Olga", "Natalia", "Elena", "Asel", "Moldir", "Togzhan", "Akbota", "Indira", "Laura")
KIDS = ("Aru", "Alikhan", "Ayaru", "Nurali", "Amina", "Timur", "Sofia", "Daniyar", "Medina", "Arsen")


def sqlite_ts(moment: datetime) -> str:
    """What SQLAlchemy's DateTime stores on SQLite (db.types.UTCDateTime: naive UTC, microseconds)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


# --- 1. building the database ------------------------------------------------------------------


async def _migrate(path: Path) -> None:
    from db.engine import Database
    from db.migrate import upgrade_to_head

    database = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade_to_head(database)
    await database.close()


def _places() -> list[tuple[str, str | None]]:
    """(region, polyclinic) pairs from the packaged lists; regions without a listed polyclinic give None."""
    from bot.content.places import polyclinics, regions

    pairs: list[tuple[str, str | None]] = []
    for region in regions():
        listed = polyclinics(region.code)
        pairs.extend((region.code, p.code) for p in listed) if listed else pairs.append((region.code, None))
    return pairs


def _rows(n: int, seed: int, ts: Any = sqlite_ts, day: Any = date.isoformat, flag: Any = int) -> Any:
    """Yield (users, pregnancies, children, plan_state) row chunks; deterministic for a seed. Values as
    SQLite stores them, or (`ts`, `day`, `flag` given) as asyncpg's COPY takes them."""
    rng = random.Random(seed)
    places = _places()
    ids = sorted(rng.sample(range(100_000_000, 8_000_000_000), n))  # Telegram-like ids, primary-key order
    week = 7 * 86_400
    two_years = 730 * 86_400
    users_, pregs, kids, plans = [], [], [], []
    for i, user_id in enumerate(ids):
        created = ts(NOW - timedelta(seconds=rng.randrange(3_600, two_years)))
        lang = rng.choices(("kk", "ru", "en"), (55, 40, 5))[0]
        region, polyclinic = rng.choice(places)
        if rng.random() < 0.1:
            polyclinic = None  # hers is not listed
        r = rng.random()
        planning = r >= 0.95
        users_.append((user_id, lang, rng.choice(NAMES), f"+7701{rng.randrange(10_000_000):07d}", region, polyclinic,
                       flag(polyclinic is None), flag(planning), created, flag(False), None, created, created))
        children = 0
        if r < 0.45:  # pregnant at a random week, 4..40
            gestation = rng.randrange(4 * 7, 41 * 7)
            due = TODAY + timedelta(days=280 - gestation)
            method = rng.choice(("due_date", "lmp", "week"))
            lmp = day(due - timedelta(days=280)) if method == "lmp" else None
            pregs.append((user_id, day(due), method, lmp, "active", None, created, created))
            children = 1 if rng.random() < 0.3 else 0  # an older child, 1 to 5
        elif r < 0.95:
            children = 1 if rng.random() < 0.6 else 2
        for _ in range(children):
            born = TODAY - timedelta(days=rng.randrange(365 if r < 0.45 else 0, 5 * 365))
            kids.append((user_id, rng.choice(KIDS), day(born), rng.choice(("girl", "boy")), None, created))
        plans.append((user_id, ts(NOW + timedelta(seconds=rng.uniform(3_600, week)))))
        if len(users_) >= CHUNK or i == n - 1:
            yield users_, pregs, kids, plans
            users_, pregs, kids, plans = [], [], [], []


def build_figures(n: int, counts: dict[str, int], moments: tuple[float, float, float, float], names: tuple[str, str],
                  size_bytes: int) -> dict[str, Any]:
    """A build's figures from its moments (began, migrated, rows in, done); `names`: the last two phases'."""
    began, migrated, inserted, done = moments
    return {
        "users": n,
        "rows": counts,
        "build_seconds": round(done - began, 2),
        "migrate_seconds": round(migrated - began, 2),
        names[0]: round(inserted - migrated, 2),
        names[1]: round(done - inserted, 2),
        "size_mb": round(size_bytes / 2**20, 1),
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def build(path: Path, n: int, seed: int = 20261124) -> dict[str, Any]:
    """Migrate, bulk-insert, re-create the secondary indexes once, back to WAL; returns the figures."""
    began = time.perf_counter()
    work = path.with_name(path.name + ".building")
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        leftover.unlink(missing_ok=True)
    asyncio.run(_migrate(work))
    migrated = time.perf_counter()
    conn = sqlite3.connect(work, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("PRAGMA temp_store=MEMORY")
    tables = ("users", "pregnancies", "children", "plan_state")
    indexes = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL AND tbl_name IN {tables}"
    ).fetchall()
    conn.execute("BEGIN")
    for name, _sql in indexes:  # same indexes, built once at the end (sorted) instead of row by row
        conn.execute(f"DROP INDEX {name}")
    counts = dict.fromkeys(tables, 0)
    for users_, pregs, kids, plans in _rows(n, seed):
        conn.executemany(
            "INSERT INTO users (id, language, name, phone, region, polyclinic, polyclinic_unlisted, planning,"
            " consent_at, paused, unreachable_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            users_,
        )
        conn.executemany(
            "INSERT INTO pregnancies (user_id, due_date, dating_method, lmp_date, status, ended_on, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?)",
            pregs,
        )
        conn.executemany(
            "INSERT INTO children (user_id, name, birth_date, sex, pregnancy_id, created_at) VALUES (?,?,?,?,?,?)", kids
        )
        conn.executemany("INSERT INTO plan_state (user_id, next_plan_at) VALUES (?,?)", plans)
        for table, rows in zip(tables, (users_, pregs, kids, plans), strict=True):
            counts[table] += len(rows)
    inserted = time.perf_counter()
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")  # as the bot leaves it
    conn.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    work.rename(path)
    done = time.perf_counter()
    info = build_figures(n, counts, (began, migrated, inserted, done), ("insert_seconds", "index_seconds"),
                         path.stat().st_size)
    Path(f"{path}.json").write_text(json.dumps(info, indent=2))
    return info


def cached_build(n: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    path = RESULTS / f"scale-{n}.sqlite3"
    meta = Path(f"{path}.json")
    if not rebuild and path.exists() and meta.exists():
        info = json.loads(meta.read_text())
        if info.get("users") == n:
            return path, {**info, "cached": True, "size_mb": round(path.stat().st_size / 2**20, 1)}
    return path, {**build(path, n), "cached": False}


def working_copy(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(source, target)
    return target


# --- 2. the planner's sweep ----------------------------------------------------------------------


def settings_for(db_path: Path, api_url: str) -> Any:
    from bot.config import load_settings

    return load_settings(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{db_path}",
        LOG_LEVEL="WARNING",
        _env_file=None,
    )


def all_ids(db_path: Path) -> list[int]:
    conn = sqlite3.connect(db_path)
    try:
        return [row[0] for row in conn.execute("SELECT user_id FROM plan_state ORDER BY user_id")]
    finally:
        conn.close()


def make_due_sqlite(db_path: Path, chosen: list[int]) -> None:
    """k families fall due (within the last hour), written straight into the file (before start-up)."""
    rng = random.Random(len(chosen))
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    conn.executemany(
        "UPDATE plan_state SET next_plan_at = ? WHERE user_id = ?",
        [(sqlite_ts(NOW - timedelta(seconds=rng.uniform(0, 3_600))), user_id) for user_id in chosen],
    )
    conn.execute("COMMIT")
    conn.close()


async def make_due(database: Any, chosen: list[int], rng: random.Random) -> None:
    from sqlalchemy import bindparam, update

    from db.schema import plan_state

    stmt = update(plan_state).where(plan_state.c.user_id == bindparam("uid")).values(next_plan_at=bindparam("at"))
    async with database.transaction() as conn:
        await conn.execute(stmt, [{"uid": u, "at": NOW - timedelta(seconds=rng.uniform(0, 3_600))} for u in chosen])


async def time_due_query(database: Any, runs: int = QUERY_RUNS) -> tuple[float, int]:
    """Median ms of the sweep's read (a pooled connection, then plan_due), and how many it returned."""
    from db import care

    found = 0
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        async with database.reading() as conn:
            found = len(await care.plan_due(conn, NOW, 500))
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1000, 3), found


async def query_plan(database: Any) -> str:
    from sqlalchemy import text

    async with database.reading() as conn:
        rows = await conn.execute(
            text("EXPLAIN QUERY PLAN SELECT user_id FROM plan_state WHERE next_plan_at <= :now ORDER BY next_plan_at LIMIT 500"),
            {"now": sqlite_ts(NOW)},
        )
        return "; ".join(str(row[-1]) for row in rows)


async def sweep_bench(db_path: Path, ks: tuple[int, ...], seed: int) -> dict[str, Any]:
    """Due query with nothing due, then k due: due query and the full sweep."""
    from bot.app import build_application
    from bot.clock import ManualClock
    from bot.services.calendar import sweep
    from db import outbox

    ids = all_ids(db_path)
    rng = random.Random(seed)
    app = build_application(settings_for(db_path, "http://127.0.0.1:9"), clock=ManualClock(NOW))  # never called
    database = app.context.database
    nothing_ms, found = await time_due_query(database)
    assert found == 0, "the fixture must have nothing due at NOW"
    empty_sweeps = []
    for _ in range(QUERY_RUNS):
        began = time.perf_counter()
        await sweep(app.context)
        empty_sweeps.append(time.perf_counter() - began)
    result: dict[str, Any] = {
        "registered": len(ids),
        "query_plan": await query_plan(database),
        "nothing_due": {"due_query_median_ms": nothing_ms, "sweep_median_ms": round(statistics.median(empty_sweeps) * 1000, 3)},
        "due": [],
    }
    untouched = ids[:]
    rng.shuffle(untouched)
    for k in ks:
        if k > len(ids):
            continue
        query_ms, sweep_s, written = [], [], []
        for _ in range(ROUNDS.get(k, 1)):
            if len(untouched) < k:
                break
            chosen, untouched = untouched[:k], untouched[k:]  # families not planned in this run yet
            await make_due(database, chosen, rng)
            q, found = await time_due_query(database)
            assert found == min(k, 500)
            query_ms.append(q)
            before = await _outbox_total(database, outbox)
            began = time.perf_counter()
            await sweep(app.context)
            sweep_s.append(time.perf_counter() - began)
            written.append(await _outbox_total(database, outbox) - before)
            q_after, left = await time_due_query(database, runs=1)
            assert left == 0, f"{left} families still due after the sweep"
        if not sweep_s:
            continue
        median_sweep = statistics.median(sweep_s)
        result["due"].append(
            {
                "k": k,
                "rounds": len(sweep_s),
                "due_query_median_ms": round(statistics.median(query_ms), 3),
                "sweep_seconds_median": round(median_sweep, 4),
                "sweep_ms_per_family": round(1000 * median_sweep / k, 3),
                "families_per_second": round(k / median_sweep, 1),
                "messages_written_per_round": round(statistics.median(written), 1),
            }
        )
    await app.bot.session.close()
    await database.close()
    return result


async def _outbox_total(database: Any, outbox: Any) -> int:
    async with database.reading() as conn:
        return sum((await outbox.count_by_status(conn)).values())


# --- 3. start-up in a fresh process ------------------------------------------------------------


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def peak_rss_mb() -> float | None:
    """The process's high-water RSS (VmHWM). Not ru_maxrss: on Linux that keeps the parent's
    figure across fork + exec, so a child started by a big parent reports the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


async def startup_child(db_path: Path, api_url: str, *, then_sweep: bool) -> None:
    """Runs in a fresh interpreter: what main.py does up to ready, then a sweep; JSON lines on stdout."""
    import psutil

    imported = time.perf_counter()
    from bot.app import build_application
    from bot.clock import ManualClock
    from bot.config import load_settings

    settings = load_settings(
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{db_path}",
        LOG_LEVEL="WARNING",
        _env_file=None,
    )
    app_imported = time.perf_counter()
    app = build_application(settings, clock=ManualClock(NOW))
    built = time.perf_counter()
    await app.prepare()
    ready = time.perf_counter()
    since_exec = time.time() - psutil.Process().create_time()
    print(
        "READY "
        + json.dumps(
            {
                "import_seconds": round(app_imported - imported, 3),
                "build_application_seconds": round(built - app_imported, 3),
                "prepare_seconds": round(ready - built, 3),
                "since_process_start_seconds": round(since_exec, 3),
                "rss_mb_after_startup": rss_mb(),
                "peak_rss_mb_at_ready": peak_rss_mb(),
            }
        ),
        flush=True,
    )
    if not then_sweep:
        await app.bot.session.close()
        await app.context.database.close()
        return
    from bot.services.calendar import sweep

    began = time.perf_counter()
    messages = await sweep(app.context)
    swept = time.perf_counter() - began
    print(
        "SWEPT "
        + json.dumps(
            {
                "sweep_seconds": round(swept, 3),
                "messages_written": messages,
                "rss_mb_after_sweep": rss_mb(),
                "peak_rss_mb": peak_rss_mb(),
            }
        ),
        flush=True,
    )
    await app.bot.session.close()
    await app.context.database.close()


async def startup_bench(source: Path, folder: Path, due: int, seed: int, runs: int) -> dict[str, Any]:
    """`runs` fresh processes against the same copy; the last one also sweeps `due` families."""
    from emulator import BotAPIEmulator

    db_path = working_copy(source, folder, "startup.sqlite3")
    ids = all_ids(db_path)
    make_due_sqlite(db_path, random.Random(seed + 1).sample(ids, min(due, len(ids))))
    del ids
    reports: list[dict[str, Any]] = []
    async with BotAPIEmulator(rate_limits=None, record_calls=False) as emu:
        for run in range(runs):
            last = run == runs - 1
            began = time.perf_counter()
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.scale", "--startup-only", "--db-path", str(db_path), "--api-url", emu.api_url,
                *(["--then-sweep"] if last else []),
                cwd=Path(__file__).resolve().parent.parent,
                stdout=subprocess.PIPE,
            )
            assert child.stdout is not None
            report: dict[str, Any] = {}
            async for raw in child.stdout:
                line = raw.decode().strip()
                if line.startswith("READY "):
                    report["spawn_to_ready_seconds"] = round(time.perf_counter() - began, 3)
                    report.update(json.loads(line[6:]))
                elif line.startswith("SWEPT "):
                    report.update(json.loads(line[6:]))
            code = await child.wait()
            assert code == 0, f"start-up child failed ({code})"
            reports.append(report)
        calls = emu.stats.by_method.get("setMyCommands", 0)
    ready = [r["spawn_to_ready_seconds"] for r in reports]
    imports = [r["import_seconds"] for r in reports]
    return {
        "runs": runs,
        "spawn_to_ready_seconds_median": round(statistics.median(ready), 3),
        "spawn_to_ready_seconds_min": min(ready),
        "spawn_to_ready_seconds_max": max(ready),
        "import_seconds_median": round(statistics.median(imports), 3),
        "set_my_commands_calls_per_start": calls // runs,
        "due_families_swept": due,
        "last_run": reports[-1],
        "rss_mb_after_startup_max": max(r["rss_mb_after_startup"] for r in reports),
    }


# --- 4. PostgreSQL: the planner for the whole country ---------------------------------------------

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/anabala_bench_scale"
PG_COLUMNS = {
    "users": ("id", "language", "name", "phone", "region", "polyclinic", "polyclinic_unlisted", "planning",
              "consent_at", "paused", "unreachable_at", "created_at", "updated_at"),
    "pregnancies": ("user_id", "due_date", "dating_method", "lmp_date", "status", "ended_on", "created_at", "updated_at"),
    "children": ("user_id", "name", "birth_date", "sex", "pregnancy_id", "created_at"),
    "plan_state": ("user_id", "next_plan_at"),
}
PG_SAMPLE_K = 20_000  # due families planned by one worker in this process (a steady-state sample)


def _dsn(url: str) -> str:
    """asyncpg's own form of a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _pg(url: str) -> Any:
    import asyncpg  # type: ignore[import-untyped]

    return await asyncpg.connect(_dsn(url))


async def pg_ensure_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = await _pg(parsed.set(database="postgres").render_as_string(hide_password=False))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database):
            await admin.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await admin.close()


async def pg_built(url: str, n: int) -> dict[str, Any] | None:
    """The figures of the build in place (kept in bench_scale_info), if it has `n` families."""
    import asyncpg

    conn = await _pg(url)
    try:
        raw = await conn.fetchval("SELECT info FROM bench_scale_info")
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await conn.close()
    info: dict[str, Any] = json.loads(raw) if raw else {}
    return info if info.get("users") == n else None


async def pg_build(url: str, n: int, seed: int = 20261124) -> dict[str, Any]:
    """An empty schema migrated to head, the same families as the SQLite build through COPY (asyncpg's
    copy_records_to_table), secondary indexes re-created once at the end, then VACUUM ANALYZE."""
    from sqlalchemy import text

    from db.engine import Database
    from db.migrate import upgrade_to_head
    from db.schema import metadata

    began = time.perf_counter()
    database = Database(url)
    async with database.transaction() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS bench_scale_info"))
        await conn.run_sync(metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await upgrade_to_head(database)
    await database.close()
    migrated = time.perf_counter()
    conn = await _pg(url)
    try:
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[])"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",  # those of primary keys and constraints stay
            list(PG_COLUMNS),
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        # The rows are consistent by construction: no foreign-key trigger per row while loading.
        await conn.execute("SET session_replication_role = replica")
        counts = dict.fromkeys(PG_COLUMNS, 0)
        for chunk in _rows(n, seed, ts=lambda moment: moment, day=lambda d: d, flag=bool):
            for (table, columns), rows in zip(PG_COLUMNS.items(), chunk, strict=True):
                await conn.copy_records_to_table(table, records=rows, columns=columns)
                counts[table] += len(rows)
        await conn.execute("SET session_replication_role = DEFAULT")
        inserted = time.perf_counter()
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("VACUUM ANALYZE")
        done = time.perf_counter()
        info = build_figures(n, counts, (began, migrated, inserted, done), ("copy_seconds", "index_and_vacuum_seconds"),
                             await conn.fetchval("SELECT pg_database_size(current_database())"))
        await conn.execute("CREATE TABLE bench_scale_info (info text)")
        await conn.execute("INSERT INTO bench_scale_info VALUES ($1)", json.dumps(info))
    finally:
        await conn.close()
    return info


async def pg_make_due(url: str, user_ids: list[int] | None) -> float:
    """These families (None: all) fall due within the hour before NOW, the outbox is emptied (a fresh
    start: nothing planned yet), then VACUUM ANALYZE as autovacuum would; returns the seconds taken."""
    began = time.perf_counter()
    conn = await _pg(url)
    try:
        await conn.execute("TRUNCATE outbox")
        due = "next_plan_at = $1::timestamptz - random() * interval '1 hour'"
        if user_ids is None:
            await conn.execute(f"UPDATE plan_state SET {due}", NOW)
        else:
            await conn.execute(f"UPDATE plan_state SET {due} WHERE user_id = ANY($2::bigint[])", NOW, user_ids)
        await conn.execute("VACUUM ANALYZE plan_state")
        await conn.execute("VACUUM ANALYZE outbox")
    finally:
        await conn.close()
    return round(time.perf_counter() - began, 2)


def pg_context(url: str) -> Any:
    """What a worker's planner runs with: its own pool, the clock fixed at NOW."""
    from bot.clock import ManualClock
    from bot.config import load_settings
    from bot.context import AppContext
    from bot.i18n import make_i18n
    from db.engine import Database
    from db.fsm_storage import DatabaseStorage

    settings = load_settings(BOT_TOKEN=TOKEN, DATABASE_URL=url, LOG_LEVEL="WARNING", _env_file=None)
    database = Database(url)
    clock = ManualClock(NOW)
    return AppContext(settings=settings, database=database, clock=clock, i18n=make_i18n("kk"),
                      fsm_storage=DatabaseStorage(database, clock))


def _counting_batches() -> list[int]:
    """Counts the families each planner batch is handed (this process's share of a sweep)."""
    from bot.services import calendar

    counted = [0]
    real = calendar.plan_batch

    async def counting(app: Any, user_ids: list[int], now: datetime, lease_until: datetime) -> int:
        counted[0] += len(user_ids)
        return await real(app, user_ids, now, lease_until)

    calendar.plan_batch = counting
    return counted


async def pg_replan_worker(url: str, lanes: int | None) -> None:
    """A worker process of the full re-plan: sweeps until nothing is due; a JSON line on stdout."""
    from bot.services.calendar import sweep

    app = pg_context(url)
    counted = _counting_batches()
    began = time.perf_counter()
    messages = await sweep(app, lanes=lanes)
    seconds = time.perf_counter() - began
    await app.database.close()
    print("REPLANNED " + json.dumps({
        "families": counted[0], "messages": messages, "sweep_seconds": round(seconds, 2),
        "families_per_second": round(counted[0] / max(seconds, 1e-6), 1), "rss_mb": rss_mb(), "peak_rss_mb": peak_rss_mb(),
    }), flush=True)


async def pg_replan(url: str, n: int, workers: int, lanes: int | None = None) -> dict[str, Any]:
    """Everyone due at once, then `workers` fresh processes sweep side by side (sharing the due rows
    through SKIP LOCKED) until nothing is due: wall time from their spawn to the last one's exit."""
    reset = await pg_make_due(url, None)
    began = time.perf_counter()
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.scale", "--replan-worker", "--pg-url", url, *(["--lanes", str(lanes)] if lanes else []),
            cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE,
        )
        for _ in range(workers)
    ]
    reports: list[dict[str, Any]] = []
    for child in children:
        out, _ = await child.communicate()
        assert child.returncode == 0, f"re-plan worker failed ({child.returncode})"
        reports.extend(json.loads(line[10:]) for line in out.decode().splitlines() if line.startswith("REPLANNED "))
    wall = time.perf_counter() - began
    conn = await _pg(url)
    try:
        left = await conn.fetchval("SELECT count(*) FROM plan_state WHERE next_plan_at <= $1", NOW)
        messages = await conn.fetchval("SELECT count(*) FROM outbox")
    finally:
        await conn.close()
    app = pg_context(url)  # right after the re-plan: every row moved twice, no VACUUM since
    empty_after = await pg_empty_sweeps(app)
    await app.database.close()
    planned = sum(r["families"] for r in reports)
    assert left == 0, f"{left} families still due after the re-plan"
    assert planned == n, f"{planned} families planned for {n} registered (one planned twice, or missed)"
    return {
        "workers": workers,
        "lanes_per_worker": lanes or "default",
        "families": planned,
        "wall_seconds": round(wall, 2),
        "families_per_second": round(planned / wall, 1),
        "outbox_rows_written": messages,
        "reset_seconds": reset,
        "nothing_due_sweep_right_after_ms": {"first": round(empty_after[0] * 1000, 3),
                                             "median": round(statistics.median(empty_after) * 1000, 3)},
        "per_worker": reports,
    }


async def pg_empty_sweeps(app: Any, runs: int = QUERY_RUNS) -> list[float]:
    """Seconds of each of `runs` sweeps that find nothing due (a claim that claims nothing)."""
    from bot.services.calendar import sweep

    times = []
    for _ in range(runs):
        began = time.perf_counter()
        assert await sweep(app) == 0
        times.append(time.perf_counter() - began)
    return times


async def pg_sweep_bench(url: str, n: int, seed: int) -> dict[str, Any]:
    """In this process: the sweep with nothing due, then PG_SAMPLE_K random families planned by one worker."""
    from sqlalchemy import text

    from bot.services.calendar import sweep

    await pg_make_due(url, [])  # nothing due, the outbox empty
    app = pg_context(url)
    async with app.database.reading() as conn:
        explain = (await conn.execute(text(
            "EXPLAIN SELECT user_id FROM plan_state WHERE next_plan_at <= :now ORDER BY next_plan_at LIMIT 500 FOR UPDATE SKIP LOCKED"
        ), {"now": NOW})).scalars().all()
    empty = await pg_empty_sweeps(app)
    conn = await _pg(url)
    try:
        ids = [row[0] for row in await conn.fetch("SELECT user_id FROM plan_state")]
    finally:
        await conn.close()
    k = min(PG_SAMPLE_K, n)
    await pg_make_due(url, random.Random(seed).sample(ids, k))
    del ids
    counted = _counting_batches()
    began = time.perf_counter()
    messages = await sweep(app)
    seconds = time.perf_counter() - began
    await app.database.close()
    assert counted[0] == k, f"{counted[0]} planned of {k} due"
    return {
        "claim_query_plan": " / ".join(explain),
        "nothing_due_sweep_median_ms": round(statistics.median(empty) * 1000, 3),
        "nothing_due_sweep_p90_ms": round(sorted(empty)[int(len(empty) * 0.9)] * 1000, 3),
        "one_worker_sample": {
            "families": k, "seconds": round(seconds, 2), "families_per_second": round(k / seconds, 1), "messages": messages,
        },
        "rss_mb_after_sample": rss_mb(),
    }


def pg_main(args: argparse.Namespace) -> None:
    import logging
    import os

    logging.basicConfig(level=logging.WARNING)
    url = os.environ.get("BENCH_DATABASE_URL") or PG_URL
    asyncio.run(pg_ensure_database(url))
    info = None if args.rebuild else asyncio.run(pg_built(url, args.users))
    database = {**info, "cached": True} if info else {**asyncio.run(pg_build(url, args.users)), "cached": False}
    print("BUILT " + json.dumps(database), flush=True)
    sweeps = None if args.skip_sample else asyncio.run(pg_sweep_bench(url, args.users, args.seed))
    print("SWEEP " + json.dumps(sweeps), flush=True)
    replans = []
    for workers in (int(w) for w in args.workers.split(",")):
        replans.append(asyncio.run(pg_replan(url, args.users, workers, args.lanes)))
        print("REPLAN " + json.dumps(replans[-1]), flush=True)
    by_workers = {r["workers"]: r for r in replans}
    one = by_workers.get(1)
    best = min(replans, key=lambda r: r["wall_seconds"]) if replans else None
    estimate = round(2_500_000 / best["families_per_second"] / 60, 1) if best else None
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).date().isoformat(),
        "clock": NOW.isoformat(),
        "database": database,
        "sweep": sweeps,
        "replan": replans,
        "minutes_for_2_5_million_at_the_best_rate": estimate,
        "targets_met": {
            "one worker >= 3,000 families/s (full re-plan)": bool(one and one["families_per_second"] >= 3_000),
            "nothing due: sweep median < 5 ms": bool(sweeps and sweeps["nothing_due_sweep_median_ms"] < 5),
            "full re-plan of 2,500,000 < 15 min": bool(args.users >= 2_500_000 and best and best["wall_seconds"] < 900),
        },
    }
    print(json.dumps(report, indent=2))


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--small-users", type=int, default=10_000, help="side-by-side database; 0 skips it")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if cached")
    parser.add_argument("--startup-due", type=int, default=10_000, help="due families swept after start-up")
    parser.add_argument("--startup-runs", type=int, default=5, help="fresh processes timed (median reported)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--startup-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--then-sweep", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                        help=f"postgresql: BENCH_DATABASE_URL (default {PG_URL}), built with COPY")
    parser.add_argument("--workers", default="1,2", help="PostgreSQL: processes sharing the full re-plan, per run")
    parser.add_argument("--lanes", type=int, help="PostgreSQL: batches each worker keeps going (default: the planner's)")
    parser.add_argument("--skip-sample", action="store_true", help="PostgreSQL: only the full re-plans")
    parser.add_argument("--db-path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--replan-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pg-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.startup_only:
        asyncio.run(startup_child(args.db_path, args.api_url, then_sweep=args.then_sweep))
        return
    if args.replan_worker:
        asyncio.run(pg_replan_worker(args.pg_url, args.lanes))
        return
    if args.db == "postgresql":
        pg_main(args)
        return

    import logging

    logging.basicConfig(level=logging.WARNING)
    RESULTS.mkdir(parents=True, exist_ok=True)
    big_path, big_info = cached_build(args.users, args.rebuild)
    small_info: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(dir=RESULTS) as tmp:
        folder = Path(tmp)
        # Start-up first, while this process is still small and the machine quiet.
        startup = asyncio.run(startup_bench(big_path, folder, args.startup_due, args.seed, max(args.startup_runs, 1)))
        big = asyncio.run(sweep_bench(working_copy(big_path, folder, "sweep.sqlite3"), DUE_KS, args.seed))
        small: dict[str, Any] | None = None
        if args.small_users:
            small_path, small_info = cached_build(args.small_users, args.rebuild)
            small = asyncio.run(
                sweep_bench(
                    working_copy(small_path, folder, "sweep-small.sqlite3"), tuple(k for k in DUE_KS if k < args.small_users), args.seed
                )
            )

    ratios = {}
    if small:
        by_k = {row["k"]: row for row in small["due"]}
        for row in big["due"]:
            other = by_k.get(row["k"])
            if other:
                ratios[f"k={row['k']}"] = {
                    "due_query": round(row["due_query_median_ms"] / other["due_query_median_ms"], 2),
                    "sweep": round(row["sweep_seconds_median"] / other["sweep_seconds_median"], 2),
                }
        ratios["nothing_due"] = {
            "due_query": round(big["nothing_due"]["due_query_median_ms"] / small["nothing_due"]["due_query_median_ms"], 2)
        }
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).date().isoformat(),
        "clock": NOW.isoformat(),
        "database": big_info,
        "small_database": small_info,
        "sweep": big,
        "sweep_small": small,
        "ratio_million_vs_small": ratios,
        "startup": startup,
        "targets_met": {
            "due query, nothing due, median < 100 ms": big["nothing_due"]["due_query_median_ms"] < 100,
            "start-up (spawn to ready, median) < 3 s": startup["spawn_to_ready_seconds_median"] < 3,
            "RSS after start-up < 300 MB": startup["rss_mb_after_startup_max"] < 300,
            "RSS after sweeping 10,000 due < 300 MB": startup["last_run"]["rss_mb_after_sweep"] < 300,
            "peak RSS (start-up and sweep) < 300 MB": (startup["last_run"]["peak_rss_mb"] or 0) < 300,
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

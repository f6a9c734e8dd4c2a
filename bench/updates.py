"""Update throughput of the whole stack against a bare aiogram echo bot, side by side in one run.

Both bots poll the same kind of emulator over loopback HTTP, in the same process and event loop,
driven by the same closed-loop load: `--concurrency` simulated people, each sending her next
update when the previous one was answered. Ours: registered mothers sending typical updates
(/profile, /help, a free-text message, a tap on a profile-card button) through the real wiring
(middlewares, FSM storage on the database, i18n, handlers). Echo: aiogram's Dispatcher with one
handler that answers the text and one that answers a press.

    .venv/bin/python -m bench.updates --updates 3000 --concurrency 50

Step 10: `--workers 1,2,3 --db postgresql` runs the many-worker layout instead: the echo bot and then 1, 2
and 3 AnaBala webhook workers, each a real process (`python main.py`, BOT_MODE=webhook, the variables of
deploy/anabala-worker@.service) on PostgreSQL and Redis, the emulator posting each update to their shared
port as Telegram does (one at a time per chat). Before them, one polling process on the same PostgreSQL
with its caches on and off: what turning the caches off for several workers costs.

    .venv/bin/python -m bench.updates --workers 1,2,3 --db postgresql --updates 3000 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bench.echo_bot import PRESS, echo_bot, echo_dispatcher
from bot.app import build_application
from bot.clock import ManualClock
from bot.config import load_settings
from bot.domain.flow import Draft
from bot.services.families import insert_family
from db.engine import Database
from db.migrate import upgrade_to_head
from emulator import BotAPIEmulator, SimUser
from tests.e2e.harness import PUBLIC, WEBHOOK_SECRET, free_port, redis_or_skip
from tests.scale.workers import Deployment, deployment

TOKEN = "123456:BENCH-token-for-emulator"
POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/anabala_bench_updates")
ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
# What a mother sends, in turn; PRESS is a tap on her profile card's button (callback data "pf:show:0":
# routed by value, answered by CallbackAnswerMiddleware, her card sent again).
TYPICAL = ("/profile", PRESS, "/help", "Рахмет!")  # the press comes under her profile card


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    updates_per_second: float
    p50_ms: float
    p99_ms: float


def draft(lang: str) -> Draft:
    return {
        "lang": lang,
        "roles": ["pregnant", "parent"],
        "name": "Aigerim",
        "phone": "+77011234567",
        "region": "almaty_city",
        "polyclinic": "almaty_pc1",
        "pregnancy": {"method": "due_date", "due": "2027-05-15", "lmp": None},
        "children": [{"name": "Aru", "birth": "2025-09-05", "sex": "girl"}],
    }


async def drive(emu: BotAPIEmulator, users: list[SimUser], total: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    per_worker = total // concurrency

    async def worker(index: int) -> None:
        user = users[index % len(users)]
        for turn in range(per_worker):
            started = time.perf_counter()
            act = TYPICAL[turn % len(TYPICAL)]
            if act == PRESS:
                await user.forge_click(PRESS)  # a tap under the newest keyboard: her profile card (or the echo's)
            else:
                await user.send(act)
            await user.wait_for_message(timeout=60)
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return time.perf_counter() - began, latencies


def summarise(name: str, seconds: float, latencies: list[float]) -> Result:
    ordered = sorted(latencies)
    return Result(
        name=name,
        updates=len(latencies),
        seconds=round(seconds, 3),
        updates_per_second=round(len(latencies) / seconds, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    )


async def with_emulator(run: Callable[[BotAPIEmulator], Awaitable[Result]]) -> Result:
    async with BotAPIEmulator(rate_limits=None, record_calls=False) as emu:
        return await run(emu)


async def seed_mothers(database: Database, emu: BotAPIEmulator, concurrency: int, now: datetime) -> list[SimUser]:
    """`concurrency` registered mothers (kk/ru/en), each expecting and with a child."""
    users = []
    for i in range(concurrency):
        user_id = 10_000 + i
        lang = ("kk", "ru", "en")[i % 3]
        await insert_family(database, now, date(2026, 11, 24), user_id, draft(lang))
        users.append(emu.user(user_id=user_id, first_name="Mother", language_code=lang))
    return users


async def bench_ours(total: int, concurrency: int, database_url: str, *, cached: bool = True) -> Result:
    async def run(emu: BotAPIEmulator) -> Result:
        clock = ManualClock(START)
        settings = load_settings(BOT_TOKEN=TOKEN, TELEGRAM_API_URL=emu.api_url, DATABASE_URL=database_url,
                                 LOG_LEVEL="WARNING", _env_file=None)
        app = build_application(settings, clock=clock)
        if not cached:  # every update reads the database, as for a mother the caches have forgotten
            app.context.database.families.max_size = 0
            app.context.fsm_storage.cache_size = 0
        await upgrade_to_head(app.context.database)
        users = await seed_mothers(app.context.database, emu, concurrency, clock.now())
        task = asyncio.create_task(app.run_polling(handle_signals=False))
        await emu.wait_for_polling(timeout=30)
        seconds, latencies = await drive(emu, users, total, concurrency)
        await app.stop()
        await task
        engine = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        name = f"AnaBala (full stack, {engine}, one polling process)" + ("" if cached else ", caches off")
        return summarise(name, seconds, latencies)

    return await with_emulator(run)


async def fresh_postgres(url: str) -> None:
    """An empty database at `url`: made if missing, its tables dropped if not."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    server, _, name = url.rpartition("/")
    admin = create_async_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()


async def bench_workers(count: int, total: int, concurrency: int, database_url: str, logs: Path) -> Result:
    """`count` webhook workers as real processes, on PostgreSQL and Redis, behind the emulator's webhook."""
    await fresh_postgres(database_url)
    await redis_or_skip()  # nothing left of an earlier run: chat turns, the pace, the webhook's note
    database = Database(database_url)
    await upgrade_to_head(database)  # `python main.py --migrate`, once
    async with BotAPIEmulator(rate_limits=None, record_calls=False) as emu:
        users = await seed_mothers(database, emu, concurrency, datetime.now(UTC))
        await database.close()
        fleet: Deployment = deployment(emu.api_url, database_url, logs, count=count, LOG_LEVEL="WARNING",
                                       ADMIN_IDS="")
        emu.route_webhook(PUBLIC, f"http://127.0.0.1:{fleet.webhook_port}")
        await fleet.start()
        try:
            await emu.wait_for(lambda: bool(emu.webhook_info()["url"]), timeout=60, what="setWebhook")
            seconds, latencies = await drive(emu, users, total, concurrency)
        finally:
            await fleet.stop()
    return summarise(f"AnaBala, {count} webhook worker{'s' if count > 1 else ''} (PostgreSQL, Redis)", seconds, latencies)


async def bench_echo_webhook(total: int, concurrency: int, logs: Path) -> Result:
    """The bare echo bot as one webhook process (bench/echo_bot.py): what aiogram and the emulator cost alone."""
    async def run(emu: BotAPIEmulator) -> Result:
        port = free_port()
        emu.route_webhook(PUBLIC, f"http://127.0.0.1:{port}")
        env = {**os.environ, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": emu.api_url, "WEBHOOK_URL": f"{PUBLIC}/telegram",
               "WEBHOOK_SECRET": WEBHOOK_SECRET, "WEBHOOK_PORT": str(port)}
        with (logs / "echo.log").open("ab") as sink:
            process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.echo_bot", cwd=ROOT, env=env,
                                                           stdout=asyncio.subprocess.DEVNULL, stderr=sink)
        try:
            await emu.wait_for(lambda: bool(emu.webhook_info()["url"]), timeout=120, what="the echo bot's setWebhook")
            users = [emu.user(user_id=20_000 + i, first_name="Echo", language_code="ru") for i in range(concurrency)]
            seconds, latencies = await drive(emu, users, total, concurrency)
        finally:
            process.terminate()
            await process.wait()
        return summarise("bare aiogram echo bot (one webhook process)", seconds, latencies)

    return await with_emulator(run)


async def bench_echo(total: int, concurrency: int) -> Result:
    async def run(emu: BotAPIEmulator) -> Result:
        bot = echo_bot(emu.api_url, TOKEN)
        dp = echo_dispatcher(bot)
        users = [emu.user(user_id=20_000 + i, first_name="Echo", language_code="ru") for i in range(concurrency)]
        task = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        await emu.wait_for_polling(timeout=30)
        seconds, latencies = await drive(emu, users, total, concurrency)
        await dp.stop_polling()
        await task
        await bot.session.close()
        return summarise("bare aiogram echo bot", seconds, latencies)

    return await with_emulator(run)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", default="", help="e.g. 1,2,3: webhook workers as processes (needs --db postgresql)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.workers:
        if args.db != "postgresql":
            parser.error("--workers needs --db postgresql: several workers share one PostgreSQL")
        await many_workers([int(n) for n in args.workers.split(",")], args.updates, args.concurrency)
        return
    with tempfile.TemporaryDirectory() as tmp:
        echo = await bench_echo(args.updates, args.concurrency)
        if args.db == "postgresql":
            await fresh_postgres(POSTGRES)
            ours = await bench_ours(args.updates, args.concurrency, POSTGRES)
            await fresh_postgres(POSTGRES)
            cold = await bench_ours(args.updates, args.concurrency, POSTGRES, cached=False)
        else:  # folders made on demand
            ours = await bench_ours(args.updates, args.concurrency, f"sqlite+aiosqlite:///{tmp}/warm/bench.sqlite3")
            cold = await bench_ours(args.updates, args.concurrency, f"sqlite+aiosqlite:///{tmp}/cold/bench.sqlite3",
                                    cached=False)
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "results": [asdict(echo), asdict(ours), asdict(cold)],
        "cost_ratio_ours_vs_echo": round(echo.updates_per_second / ours.updates_per_second, 2),
        "cost_ratio_caches_off_vs_echo": round(echo.updates_per_second / cold.updates_per_second, 2),
    }
    print(json.dumps(report, indent=2))


async def many_workers(counts: list[int], total: int, concurrency: int) -> None:
    logs = ROOT / "artifacts" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    echo = await bench_echo_webhook(total, concurrency, logs)
    await fresh_postgres(POSTGRES)
    cached = await bench_ours(total, concurrency, POSTGRES)
    await fresh_postgres(POSTGRES)
    cold = await bench_ours(total, concurrency, POSTGRES, cached=False)
    fleets = [await bench_workers(count, total, concurrency, POSTGRES, logs) for count in counts]
    results = [echo, cached, cold, *fleets]
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_after": os.getloadavg(),
        "results": [asdict(r) | {"cost_vs_echo": round(echo.updates_per_second / r.updates_per_second, 2)} for r in results],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())

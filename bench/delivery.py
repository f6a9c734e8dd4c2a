"""Delivery throughput: the real engine (outbox → pacer → render → sendMessage → mark) against the
emulator's flood limits, in real time (SystemClock), over loopback HTTP.

Two runs, side by side in one process:

1. Raised limit: emulator at 1,000 messages/s globally (burst 1,000) and 1/s per chat (burst 1),
   DELIVERY_RATE=1000; `--messages` (default 100,000) messages to as many registered mothers.
2. Default limit: emulator at Telegram's defaults (30/s global, 1/s per chat), DELIVERY_RATE=25;
   `--slow-messages` (default 1,500) messages.
3. The same two settings with a Telegram round trip of `--latency-ms` (default 50 ms) added to
   every sendMessage (the emulator's "slow" fault), `--latency-messages` (default 1,000 / 500)
   messages, once per DELIVERY_CONCURRENCY in `--latency-concurrency` (default 1,4,16,64):
   loopback answers in well under a millisecond, api.telegram.org does not.

Runs 1 and 2 use the product's default DELIVERY_CONCURRENCY unless `--concurrency` is given.

`--pacer redis` runs each of them twice, side by side: with the in-process pacer, then with the pacer
that several workers share through Redis (`bot/delivery/shared_pacer.py`, at `--redis-url`; its keys
under a prefix of the run's own, removed afterwards), so the Redis round trips per message show in
sent/s and CPU per message. Redis's own CPU (its INFO) is reported beside the bot's.

Each message is an ALERT ("appointment.eve", rendered from its params alone), so the local
delivery-hours rule never holds it back whatever the time of day. Every chat is known to the
emulator and registered in the database (kk/ru/en), so the message is rendered in her language.

    .venv/bin/python -m bench.delivery --messages 100000 --slow-messages 1500 --latency-ms 50 --latency-concurrency 1,4,16,64
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import platform
import pstats
import resource
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import insert

from bot import event_loop
from bot.app import Application, build_application
from bot.clock import SystemClock
from bot.config import load_settings
from bot.delivery import ALERT
from bot.delivery.shared_pacer import make_pacer
from bot.domain.outbox import OutboxKind
from bot.middlewares.retry import RetryAfterMiddleware
from db import outbox
from db.engine import Database
from db.migrate import upgrade_to_head
from db.outbox import OutgoingMessage
from db.schema import users
from emulator import BotAPIEmulator, RateLimits
from emulator.process import EmulatorProcess

TOKEN = "123456:BENCH-token-for-emulator"
FIRST_CHAT = 1_000_000
ENQUEUE_CHUNK = 10_000
PARAMS = {"what": "УЗИ / ultrasound", "on_date": "2026-12-01", "at_time": None, "place": None}


@dataclass
class Result:
    name: str
    pacer: str  # "in-process" or "redis" (shared by all workers)
    emulator: str  # "process" (its own process, as Telegram is elsewhere) or "in-process"
    messages: int
    concurrency: int
    added_latency_ms: float
    emulator_global_per_second: float
    delivery_rate: float
    enqueue_seconds: float
    enqueue_per_second: float
    send_seconds: float
    sent: int
    messages_per_second: float
    percent_of_configured_rate: float
    steady_messages_per_second: float  # between 10 % and 90 % of the messages sent
    slowest_10s_window_per_second: float | None
    rate_limited_429: int
    duplicates: int
    missing: int
    outbox_status: dict[str, int]
    cpu_seconds: float
    cpu_ms_per_message: float
    outcome_writes: int  # transactions that marked what became of the messages (group commit)
    main_thread_cpu_ms_per_message: float  # the event loop's thread (the rest: the SQLite thread)
    system_cpu_ms_per_message: float  # of the whole process's CPU, the part spent in the kernel
    redis_cpu_ms_per_message: float | None  # the Redis server's own (INFO cpu), with the Redis pacer
    profile_top: list[str] = field(default_factory=list)


async def register(app_db: Database, ids: list[int], now: datetime) -> None:
    """Her row only (a broadcast or alert goes to registered people); bulk, not the product path."""
    rows = [
        {
            "id": user_id,
            "language": ("kk", "ru", "en")[user_id % 3],
            "name": "Mother",
            "phone": f"+7701{user_id % 10_000_000:07d}",
            "region": "almaty_city",
            "polyclinic": "almaty_pc1",
            "polyclinic_unlisted": False,
            "planning": False,
            "consent_at": now,
            "paused": False,
            "created_at": now,
            "updated_at": now,
        }
        for user_id in ids
    ]
    for start in range(0, len(rows), ENQUEUE_CHUNK):
        async with app_db.transaction() as conn:
            await conn.execute(insert(users), rows[start : start + ENQUEUE_CHUNK])


class InProcessEmulator:
    """The emulator in the bot's own process and event loop, behind EmulatorProcess's interface:
    the earlier set-up, kept to show what sharing one core with "Telegram" costs."""

    def __init__(self, rate_limits: RateLimits) -> None:
        self.emu = BotAPIEmulator(rate_limits=rate_limits, record_calls=False)
        self.api_url = ""

    async def __aenter__(self) -> InProcessEmulator:
        await self.emu.start()
        self.api_url = self.emu.api_url
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.emu.stop()

    def add_users(self, user_ids: list[int]) -> None:
        for user_id in user_ids:
            self.emu.user(user_id=user_id, first_name="Mother", language_code=("kk", "ru", "en")[user_id % 3]).known_to_bot = True

    def slow(self, method: str, delay: float) -> None:
        self.emu.faults.add(method=method, kind="slow", delay=delay, times=None)

    def stats(self) -> dict[str, Any]:
        return {
            "sent": self.emu.stats.sent,
            "rate_limited": self.emu.stats.rate_limited,
            "internal_errors": [repr(e) for e in self.emu.internal_errors],
        }

    def message_counts(self, user_ids: list[int]) -> list[int]:
        return [len(self.emu.user(user_id=user_id).messages) for user_id in user_ids]


@asynccontextmanager
async def emulator(where: str, limits: RateLimits) -> AsyncIterator[Any]:
    if where == "process":
        with EmulatorProcess(rate_limits=limits) as emu:
            yield emu
    else:
        async with InProcessEmulator(limits) as emu:
            yield emu


async def sample(emu: Any, samples: list[tuple[float, int]], stop: asyncio.Event) -> None:
    """(monotonic time, messages sent) once a second, for windows and the steady rate."""
    while not stop.is_set():
        samples.append((time.monotonic(), emu.stats()["sent"]))
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except TimeoutError:
            pass
    samples.append((time.monotonic(), emu.stats()["sent"]))


def steady_rate(samples: list[tuple[float, int]], total: int) -> float:
    """Messages per second between the samples nearest 10 % and 90 % of the total."""
    lo = next((s for s in samples if s[1] >= total * 0.1), samples[0])
    hi = next((s for s in samples if s[1] >= total * 0.9), samples[-1])
    return (hi[1] - lo[1]) / (hi[0] - lo[0]) if hi[0] > lo[0] else 0.0


def slowest_window(samples: list[tuple[float, int]], seconds: float = 10.0) -> float | None:
    """The lowest rate over any `seconds`-long stretch of whole samples (None if the run was shorter)."""
    worst: float | None = None
    j = 0
    for i in range(len(samples)):
        while j < len(samples) and samples[j][0] - samples[i][0] < seconds:
            j += 1
        if j >= len(samples):
            break
        rate = (samples[j][1] - samples[i][1]) / (samples[j][0] - samples[i][0])
        worst = rate if worst is None else min(worst, rate)
    return round(worst, 1) if worst is not None else None


@asynccontextmanager
async def shared_pacer(app: Application, redis_url: str, rate: float) -> AsyncIterator[Redis]:
    """The app's pacer replaced by the Redis one (as bot/app.py wires it with a Redis), keys removed after."""
    redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    await redis.ping()  # no Redis: say so now, not as a fallback run
    prefix = f"anabala-bench:{uuid.uuid4().hex}:pace"
    pacer = make_pacer(app.context.clock, rate, redis, prefix)
    app.delivery.pacer = pacer
    for middleware in app.bot.session.middleware:
        if isinstance(middleware, RetryAfterMiddleware):
            middleware.on_flood = pacer.pause
    try:
        yield redis
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def redis_cpu_seconds(redis: Redis | None) -> float:
    if redis is None:
        return 0.0
    info = await redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


async def run(
    name: str,
    count: int,
    limits: RateLimits,
    delivery_rate: float,
    workdir: Path,
    *,
    latency: float = 0.0,
    concurrency: int | None = None,
    profile: bool = False,
    where: str = "process",
    pacer: str = "in-process",
    redis_url: str = "",
) -> Result:
    async with emulator(where, limits) as emu, AsyncExitStack() as stack:
        if latency:  # every sendMessage answers after this long, like a far-away server
            emu.slow("sendMessage", latency)
        clock = SystemClock()
        settings = load_settings(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=emu.api_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{workdir}/{pacer}.sqlite3",
            DELIVERY_RATE=str(delivery_rate),
            LOG_LEVEL="WARNING",
            _env_file=None,
            **({"DELIVERY_CONCURRENCY": str(concurrency)} if concurrency else {}),
        )
        app = build_application(settings, clock=clock)
        redis = await stack.enter_async_context(shared_pacer(app, redis_url, delivery_rate)) if pacer == "redis" else None
        await upgrade_to_head(app.context.database)
        ids = list(range(FIRST_CHAT, FIRST_CHAT + count))
        emu.add_users(ids)
        await register(app.context.database, ids, clock.now())

        # Enqueue: what a broadcast or a burst of alerts does (short transactions of 10,000).
        now = clock.now()
        began = time.perf_counter()
        for start in range(0, count, ENQUEUE_CHUNK):
            chunk = [
                OutgoingMessage(chat_id, ALERT, OutboxKind.ALERT, "appointment.eve", PARAMS, now, f"bench:{chat_id}")
                for chat_id in ids[start : start + ENQUEUE_CHUNK]
            ]
            async with app.context.database.transaction() as conn:
                await outbox.enqueue(conn, chunk, now)
        enqueue_seconds = time.perf_counter() - began

        gc.collect()
        samples: list[tuple[float, int]] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample(emu, samples, stop))
        profiler = cProfile.Profile() if profile else None
        cpu0 = time.process_time()
        thread0 = time.thread_time()
        rusage0 = resource.getrusage(resource.RUSAGE_SELF)
        redis_cpu0 = await redis_cpu_seconds(redis)
        began = time.perf_counter()
        if profiler:
            profiler.enable()
        await app.delivery.drain()
        if profiler:
            profiler.disable()
        send_seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu0
        main_thread_cpu = time.thread_time() - thread0
        rusage1 = resource.getrusage(resource.RUSAGE_SELF)
        redis_cpu = await redis_cpu_seconds(redis) - redis_cpu0
        stop.set()
        await sampler

        per_chat = emu.message_counts(ids)
        async with app.context.database.reading() as conn:
            status = await outbox.count_by_status(conn)
        await app.bot.session.close()
        await app.context.database.close()
        stats = emu.stats()
        assert not stats["internal_errors"], stats["internal_errors"]
        sent = stats["sent"]
        top: list[str] = []
        if profiler:
            profiled = pstats.Stats(profiler).sort_stats("tottime")  # (not `stats`: the emulator's are read below)
            # (file, line, function) → (primitive calls, calls, own time, cumulative time, callers)
            rows: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = profiled.stats  # type: ignore[attr-defined]  # typeshed: no Stats.stats
            width = sum(v[2] for v in rows.values()) or 1.0
            for func, (_cc, calls, tottime, _ct, _callers) in sorted(rows.items(), key=lambda kv: kv[1][2], reverse=True)[:15]:
                top.append(f"{tottime / width:5.1%} {calls:>9} {func[0].split('site-packages/')[-1]}:{func[1]}({func[2]})")
        rate = sent / send_seconds
        return Result(
            name=name,
            pacer=pacer,
            emulator=where,
            messages=count,
            concurrency=getattr(app.delivery, "concurrency", 1),
            added_latency_ms=round(latency * 1000, 1),
            emulator_global_per_second=limits.global_per_second,
            delivery_rate=delivery_rate,
            enqueue_seconds=round(enqueue_seconds, 3),
            enqueue_per_second=round(count / enqueue_seconds, 1),
            send_seconds=round(send_seconds, 3),
            sent=sent,
            messages_per_second=round(rate, 1),
            percent_of_configured_rate=round(100 * rate / delivery_rate, 1),
            steady_messages_per_second=round(steady_rate(samples, count), 1),
            slowest_10s_window_per_second=slowest_window(samples),
            rate_limited_429=stats["rate_limited"],
            duplicates=sum(n - 1 for n in per_chat if n > 1),
            missing=sum(1 for n in per_chat if n == 0),
            outbox_status=status,
            cpu_seconds=round(cpu, 2),
            cpu_ms_per_message=round(1000 * cpu / max(sent, 1), 3),
            outcome_writes=app.delivery.outcomes.writes,
            main_thread_cpu_ms_per_message=round(1000 * main_thread_cpu / max(sent, 1), 3),
            system_cpu_ms_per_message=round(1000 * (rusage1.ru_stime - rusage0.ru_stime) / max(sent, 1), 3),
            redis_cpu_ms_per_message=round(1000 * redis_cpu / max(sent, 1), 3) if redis is not None else None,
            profile_top=top,
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000, help="messages at the raised 1,000/s limit")
    parser.add_argument("--slow-messages", type=int, default=1_500, help="messages at the default 25/s")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="Telegram round trip for the latency runs; 0 skips them")
    parser.add_argument("--latency-messages", type=int, default=1_000, help="messages per latency run (half at 25/s)")
    parser.add_argument("--latency-concurrency", default="1,4,16,64", help="DELIVERY_CONCURRENCY values for the latency runs")
    parser.add_argument("--concurrency", type=int, default=None, help="DELIVERY_CONCURRENCY for runs 1 and 2 (default: the product's)")
    parser.add_argument("--skip-fast", action="store_true")
    parser.add_argument("--skip-slow", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the raised-limit send (slower)")
    parser.add_argument(
        "--in-process-messages", type=int, default=0,
        help="also run the raised limit with the emulator inside the bot's process, for comparison (0: skip)",
    )
    parser.add_argument(
        "--pacer", choices=("in-process", "redis"), default="in-process",
        help="redis: every run twice, with the in-process pacer and then with the one shared through Redis",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="for --pacer redis")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    results: list[Result] = []
    pacers = ("in-process", "redis") if args.pacer == "redis" else ("in-process",)

    async def each_pacer(*run_args: Any, **run_kwargs: Any) -> None:
        for pacer in pacers:
            results.append(await run(*run_args, pacer=pacer, redis_url=args.redis_url, **run_kwargs))

    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_fast:
            fast = RateLimits(global_per_second=1000, global_burst=1000, per_chat_per_second=1, per_chat_burst=1)
            await each_pacer(
                "raised limit (1,000/s)", args.messages, fast, 1000, Path(tmp) / "fast",
                concurrency=args.concurrency, profile=args.profile,
            )
            if args.in_process_messages:
                await each_pacer(
                    "raised limit (1,000/s), emulator in the bot's process", args.in_process_messages, fast, 1000,
                    Path(tmp) / "fast-inline", concurrency=args.concurrency, where="in-process",
                )
        if not args.skip_slow:
            await each_pacer("default limit (25/s)", args.slow_messages, RateLimits(), 25, Path(tmp) / "slow", concurrency=args.concurrency)
        if args.latency_ms > 0:
            latency = args.latency_ms / 1000
            label = f"{args.latency_ms:g} ms round trip"
            levels = [int(c) for c in args.latency_concurrency.split(",") if c.strip()]
            for level in levels if not args.skip_fast else []:
                fast = RateLimits(global_per_second=1000, global_burst=1000, per_chat_per_second=1, per_chat_burst=1)
                await each_pacer(
                    f"raised limit (1,000/s), {label}, {level} in flight", args.latency_messages, fast, 1000,
                    Path(tmp) / f"fast-rtt-{level}", latency=latency, concurrency=level,
                )
            for level in levels if not args.skip_slow else []:
                await each_pacer(
                    f"default limit (25/s), {label}, {level} in flight", max(args.latency_messages // 2, 1), RateLimits(), 25,
                    Path(tmp) / f"slow-rtt-{level}", latency=latency, concurrency=level,
                )
    targets = {}
    for r in results:
        name = f"{r.name}, {r.pacer} pacer"
        if r.delivery_rate == 1000:
            targets[f"{name}: >= 900 messages/s sustained"] = r.messages_per_second >= 900
        else:
            targets[f"{name}: >= 95% of 25/s"] = r.percent_of_configured_rate >= 95
            targets[f"{name}: zero 429s"] = r.rate_limited_429 == 0
        targets[f"{name}: no duplicates, none missing"] = r.duplicates == 0 and r.missing == 0
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).date().isoformat(),
        "results": [asdict(r) for r in results],
        "targets_met": targets,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    event_loop.run(main())  # the production loop (uvloop where installed), as main.py runs it

"""Three webhook workers on PostgreSQL and Redis, as real processes against the emulator (Step 10):
300 mothers register at once while one worker after another is killed with SIGKILL (three times); then
5,000 messages are sent while it happens three times more; then every worker is restarted in turn
(SIGTERM, a rolling upgrade) while 100 more register and 1,000 more messages go. Nothing she sent is lost,
every registration completes in order, no message is lost, duplicates stay within what the killed workers
had in flight, no periodic job runs in two places at once, and the shared pace keeps Telegram from
saying 429."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.content import polyclinic, region
from bot.delivery import ALERT
from db import inbox, outbox
from db.engine import Database
from db.migrate import upgrade_to_head
from db.outbox import OutgoingMessage
from db.schema import job_runs, users
from emulator import BotAPIEmulator
from emulator.limits import RateLimits
from emulator.users import SimUser
from emulator.webhook import WebhookSettings
from tests.e2e.harness import PUBLIC, redis_or_skip
from tests.scale.conftest import LOGS
from tests.scale.workers import Deployment, deployment

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

MOTHERS = 300
MESSAGES = 5_000
LATER_MOTHERS = 100  # register during the rolling restart
LATER_MESSAGES = 1_000
KILLS = 3
IN_FLIGHT = 8  # DELIVERY_CONCURRENCY of each worker: a kill may resend at most this many
STEP_WAIT = 90.0  # a step whose worker was killed waits for the turn to lapse (15 s) and the sweep
REGISTERED = "Thank you! You are registered."


def name_of(n: int) -> str:
    """A name of letters only (the bot refuses digits in a name): 0 -> "Mother Aaaa", 1 -> "Mother Baaa"."""
    return "Mother " + "".join(chr(ord("a") + n // 26**k % 26) for k in range(4)).capitalize()


async def register(user: SimUser, n: int, rng: random.Random) -> None:
    """A mother planning a pregnancy registers in English, pausing like a person between taps."""
    almaty, clinic = region("almaty_city"), polyclinic("almaty_pc1")
    assert almaty is not None and clinic is not None

    async def pause() -> None:
        await asyncio.sleep(1.0 + rng.random())  # a person reads before she taps; Telegram's per-chat pace

    async def typed(text: str, expect: str | None = None) -> None:
        await pause()
        await user.send(text)
        await user.wait_for_message(expect, timeout=STEP_WAIT)

    async def sees(label: str) -> None:
        """Her newest buttons show `label`: after a kill her question may come ~20 s later, asked again."""
        def showing() -> bool:
            newest = next((m for m in reversed(user.messages) if not m.deleted and m.inline_buttons), None)
            return newest is not None and any(label in b for b in newest.button_labels())

        deadline = time.monotonic() + STEP_WAIT
        while not showing():
            assert time.monotonic() < deadline, f"no button {label!r} within {STEP_WAIT} s\n{user.transcript()}"
            await asyncio.sleep(0.2)

    async def pressed(label: str) -> None:
        await sees(label)  # she taps once she sees the button
        await pause()
        await user.click(label)
        await user.wait_for_callback_answer(timeout=STEP_WAIT)

    await typed("/start")
    await pressed("English")
    await pressed("I agree")
    await pressed("I am planning a pregnancy")
    await pressed("Continue")
    await typed(name_of(n), "phone")
    await pause()
    await user.press("📱 Share my phone number")
    await user.wait_for_message(timeout=STEP_WAIT)
    await pressed(almaty.name("en"))
    await pressed(clinic.name("en"))
    await pressed("Confirm")
    await user.wait_for_message(REGISTERED, timeout=STEP_WAIT)


async def restart_one_by_one(fleet: Deployment, rng: random.Random, between: tuple[float, float]) -> None:
    """A rolling upgrade: each worker in turn gets SIGTERM (it closes its port, finishes what it took, and
    exits 0) and starts again; the next one goes only once it is ready."""
    for worker in fleet.workers:
        await asyncio.sleep(rng.uniform(*between))
        assert await worker.stop() == 0, f"{worker.name} did not stop cleanly; see {worker.log}"
        await worker.start()
        await worker.wait_ready()


async def kill_and_restart(fleet: Deployment, rng: random.Random, kills: int, between: tuple[float, float]) -> list[str]:
    """One worker after another gets SIGKILL in the middle of the work, and comes back (Restart=always)."""
    killed = []
    for n in range(kills):
        await asyncio.sleep(rng.uniform(*between))
        worker = fleet.workers[n % len(fleet.workers)]
        await worker.kill()
        killed.append(worker.name)
        await worker.start()
        await worker.wait_ready()
    return killed


def overlapping_runs(runs: list[tuple[str, datetime, datetime | None]]) -> list[str]:
    by_job: dict[str, list[tuple[datetime, datetime]]] = {}
    for job, started, finished in runs:
        by_job.setdefault(job, []).append((started, finished or datetime.max.replace(tzinfo=UTC)))
    found = []
    for job, spans in by_job.items():
        spans.sort()
        found += [job for (_, end), (start, _) in zip(spans, spans[1:], strict=False) if start < end]
    return found


async def test_three_workers_lose_nothing_when_killed(postgres_url: str) -> None:
    await redis_or_skip()
    LOGS.mkdir(parents=True, exist_ok=True)
    for old in LOGS.glob("w*.log"):
        old.unlink()
    database = Database(postgres_url)
    await upgrade_to_head(database)  # `python main.py --migrate`, once before the workers
    rng = random.Random(20261207)
    limits = RateLimits(global_per_second=400, global_burst=400, per_chat_per_second=1, per_chat_burst=4)
    async with BotAPIEmulator(rate_limits=limits, record_calls=False,
                              webhook_settings=WebhookSettings(timeout=5.0, retry_initial=0.05, retry_max=1.0)) as emu:
        fleet = deployment(emu.api_url, postgres_url, LOGS, DELIVERY_RATE="300", DELIVERY_CONCURRENCY=str(IN_FLIGHT))
        emu.route_webhook(PUBLIC, f"http://127.0.0.1:{fleet.webhook_port}")
        await fleet.start()
        await emu.wait_for(lambda: bool(emu.webhook_info()["url"]), timeout=30, what="setWebhook")
        try:
            # --- 300 mothers register at once; three workers killed along the way -------------------
            mothers = [emu.user(user_id=800_000 + n, first_name=f"Mother{n}", language_code="en") for n in range(MOTHERS)]
            started = time.monotonic()
            registrations = asyncio.gather(*(register(user, n, random.Random(n)) for n, user in enumerate(mothers)))
            killed = await kill_and_restart(fleet, rng, KILLS, (2.0, 5.0))
            await registrations
            registration_seconds = time.monotonic() - started
            await emu.wait_until_confirmed(timeout=60)

            async with database.reading() as conn:
                rows = (await conn.execute(select(users.c.id, users.c.name, users.c.phone).where(users.c.id >= 800_000))).all()
                assert await inbox.waiting_count(conn) == 0
            assert len(rows) == MOTHERS, f"{len(rows)} of {MOTHERS} registered (killed: {killed})"
            assert all(r.name == name_of(r.id - 800_000) for r in rows)  # each answer landed on its own question
            webhook = emu.stats.webhook
            assert webhook.order_violations == 0
            assert all(emu.webhook_deliveries(u.id) == sorted(emu.webhook_deliveries(u.id)) for u in mothers)

            # --- 5,000 messages; three more kills ---------------------------------------------------
            now = datetime.now(UTC)
            async with database.transaction() as conn:
                await outbox.enqueue(conn, [
                    OutgoingMessage(chat_id=700_000 + i, priority=ALERT, kind="test", message_key="appointment.eve",
                                    params={"what": f"visit {i}", "on_date": "2026-12-01", "at_time": None, "place": None},
                                    due_at=now, unique_key=f"scale:{i}")
                    for i in range(MESSAGES)
                ], now)
            people = [emu.user(user_id=700_000 + i, first_name="M") for i in range(MESSAGES)]
            for person in people:
                person.known_to_bot = True
            sent_before = emu.stats.sent
            started = time.monotonic()
            killed += await kill_and_restart(fleet, rng, KILLS, (1.0, 3.0))
            await emu.wait_for(lambda: all(p.messages for p in people), timeout=300, what="every message delivered")
            sweep_seconds = time.monotonic() - started
            received = Counter({p.id: len(p.messages) for p in people})
            # --- a rolling restart while 100 more mothers register and 1,000 more messages go ---------
            later = [emu.user(user_id=810_000 + n, first_name=f"Later{n}", language_code="en") for n in range(LATER_MOTHERS)]
            now = datetime.now(UTC)
            async with database.transaction() as conn:
                await outbox.enqueue(conn, [
                    OutgoingMessage(chat_id=700_000 + i, priority=ALERT, kind="test", message_key="appointment.eve",
                                    params={"what": f"check-up {i}", "on_date": "2026-12-02", "at_time": None, "place": None},
                                    due_at=now, unique_key=f"rolling:{i}")
                    for i in range(LATER_MESSAGES)
                ], now)
            registrations = asyncio.gather(*(register(user, 10_000 + n, random.Random(-n)) for n, user in enumerate(later)))
            await restart_one_by_one(fleet, rng, (1.0, 3.0))
            await registrations
            rolling = people[:LATER_MESSAGES]

            def check_ups(person: SimUser) -> int:
                return sum(1 for m in person.messages if "check-up" in (m.text or ""))

            await emu.wait_for(lambda: all(check_ups(p) for p in rolling), timeout=300, what="the later messages")
            async with database.reading() as conn:
                later_rows = (await conn.execute(select(users.c.id, users.c.name).where(users.c.id >= 810_000))).all()
                assert await inbox.waiting_count(conn) == 0
                runs = [(r.job, r.started_at, r.finished_at) for r in await conn.execute(select(job_runs))]
            assert len(later_rows) == LATER_MOTHERS and all(r.name == name_of(10_000 + r.id - 810_000) for r in later_rows)
            resent = sum(check_ups(p) for p in rolling) - LATER_MESSAGES
        finally:
            codes = await fleet.stop()
        await database.close()

    duplicates = sum(received.values()) - MESSAGES
    assert min(received.values()) == 1
    assert duplicates <= KILLS * IN_FLIGHT, f"{duplicates} duplicates for {KILLS} kills with {IN_FLIGHT} in flight"
    assert resent <= len(fleet.workers) * IN_FLIGHT, f"{resent} sent twice during the rolling restart"
    assert emu.stats.rate_limited == 0, f"{emu.stats.rate_limited} answers of 429: the pace was not shared"
    assert runs, "the periodic jobs ran"
    assert overlapping_runs(runs) == []
    assert codes == [0, 0, 0], f"workers stopped with {codes}; see {LOGS}"
    print(f"\n300 registrations: {registration_seconds:.1f} s; 5,000 messages: {sweep_seconds:.1f} s; "
          f"killed {killed}; duplicates {duplicates}; rolling restart: resent {resent}; webhook {emu.stats.webhook}; "
          f"sent {emu.stats.sent - sent_before}")

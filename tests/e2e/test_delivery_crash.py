"""The real process (python main.py) killed with SIGKILL five times while it sends 5,000 messages:
none is lost, and each kill costs at most one duplicate per message in flight (one, with
DELIVERY_CONCURRENCY=1)."""

from __future__ import annotations

import random
import signal
from collections import Counter
from datetime import UTC, datetime
from functools import partial

import pytest

from bot.delivery import ALERT
from db import outbox
from db.engine import Database
from db.migrate import upgrade_to_head
from db.outbox import OutgoingMessage
from emulator import BotAPIEmulator
from tests.e2e.harness import spawn_main

MESSAGES = 5000
KILLS = 5


# One message in flight: a kill costs at most one duplicate. Sixteen (outcomes written in groups):
# at most sixteen.
@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("in_flight", [1, 16])
async def test_sigkill_during_a_sweep_loses_nothing(clean_database_url: str, in_flight: int) -> None:
    database = Database(clean_database_url)
    await upgrade_to_head(database)
    now = datetime.now(UTC)
    async with database.transaction() as conn:
        await outbox.enqueue(
            conn,
            [
                OutgoingMessage(
                    chat_id=700_000 + i,
                    priority=ALERT,  # no delivery-hours rule, whatever time the test runs
                    kind="test",
                    message_key="appointment.eve",
                    params={"what": f"visit {i}", "on_date": "2026-12-01", "at_time": None, "place": None},
                    due_at=now,
                    unique_key=f"crash:{i}",
                )
                for i in range(MESSAGES)
            ],
            now,
        )
    await database.close()

    rng = random.Random(20261124)
    async with BotAPIEmulator(rate_limits=None, record_calls=False) as emu:
        start = partial(spawn_main, emu.api_url, clean_database_url, DELIVERY_RATE="1000", DELIVERY_CONCURRENCY=str(in_flight))
        for i in range(MESSAGES):
            emu.user(user_id=700_000 + i, first_name="M").known_to_bot = True
        for _kill in range(KILLS):
            process = await start()
            target = emu.stats.sent + rng.randint(100, 700)
            await emu.wait_for(lambda target=target: emu.stats.sent >= target, timeout=60, what=f"{target} messages sent")
            process.send_signal(signal.SIGKILL)
            await process.wait()
        people = [emu.user(user_id=700_000 + i) for i in range(MESSAGES)]
        process = await start()
        try:
            await emu.wait_for(
                lambda: emu.stats.sent >= MESSAGES and all(person.messages for person in people),
                timeout=120,
                what="every message delivered",
            )
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()

    received = Counter({person.id: len(person.messages) for person in people})
    assert min(received.values()) == 1, "nobody is left without her message"
    duplicates = sum(received.values()) - MESSAGES
    assert duplicates <= KILLS * in_flight, f"{duplicates} duplicates for {KILLS} kills with {in_flight} in flight"
    database = Database(clean_database_url)
    async with database.reading() as conn:
        assert await outbox.count_by_status(conn) == {"sent": MESSAGES}
    await database.close()

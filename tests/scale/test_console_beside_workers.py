"""The console as its own process beside three webhook workers (Step 10): a national admin signs in from
the /console link one worker sent her, then mothers report a danger sign, their answers reaching whichever
worker the shared port gave them; the live board (/alerts/rows, what console/static/live.js asks every
few seconds) shows every alert, whichever worker wrote it."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import update

from db.engine import Database
from db.migrate import upgrade_to_head
from db.schema import users
from emulator import BotAPIEmulator
from emulator.users import SimUser
from tests.console_client import ConsoleBrowser, console_link
from tests.e2e.harness import PUBLIC, redis_or_skip
from tests.scale.conftest import LOGS
from tests.scale.test_three_workers import name_of
from tests.scale.workers import Deployment, console_beside, deployment
from tests.story import ADMIN_ID, FamilySpec, option, register_families, title

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

MOTHERS = 9
FIRST_ID = 820_000
WAIT = 60.0
SIGN = "fits"


async def report_fits(mother: SimUser) -> None:
    """/check, the pregnancy danger signs, «fits» ticked, «📨 Send» — waiting for each answer as she would."""
    await mother.send("/check")
    await mother.wait_for_message(lambda m: title("danger_preg") in m.button_labels(), timeout=WAIT)
    await mother.click(title("danger_preg"))
    box = "◻️ " + option("danger_preg", SIGN)
    await mother.wait_for_message(lambda m: box in m.button_labels(), timeout=WAIT)
    await mother.click(box)
    await mother.wait_for_callback_answer(timeout=WAIT)
    await mother.wait_for_message(lambda m: "📨 Send" in m.button_labels() and box not in m.button_labels(), timeout=WAIT)
    await mother.click("📨 Send")
    await mother.wait_for_callback_answer(timeout=WAIT)


async def updates_per_worker(fleet: Deployment) -> dict[str, float]:
    """What each worker's /metrics says it handled (anabala_updates_total, all types)."""
    handled = {}
    for worker in fleet.workers:
        text = await fleet.metrics(worker)
        handled[worker.name] = sum(float(m.group(1)) for m in re.finditer(r"^anabala_updates_total\{[^}]*\} (\S+)$", text, re.M))
    return handled


async def board_rows(browser: ConsoleBrowser) -> str:
    page = await browser.get("/alerts/rows")
    assert browser.status == 200, page
    return page


async def test_the_live_board_shows_alerts_whichever_worker_took_them(postgres_url: str) -> None:
    await redis_or_skip()
    LOGS.mkdir(parents=True, exist_ok=True)
    database = Database(postgres_url)
    await upgrade_to_head(database)
    now = datetime.now(UTC)
    specs = [FamilySpec(id=FIRST_ID + n, lang="en", due=(now + timedelta(weeks=10)).date()) for n in range(MOTHERS)]
    await register_families(database, specs, now)  # at week 30, her polyclinic almaty_pc1
    async with database.transaction() as conn:
        for n, spec in enumerate(specs):
            await conn.execute(update(users).where(users.c.id == spec.id).values(name=name_of(n)))
    await database.close()

    async with BotAPIEmulator(record_calls=False) as emu:
        fleet = deployment(emu.api_url, postgres_url, LOGS, ADMIN_IDS=str(ADMIN_ID))
        console, console_url = console_beside(fleet, LOGS)
        emu.route_webhook(PUBLIC, f"http://127.0.0.1:{fleet.webhook_port}")
        browser = ConsoleBrowser(console_url)
        await asyncio.gather(fleet.start(), console.start())
        try:
            await console.wait_ready()
            admin = emu.user(user_id=ADMIN_ID, first_name="Dana", language_code="en")
            await admin.send("/start")
            await admin.wait_for_message(timeout=WAIT)
            await admin.send("/console")
            link = await admin.wait_for_message(lambda m: console_url in (m.text or ""), timeout=WAIT)
            assert await browser.sign_in(console_link(link.text or "")) == 200
            assert "data-alert=" not in await board_rows(browser)

            mothers = [emu.user(user_id=spec.id, first_name=f"M{n}", language_code="en") for n, spec in enumerate(specs)]
            await asyncio.gather(*(report_fits(mother) for mother in mothers))

            async def board_shows_all() -> bool:
                page = await board_rows(browser)
                return page.count("data-alert=") == MOTHERS and all(name_of(n) in page for n in range(MOTHERS))

            deadline = asyncio.get_running_loop().time() + 30
            while not await board_shows_all():
                assert asyncio.get_running_loop().time() < deadline, f"the board after 30 s:\n{await board_rows(browser)}"
                await asyncio.sleep(1)
            page = await board_rows(browser)
            assert page.count("nobody yet") == MOTHERS
            handled = await updates_per_worker(fleet)
            assert sum(1 for count in handled.values() if count) >= 2, f"one worker took every update: {handled}"
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{console.metrics_port}/readyz") as ready:
                assert ready.status == 200
        finally:
            await browser.close()
            codes = await asyncio.gather(fleet.stop(), console.stop())
    assert codes == [[0, 0, 0], 0], f"stopped with {codes}; see {LOGS}"
    print(f"\nupdates per worker: {handled}")

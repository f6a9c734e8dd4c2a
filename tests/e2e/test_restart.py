"""The real process (python main.py) killed with SIGKILL mid-registration continues where she was."""

from __future__ import annotations

import asyncio
import signal
from functools import partial

import pytest

from emulator import BotAPIEmulator
from tests.e2e.harness import spawn_main


def texts_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.html or message.text or ""


@pytest.mark.slow
@pytest.mark.timeout(90)
async def test_killed_mid_registration_continues_after_restart(clean_database_url: str) -> None:
    async with BotAPIEmulator() as emu:
        start = partial(spawn_main, emu.api_url, clean_database_url, stderr=asyncio.subprocess.PIPE, DEFAULT_LANGUAGE="kk")
        process = await start()
        try:
            mother = emu.user(user_id=3001, first_name="Aigerim", language_code="ru")
            await mother.send("/start")
            await mother.wait_for_message(timeout=30)
            await mother.click("Русский")
            await mother.wait_for_message(lambda m: bool(m.reply_markup), timeout=10)
            await mother.click("✅")  # "I agree" in Russian starts with the tick
            await mother.wait_for_message(lambda m: bool(m.reply_markup), timeout=10)
            await mother.click("🤰")
            await mother.wait_for_message(timeout=10)  # the keyboard shows her choice
            await mother.click("➡️")
            await mother.wait_for_message(lambda m: not m.reply_markup and not m.edits, timeout=10)  # asks her name
            await mother.send("Айгерим")
            phone_question = await mother.wait_for_message(timeout=10)
            assert "+7 701 123 45 67" in texts_of(phone_question)
        finally:
            process.send_signal(signal.SIGKILL)
            _, first_stderr = await process.communicate()

        # While the bot is down she answers; Telegram keeps the update until the bot is back.
        await mother.send("+7 701 123 45 67")
        process = await start()
        try:
            thanks = await mother.wait_for_message(timeout=30)
            assert "+7 701 123 45 67" in texts_of(thanks)
            region_question = await mother.wait_for_message(lambda m: bool(m.inline_buttons), timeout=10)
            labels = [b["text"] for row in region_question.inline_buttons for b in row]
            assert "г. Алматы" in labels  # the region list, in Russian: she is where she was
        finally:
            process.send_signal(signal.SIGTERM)  # graceful this time
            _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()[-2000:]
        # Logs carry ids and event names, never what she typed.
        log = first_stderr.decode() + stderr.decode()
        assert "event=registration_started" in log
        # (Not a bare "701": a log timestamp's milliseconds can read 701.)
        assert "Айгерим" not in log and "123 45 67" not in log and "1234567" not in log

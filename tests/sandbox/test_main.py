"""`python main.py` without BOT_TOKEN: the sandbox, in a real process; never the bot's own database."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"open (http://127\.0\.0\.1:\d+)")
CONSOLE_LINE = re.compile(r"the console .* is at (http://127\.0\.0\.1:\d+)")
pytestmark = pytest.mark.slow  # each test starts the real process (python main.py)


@pytest.mark.timeout(90)
async def test_without_a_token_main_runs_the_sandbox_and_stops_cleanly(tmp_path: Path) -> None:
    production = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ADMIN_IDS"} and not k.startswith("SANDBOX_")}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{production}",
        SANDBOX_PORT="0",
        SANDBOX_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/sandbox.sqlite3",
        CONSOLE_PORT="0",  # the console beside it, on any free port
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "main.py", "--sandbox", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        found = URL_LINE.search(line)
        assert found, line
        assert "Ctrl+C" in line and "nobody receives anything" in line
        console = CONSOLE_LINE.search(line)
        assert console, line
        state = await asyncio.to_thread(lambda: json.load(urllib.request.urlopen(found.group(1) + "/api/state", timeout=10)))
        assert state["ready"] and len(state["people"]) == 5 and state["console"] == console.group(1)
        sign_in = await asyncio.to_thread(lambda: urllib.request.urlopen(console.group(1) + "/login", timeout=10).read().decode())
        assert "/console" in sign_in
        page = await asyncio.to_thread(lambda: urllib.request.urlopen(found.group(1) + "/", timeout=10).read().decode())
        assert "/static/app.js" in page
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert not production.exists()  # DATABASE_URL is the bot's; the sandbox has its own
    assert (tmp_path / "sandbox.sqlite3").exists() and (tmp_path / "sandbox.chats.json").exists()
    log = stderr.decode()
    assert "event=sandbox_seeded" in log
    # Logs carry ids and event names only: no demo names, phones or texts.
    for private in ("Айгерім", "Мадина", "Алихан", "Gulnara", "Saule", "Dana", "7010000003", "701 000 00 03"):
        assert private not in log, private


@pytest.mark.timeout(60)
async def test_with_database_url_set_and_no_token_it_stops_instead_of_running_the_sandbox(tmp_path: Path) -> None:
    """A deployment whose BOT_TOKEN went missing must not quietly become a demo (Step 7)."""
    production = tmp_path / "bot.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ADMIN_IDS"} and not k.startswith("SANDBOX_")}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{production}", SANDBOX_PORT="0",
               SANDBOX_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/sandbox.sqlite3")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "main.py", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 50)
    assert process.returncode == 2
    said = stderr.decode().strip().splitlines()
    assert len(said) == 1 and "BOT_TOKEN is missing" in said[0] and "--sandbox" in said[0], said
    assert not production.exists() and not (tmp_path / "sandbox.sqlite3").exists() and stdout == b""

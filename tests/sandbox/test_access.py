"""Step 7: the sandbox answers only to its own address (DNS rebinding), and beyond this computer only
to whoever has the key printed at start-up."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from yarl import URL

from sandbox.config import load_sandbox_settings
from tests.sandbox.conftest import RunningSandbox, sandbox_settings, start_sandbox, stop_sandbox


async def test_a_request_under_another_host_name_is_refused(sandbox: RunningSandbox) -> None:
    port = URL(sandbox.url).port
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + "/api/state", headers={"Host": f"attacker.example:{port}"}) as response:
            assert response.status == 421
        async with session.get(sandbox.url + "/api/state", headers={"Host": f"localhost:{port}"}) as response:
            assert response.status == 200
        async with session.get(sandbox.url + "/api/state") as response:
            assert response.status == 200


async def test_served_beyond_loopback_it_needs_the_key_once_then_a_cookie(tmp_path: Path) -> None:
    settings = load_sandbox_settings(SANDBOX_PORT=0, SANDBOX_HOST="0.0.0.0", _env_file=None,
                                     SANDBOX_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/sandbox.sqlite3")
    assert not settings.loopback and sandbox_settings(tmp_path).loopback
    running = await start_sandbox(settings)
    try:
        shown = URL(running.url)
        key = shown.query["key"]
        base = f"http://127.0.0.1:{shown.port}"
        jar = aiohttp.CookieJar(unsafe=True)  # the cookie of an address, not a domain
        async with aiohttp.ClientSession(headers={"Host": f"0.0.0.0:{shown.port}"}, cookie_jar=jar) as session:
            async with session.get(base + "/api/state") as response:
                assert response.status == 401
            async with session.get(base + "/api/state?key=wrong") as response:
                assert response.status == 401
            async with session.get(base + f"/?key={key}", allow_redirects=False) as response:
                assert response.status == 302 and response.headers["Location"] == "/"
            async with session.get(base + "/api/state") as response:  # the cookie now
                assert response.status == 200
    finally:
        await stop_sandbox(running)

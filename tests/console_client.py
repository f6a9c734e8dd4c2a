"""A browser without a screen for the console's tests: follows the link the bot sent, keeps the session
cookie, reads pages, submits forms with their CSRF token. (The headless Chromium test is
tests/console/test_browser.py.)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import aiohttp

_LINK = re.compile(r"(https?://[^\s<]+/login/[A-Za-z0-9_-]+)")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def console_link(text: str) -> str:
    found = _LINK.search(unescape(text))
    assert found, f"no console link in {text!r}"
    return found.group(1)


@dataclass
class ConsoleBrowser:
    base_url: str
    session: aiohttp.ClientSession = field(init=False)
    last: str = ""
    status: int = 0

    def __post_init__(self) -> None:
        # unsafe=True: keep cookies for 127.0.0.1 as a browser does.
        # An English browser: the pages before sign-in speak the browser's language.
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": "en-GB,en;q=0.9"})

    async def close(self) -> None:
        await self.session.close()

    async def sign_in(self, link: str) -> int:
        """Open the link, press "Sign in"; the status of where it lands."""
        await self.get(link)
        async with self.session.post(link, data={}, headers={"Origin": self.base_url}) as response:
            self.last, self.status = await response.text(), response.status
            self.final_url = str(response.url)
        return self.status

    async def get(self, path: str, **params: Any) -> str:
        url = path if path.startswith("http") else self.base_url + path
        async with self.session.get(url, params=params or None) as response:
            self.last, self.status = await response.text(), response.status
            self.headers = response.headers
            self.final_url = str(response.url)
        return self.last

    async def get_bytes(self, path: str, **params: Any) -> tuple[int, bytes, str]:
        async with self.session.get(self.base_url + path, params=params or None) as response:
            return response.status, await response.read(), response.headers.get("Content-Type", "")

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> str:
        if csrf:
            data = {"csrf": self.csrf(), **data}
        async with self.session.post(self.base_url + path, data=data, headers={"Origin": self.base_url}) as response:
            self.last, self.status = await response.text(), response.status
            self.final_url = str(response.url)
        return self.last

    async def post_bytes(self, path: str, data: dict[str, str], *, csrf: bool = True) -> tuple[int, bytes, Any]:
        """A form whose answer is a file: (status, body, headers)."""
        if csrf:
            data = {"csrf": self.csrf(), **data}
        async with self.session.post(self.base_url + path, data=data, headers={"Origin": self.base_url}) as response:
            self.status = response.status
            return response.status, await response.read(), response.headers

    def csrf(self) -> str:
        found = _CSRF.search(self.last)
        assert found, "no form with a CSRF token on the last page"
        return found.group(1)

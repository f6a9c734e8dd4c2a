"""Fixtures: a running emulator and an aiogram Bot wired to it exactly like the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from emulator import BotAPIEmulator

TOKEN = "123456:TESTTOKEN_abcdefgh"


class FastCloseSession(AiohttpSession):
    """AiohttpSession.close() sleeps 250 ms for SSL shutdown; there is no SSL on 127.0.0.1."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class FakeMonotonic:
    """A hand-moved monotonic clock for the rate limiter: limits are tested without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_bot(emu: BotAPIEmulator, token: str = TOKEN) -> Bot:
    session = FastCloseSession(api=TelegramAPIServer.from_base(emu.api_url))
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator() as emulator:
        yield emulator
        assert emulator.internal_errors == [], "the emulator itself failed; see the log"


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    bot = make_bot(emu)
    yield bot
    await bot.session.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def raw_call(
    http: aiohttp.ClientSession,
    emu: BotAPIEmulator,
    method: str,
    *,
    data: dict[str, Any] | None = None,
    json: dict[str, Any] | None = None,
    params: dict[str, str] | None = None,
    token: str = TOKEN,
) -> tuple[int, dict[str, Any]]:
    """POST like any HTTP client would; returns (status, decoded body)."""
    async with http.post(f"{emu.api_url}/bot{token}/{method}", data=data, json=json, params=params) as resp:
        return resp.status, await resp.json()

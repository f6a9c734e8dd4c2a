"""Update throughput of the whole stack against a bare aiogram echo bot, side by side in one run.

Both bots poll the same kind of emulator over loopback HTTP, in the same process and event loop,
driven by the same closed-loop load: `--concurrency` simulated people, each sending her next
update when the previous one was answered. Ours: registered mothers sending typical updates
(/profile, /help, a free-text message, a tap on a profile-card button) through the real wiring
(middlewares, FSM storage on the database, i18n, handlers). Echo: aiogram's Dispatcher with one
handler that answers the text and one that answers a press.

    .venv/bin/python -m bench.updates --updates 3000 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.app import build_application
from bot.clock import ManualClock
from bot.config import load_settings
from bot.domain.flow import Draft
from bot.services.families import insert_family
from db.migrate import upgrade_to_head
from emulator import BotAPIEmulator, SimUser

TOKEN = "123456:BENCH-token-for-emulator"
START = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
# What a mother sends, in turn; PRESS is a tap on her profile card's button (callback data "pf:show:0":
# routed by value, answered by CallbackAnswerMiddleware, her card sent again).
PRESS = "pf:show:0"
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


async def bench_ours(total: int, concurrency: int, workdir: Path, *, cached: bool = True) -> Result:
    async def run(emu: BotAPIEmulator) -> Result:
        clock = ManualClock(START)
        settings = load_settings(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=emu.api_url,
            DATABASE_URL=f"sqlite+aiosqlite:///{workdir}/bench.sqlite3",  # folder made on demand
            LOG_LEVEL="WARNING",
            _env_file=None,
        )
        app = build_application(settings, clock=clock)
        if not cached:  # every update reads the database, as for a mother the caches have forgotten
            app.context.database.families.max_size = 0
            app.context.fsm_storage.cache_size = 0
        await upgrade_to_head(app.context.database)
        users = []
        for i in range(concurrency):
            user_id = 10_000 + i
            lang = ("kk", "ru", "en")[i % 3]
            await insert_family(app.context.database, clock.now(), date(2026, 11, 24), user_id, draft(lang))
            users.append(emu.user(user_id=user_id, first_name="Mother", language_code=lang))
        task = asyncio.create_task(app.run_polling(handle_signals=False))
        await emu.wait_for_polling(timeout=30)
        seconds, latencies = await drive(emu, users, total, concurrency)
        await app.stop()
        await task
        name = "AnaBala (full stack, SQLite)" + ("" if cached else ", caches off")
        return summarise(name, seconds, latencies)

    return await with_emulator(run)


async def bench_echo(total: int, concurrency: int) -> Result:
    async def run(emu: BotAPIEmulator) -> Result:
        bot = Bot(
            TOKEN,
            session=AiohttpSession(api=TelegramAPIServer.from_base(emu.api_url)),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        dp = Dispatcher()

        again = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="↻", callback_data=PRESS)]])

        @dp.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "?", reply_markup=again)

        @dp.callback_query()
        async def echo_press(callback: CallbackQuery) -> None:
            await callback.answer()
            await bot.send_message(callback.from_user.id, callback.data or "?")

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
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        echo = await bench_echo(args.updates, args.concurrency)
        ours = await bench_ours(args.updates, args.concurrency, Path(tmp) / "warm")
        cold = await bench_ours(args.updates, args.concurrency, Path(tmp) / "cold", cached=False)
    report = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "results": [asdict(echo), asdict(ours), asdict(cold)],
        "cost_ratio_ours_vs_echo": round(echo.updates_per_second / ours.updates_per_second, 2),
        "cost_ratio_caches_off_vs_echo": round(echo.updates_per_second / cold.updates_per_second, 2),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())

"""The bare aiogram echo bot as one webhook process, for `bench.updates --workers`: aiogram's own
SimpleRequestHandler and setWebhook, one handler for text and one for a press; nothing of ours."""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

PRESS = "pf:show:0"  # the data of her profile card's button in AnaBala; the echo bot's own button carries it too


def echo_dispatcher(bot: Bot) -> Dispatcher:
    """One handler that answers the text (with a button to press) and one that answers a press."""
    dp = Dispatcher()
    again = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="↻", callback_data=PRESS)]])

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?", reply_markup=again)

    @dp.callback_query()
    async def echo_press(callback: CallbackQuery) -> None:
        await callback.answer()
        await bot.send_message(callback.from_user.id, callback.data or "?")

    return dp


def echo_bot(api_url: str, token: str) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)),
               default=DefaultBotProperties(parse_mode=ParseMode.HTML))


async def main() -> None:
    bot = echo_bot(os.environ["TELEGRAM_API_URL"], os.environ["BOT_TOKEN"])
    dp = echo_dispatcher(bot)
    app = web.Application()
    secret = os.environ["WEBHOOK_SECRET"]
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path="/telegram")
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["WEBHOOK_PORT"])).start()
    await bot.set_webhook(os.environ["WEBHOOK_URL"], secret_token=secret)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())

"""What the console's request handlers share, as aiohttp application keys."""

from __future__ import annotations

from aiohttp import web

from bot.context import AppContext

CONTEXT: web.AppKey[AppContext] = web.AppKey("context", AppContext)
# Set when the server is bound: the address the bot's links point to.
BASE_URL: web.AppKey[list[str]] = web.AppKey("base_url", list)
# For Telegram's Login Widget (CONSOLE_TELEGRAM_LOGIN).
BOT_USERNAME: web.AppKey[str] = web.AppKey("bot_username", str)

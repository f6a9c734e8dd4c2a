"""The command menu in each language (setMyCommands), and per chat for her chosen language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import gettext as _

from bot.config import SUPPORTED_LANGUAGES
from bot.context import AppContext


def mother_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Start or resume")),
        BotCommand(command="calendar", description=_("My care calendar")),
        BotCommand(command="appointments", description=_("My appointments")),
        BotCommand(command="profile", description=_("My details")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("What I can do")),
        BotCommand(command="privacy", description=_("What data I keep")),
        BotCommand(command="stop", description=_("Pause messages")),
        BotCommand(command="delete_me", description=_("Erase my data")),
    ]


async def register_commands(bot: Bot, app: AppContext) -> None:
    """One menu per Telegram app language, and the default language for every other app."""
    # Outside a handler the i18n context is not set by the middleware: set it here.
    with app.i18n.context():
        for code in SUPPORTED_LANGUAGES:
            with app.i18n.use_locale(code):
                await bot.set_my_commands(mother_commands(), scope=BotCommandScopeDefault(), language_code=code)
        with app.i18n.use_locale(app.settings.default_language):
            await bot.set_my_commands(mother_commands(), scope=BotCommandScopeDefault())


async def set_chat_commands(bot: Bot, chat_id: int, language: str, app: AppContext) -> None:
    """Her menu in the language she chose, whatever her Telegram app's language is."""
    with app.i18n.context(), app.i18n.use_locale(language):
        await bot.set_my_commands(mother_commands(), scope=BotCommandScopeChat(chat_id=chat_id))

"""The command menu in each language (setMyCommands), and per chat: a mother's in the language she
chose, a nurse's or an admin's with their own commands only (BotCommandScopeChat)."""

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
        BotCommand(command="check", description=_("A short self-check")),
        BotCommand(command="nurse", description=_("My nurse: ask a question")),
        BotCommand(command="plan", description=_("My support plan")),
        BotCommand(command="profile", description=_("My details")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("What I can do")),
        BotCommand(command="privacy", description=_("What data I keep")),
        BotCommand(command="stop", description=_("Pause messages")),
        BotCommand(command="delete_me", description=_("Erase my data")),
    ]


def nurse_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Nurse menu")),
        BotCommand(command="families", description=_("My families")),
        BotCommand(command="alerts", description=_("Open alerts")),
        BotCommand(command="questions", description=_("Questions from families")),
        BotCommand(command="today", description=_("My day")),
        BotCommand(command="console", description=_("Open the console")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("What I can do")),
    ]


def admin_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Admin menu")),
        BotCommand(command="families", description=_("Families in my area")),
        BotCommand(command="alerts", description=_("Open alerts")),
        BotCommand(command="unassigned", description=_("Families without a nurse")),
        BotCommand(command="invite", description=_("Invite a nurse or an admin")),
        BotCommand(command="staff", description=_("Staff")),
        BotCommand(command="broadcast", description=_("New announcement")),
        BotCommand(command="broadcasts", description=_("Past announcements")),
        BotCommand(command="stats", description=_("Statistics")),
        BotCommand(command="console", description=_("Open the console")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("What I can do")),
    ]


def head_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Menu")),
        BotCommand(command="console", description=_("Open the console")),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="help", description=_("What I can do")),
    ]


def staff_commands(role: str) -> list[BotCommand]:
    if role == "admin":
        return admin_commands()
    return head_commands() if role == "head" else nurse_commands()


async def register_commands(bot: Bot, app: AppContext) -> None:
    """One menu per Telegram app language, and the default language for every other app."""
    # Outside a handler the i18n context is not set by the middleware: set it here.
    with app.i18n.context():
        for code in SUPPORTED_LANGUAGES:
            with app.i18n.use_locale(code):
                await bot.set_my_commands(mother_commands(), scope=BotCommandScopeDefault(), language_code=code)
        with app.i18n.use_locale(app.settings.default_language):
            await bot.set_my_commands(mother_commands(), scope=BotCommandScopeDefault())


async def set_chat_commands(bot: Bot, chat_id: int, language: str, app: AppContext, role: str | None = None) -> None:
    """Her menu in the language she chose, whatever her Telegram app's language is; staff (`role`)
    get their own menu instead."""
    with app.i18n.context(), app.i18n.use_locale(language):
        commands = staff_commands(role) if role else mother_commands()
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))


async def clear_chat_commands(bot: Bot, chat_id: int) -> None:
    """Back to the menu for everyone (e.g. when a nurse leaves the programme)."""
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))


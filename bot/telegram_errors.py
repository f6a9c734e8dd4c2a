"""What Telegram's 400s mean when the bot edits one of its own messages: read here, in one place."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest


def unchanged(error: TelegramBadRequest) -> bool:
    """The edit would change nothing (the same screen pressed twice): fine, nothing to do."""
    return "message is not modified" in error.message


def gone(error: TelegramBadRequest) -> bool:
    """The message was deleted meanwhile."""
    return "message to edit not found" in error.message


def uneditable(error: TelegramBadRequest) -> bool:
    """Telegram will not let this message be edited any more: a new one must take its place."""
    return "can't be edited" in error.message

"""The short replies every feature shares: a refusal, a typed text that cannot be saved, a date out of range."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def not_available() -> str:
    return _("This is not available to you.")


def text_reply(problem: str, limit: int, length: int) -> str:
    """What to say when a typed text cannot be saved (see bot.domain.caseload.text_problem)."""
    if problem == "too_long":
        return _("This is {length} characters; please keep it to {limit} or fewer.").format(length=length, limit=limit)
    return _("Please type it as text.")


def from_today() -> str:
    return _("Please type a date from today to one year ahead.")

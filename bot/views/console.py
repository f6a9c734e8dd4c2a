"""The console's link as staff read it in Telegram."""

from __future__ import annotations

from aiogram import html
from aiogram.utils.i18n import gettext as _


def console_link_text(link: str) -> str:
    return _(
        "Your link to the AnaBala console:\n{link}\n\n"
        "It works once, for 10 minutes, and only for you: do not forward it. "
        "The session lasts 12 hours; /console gives a new link any time."
    ).format(link=html.quote(link))

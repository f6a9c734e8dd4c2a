"""How long something has waited, as staff read it in Telegram and in the console."""

from __future__ import annotations

from datetime import timedelta

from aiogram.utils.i18n import gettext as _


def duration(span: timedelta) -> str:
    """"4 min", "2 h 05 min", "3 d 4 h"."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return _("{days} d {hours} h").format(days=days, hours=hours)

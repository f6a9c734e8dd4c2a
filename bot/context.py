"""What handlers and jobs share: injected into handlers by name as `app`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiogram.utils.i18n import I18n

from bot.clock import Clock, local_today
from bot.config import Settings
from db.engine import Database
from db.fsm_storage import DatabaseStorage


@dataclass(slots=True)
class AppContext:
    settings: Settings
    database: Database
    clock: Clock
    i18n: I18n
    fsm_storage: DatabaseStorage
    errors: int = 0  # unexpected handler errors since start: tests expect 0
    # Where the console answers (its CONSOLE_URL, or the address it bound): None while it does not run.
    console_url: str | None = None

    def today(self) -> date:
        return local_today(self.clock, self.settings.tz)

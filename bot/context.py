"""What handlers and jobs share: injected into handlers by name as `app`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date

from aiogram.utils.i18n import I18n

from bot.clock import Clock, local_today
from bot.config import Settings
from bot.metrics import Metrics
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
    metrics: Metrics = field(default_factory=Metrics)  # what /metrics shows (bot/ops.py)
    # More of what /readyz asks beyond the database (Redis, the webhook): each returns a problem or None.
    readiness: list[Callable[[], Awaitable[str | None]]] = field(default_factory=list)

    def today(self) -> date:
        return local_today(self.clock, self.settings.tz)

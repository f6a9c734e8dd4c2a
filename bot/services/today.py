"""A nurse's day at a glance (Step 9): the console's "My day" and /today in Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.context import AppContext
from bot.domain.access import Actor


@dataclass(frozen=True, slots=True)
class NurseDay:
    on: date
    open_alerts: list[object] = field(default_factory=list)


async def nurse_day(app: AppContext, actor: Actor) -> NurseDay:
    return NurseDay(app.today())

"""Loads who is writing into handler data: `family` and `user` (a registered mother, or None),
`staff_member` (her staff row, or None) and `staff` (the same as an Actor for the access rules)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.services.staff import actor_of
from db import families, staff
from db.engine import Database


class UserLoader(BaseMiddleware):
    def __init__(self, database: Database) -> None:
        self.database = database

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        family = await families.cached_family(self.database, tg_user.id) if tg_user is not None else None
        member = await staff.cached_active_staff(self.database, tg_user.id) if tg_user is not None else None
        data["family"] = family
        data["user"] = family.user if family is not None else None
        data["staff_member"] = member
        data["staff"] = actor_of(member) if member is not None else None
        return await handler(event, data)

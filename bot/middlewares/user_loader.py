"""Loads the registered user (or None) into handler data as `user`, with her `family`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from db import families
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
        data["family"] = family
        data["user"] = family.user if family is not None else None
        return await handler(event, data)

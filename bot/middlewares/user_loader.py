"""Loads the registered user (or None) into handler data as `user`."""

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
        user = None
        if tg_user is not None:
            async with self.database.reading() as conn:
                user = await families.get_user(conn, tg_user.id)
        data["user"] = user
        return await handler(event, data)

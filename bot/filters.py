"""Router filters for staff. They only route: every service re-checks role and scope itself."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import TelegramObject
from magic_filter import MagicFilter

from bot.domain.access import Actor, StaffRole

# Who works with families in Telegram: nurses and admins. A polyclinic head watches in the console.
CASEWORK = (StaffRole.NURSE, StaffRole.ADMIN)


class IsStaff(Filter):
    """The update comes from active staff of one of `roles` (by default nurses and admins), as loaded
    by UserLoader."""

    def __init__(self, *roles: StaffRole) -> None:
        self.roles = frozenset(roles or CASEWORK)

    async def __call__(self, event: TelegramObject, staff: Actor | None = None, **_: Any) -> bool:
        return staff is not None and staff.role in self.roles


def any_staff() -> IsStaff:
    return IsStaff(*StaffRole)


def pressed(factory: type[CallbackData]) -> MagicFilter:
    """Any press of `factory`'s buttons, even with data that no longer parses (an old version's action,
    a forged one): a router's last handler for that factory catches these and says so kindly."""
    prefix = factory.__prefix__
    return F.data.startswith(prefix + factory.__separator__) | (F.data == prefix)

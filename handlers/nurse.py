"""The nurse's day: her families, a family card, visits, support plans, appointments she sets (to be written)."""

from __future__ import annotations

from aiogram import Router


def build_router() -> Router:
    return Router(name="nurse")

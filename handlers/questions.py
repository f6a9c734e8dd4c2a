""""Ask my nurse", /nurse, nurses' answers and messages to a family (to be written)."""

from __future__ import annotations

from aiogram import Router


def build_router() -> Router:
    return Router(name="questions")

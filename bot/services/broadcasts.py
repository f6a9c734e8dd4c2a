"""Broadcasts: audience, sending through the delivery engine, progress (to be written)."""

from __future__ import annotations

from aiogram import Bot

from bot.context import AppContext


async def show_progress(app: AppContext, bot: Bot) -> int:
    """Edit the live progress message of each broadcast being sent; returns how many were edited."""
    return 0

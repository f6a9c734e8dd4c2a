"""Questions from families and messages between a family and the nurses (to be written)."""

from __future__ import annotations

from bot.context import AppContext


async def follow_up(app: AppContext) -> int:
    """Unanswered questions: remind the nurse after 24 hours, then pass them to her colleagues."""
    return 0

"""Questions from a family to the nurses: when an unanswered one is followed up, who it goes to
at each step, and who may answer it. Pure rules; the service feeds them what the database says now.

The follow-up, step by step (each step once):
  asked            → her nurse (no nurse: the first tier below that has anyone)
  +24 h unanswered → the same people are reminded
  +48 h unanswered → the next tier: the other nurses of her polyclinic, else her region's admins,
                     else the national admins (and at least 24 h after the reminder, if that was late)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import TypeVar

from bot.domain.access import Actor, FamilyPlace, can_view_family

REMIND_AFTER = timedelta(hours=24)  # unanswered this long: her nurse is reminded, once
ESCALATE_AFTER = timedelta(hours=48)  # unanswered this long: it goes on to the next tier, once
# A reminder that went late (the bot was down) still leaves this much time before escalating.
ESCALATE_AFTER_REMINDER = ESCALATE_AFTER - REMIND_AFTER

# What a message to or from a family may hold, in UTF-16 code units as Telegram counts them. Below
# Telegram's 4096 so that the line saying who wrote it still fits in the same message.
MAX_TEXT = 3800


class FollowUp(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"


class Tier(IntEnum):
    """Who a question can go to, nearest first."""

    NURSE = 0  # her own nurse
    POLYCLINIC = 1  # the other active nurses of her polyclinic
    REGION = 2  # the admins of her region
    NATIONAL = 3  # the national admins


@dataclass(frozen=True, slots=True)
class QuestionTimes:
    created_at: datetime
    answered_at: datetime | None
    reminded_at: datetime | None
    escalated_at: datetime | None


def follow_up_step(question: QuestionTimes, now: datetime) -> FollowUp | None:
    """The follow-up due for a question now, if any."""
    if question.answered_at is not None or question.escalated_at is not None:
        return None
    if question.reminded_at is None:
        return FollowUp.REMIND if now >= question.created_at + REMIND_AFTER else None
    if now >= escalation_due_at(question.created_at, question.reminded_at):
        return FollowUp.ESCALATE
    return None


def escalation_due_at(created_at: datetime, reminded_at: datetime) -> datetime:
    return max(created_at + ESCALATE_AFTER, reminded_at + ESCALATE_AFTER_REMINDER)


def remind_cutoff(now: datetime) -> datetime:
    """Questions asked at or before this moment are due for a reminder (the query's bound)."""
    return now - REMIND_AFTER


def escalate_cutoffs(now: datetime) -> tuple[datetime, datetime]:
    """(asked at or before, reminded at or before): the bounds of questions due to escalate."""
    return now - ESCALATE_AFTER, now - ESCALATE_AFTER_REMINDER


T = TypeVar("T")


def first_tier(tiers: Sequence[Sequence[T]]) -> Tier | None:
    """Whom a question goes to when asked, and whom the reminder reaches: the nearest tier with anyone."""
    return next((Tier(index) for index, people in enumerate(tiers) if people), None)


def escalation_tier(tiers: Sequence[Sequence[T]]) -> Tier | None:
    """Whom an unanswered question goes on to: the next tier with anyone after the first."""
    first = first_tier(tiers)
    if first is None:
        return None
    return next((Tier(index) for index in range(first + 1, len(tiers)) if tiers[index]), None)


def can_answer(actor: Actor, family: FamilyPlace, *, escalated: bool, replies_to_actor: bool) -> bool:
    """Her nurse and admins in scope always; another nurse of her polyclinic once the question went
    on to her colleagues, while the family has no nurse, or when it answers what she wrote."""
    if can_view_family(actor, family):
        return True
    if not actor.is_nurse or actor.polyclinic is None or actor.polyclinic != family.polyclinic:
        return False
    return escalated or family.nurse_id is None or replies_to_actor


def utf16_len(text: str) -> int:
    """The length Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def preview(text: str, limit: int) -> tuple[str, bool]:
    """At most `limit` UTF-16 units of `text` (never half a character), and whether it was cut."""
    if utf16_len(text) <= limit:
        return text, False
    cut, used = [], 0
    for char in text:
        used += utf16_len(char)
        if used > limit:
            break
        cut.append(char)
    return "".join(cut).rstrip(), True

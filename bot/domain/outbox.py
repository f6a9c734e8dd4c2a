"""What the bot sends on its own initiative, by kind (`outbox.kind`). Pure vocabulary, no I/O.

The kind says who wrote a row, and so who may take it back: re-planning her calendar forgets only
what the calendar wrote (`PLANNED`), never an alert, a nurse's message or an announcement.
"""

from __future__ import annotations

from enum import StrEnum


class OutboxKind(StrEnum):
    # Written by the calendar planner (bot/domain/calendar.py), and forgotten when it plans again:
    REMINDER = "reminder"  # a care item's heads-up or nudge
    GUIDANCE = "guidance"  # the week's or the month's message
    APPOINTMENT = "appointment"  # the evening before one of her appointments, and two hours before
    CHECK = "check"  # a scheduled self-check: its invitation and one nudge
    # Written by the use cases, each kept until it is sent:
    ALERT = "alert"  # a risky answer: the copies to staff, and what she is told of them
    QUESTION = "question"  # to staff: a question of hers waits for an answer
    MESSAGE = "message"  # what staff wrote to her
    NURSE = "nurse"  # news of a family to staff (a birth, a loss, her answer), her nurse's appointment to her
    PLAN = "plan"  # her support plan: a goal added, a goal due
    STAFF = "staff"  # who cares for whom: a new family, her new nurse, families nobody can take
    BROADCAST = "broadcast"  # an announcement, and its report to the admin who sent it


PLANNED: tuple[OutboxKind, ...] = (OutboxKind.REMINDER, OutboxKind.GUIDANCE, OutboxKind.APPOINTMENT, OutboxKind.CHECK)

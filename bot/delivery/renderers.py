"""Every outbox message key and the function that renders it: the one list, read top to bottom.

The outbox stores a key and parameters; at send time `render` looks the key up here. A new kind of
message is one function in its feature's `*_messages` module and one line below.
"""

from __future__ import annotations

from typing import Any

from bot.delivery import (
    broadcast_messages,
    calendar_messages,
    nurse_messages,
    question_messages,
    screening_messages,
    staff_messages,
)
from bot.delivery.render import RenderContext, Rendered, Renderer

RENDERERS: dict[str, Renderer] = {
    # broadcast
    "broadcast": broadcast_messages.broadcast,
    "broadcast.report": broadcast_messages.report,
    # calendar
    "care.heads_up": calendar_messages.heads_up,
    "care.nudge": calendar_messages.nudge,
    "guidance.pregnancy": calendar_messages.pregnancy_week,
    "guidance.child": calendar_messages.child_month,
    "appointment.eve": calendar_messages.appointment_tomorrow,
    "appointment.soon": calendar_messages.appointment_soon,
    # nurse
    "plan.goal_added": nurse_messages.goal_added,
    "plan.goal_due": nurse_messages.goal_due,
    "nurse.appointment_set": nurse_messages.appointment_set,
    "nurse.appointment_answer": nurse_messages.appointment_answer,
    "nurse.appointment_changed": nurse_messages.appointment_changed,
    "nurse.goal_done": nurse_messages.goal_done,
    "nurse.early_baby": nurse_messages.early_baby,
    "nurse.life_event": nurse_messages.life_event,
    # question
    "question.to_staff": question_messages.question_to_staff,
    "question.to_family": question_messages.message_to_family,
    # screening
    "check.invite": screening_messages.check_invite,
    "check.nudge": screening_messages.check_nudge,
    "alert.new": screening_messages.alert_new,
    "alert.seen": screening_messages.alert_seen,
    "alert.taken": screening_messages.alert_taken,
    # staff
    "nurse.assigned": staff_messages.nurse_assigned,
    "staff.new_family": staff_messages.new_family,
    "staff.unassigned_today": staff_messages.unassigned_today,
    "staff.deactivated": staff_messages.staff_deactivated,
}


class UnknownMessageKey(KeyError):
    pass


def render(key: str, params: dict[str, Any], context: RenderContext) -> Rendered | None:
    """None means the message is no longer true (e.g. the item was done meanwhile): drop it."""
    try:
        function = RENDERERS[key]
    except KeyError:
        raise UnknownMessageKey(key) from None
    return function(params, context)

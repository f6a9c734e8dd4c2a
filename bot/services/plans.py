"""The support plan: goals a nurse agrees with a family, each with a next step and a date. She is
told when a goal is added, reminded on its date, and ticks it off (`/plan`); her nurse is told.

The staff side checks first that she may see the family (bot.services.caseload.may_act); a refusal
is audited. The mother's side acts only on her own goals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.context import AppContext
from bot.delivery import REMINDER
from bot.domain.access import Actor
from bot.domain.caseload import MAX_GOAL
from bot.domain.outbox import OutboxKind
from bot.logging_setup import log_event
from bot.services import nurse_notices
from bot.services import staff as staff_service
from bot.services.caseload import DAYS_AHEAD, brief, may_act
from db import caseload, outbox, staff
from db.caseload import GoalRecord
from db.outbox import OutgoingMessage
from db.records import Family

GOAL_REMINDER_AT = time(10, 0)  # her local morning on the goal's date


def _goal_reminder_key(goal: GoalRecord) -> str:
    return f"goal:{goal.id}:{goal.due_on.isoformat()}"


def _goal_params(goal: GoalRecord) -> dict[str, object]:
    return {"goal": goal.id, "text": goal.goal, "step": goal.next_step, "due": goal.due_on.isoformat()}


def goal_texts_ok(goal: str, next_step: str) -> bool:
    return 0 < len(goal) <= MAX_GOAL and 0 < len(next_step) <= MAX_GOAL


def goal_date_ok(due_on: date, today: date) -> bool:
    return today <= due_on <= today + timedelta(days=DAYS_AHEAD)


async def _plan_goal_reminder(app: AppContext, conn: AsyncConnection, goal: GoalRecord, now: datetime) -> None:
    """On the goal's date, in her morning (the delivery engine keeps it inside her hours)."""
    if goal.done or goal.due_on <= app.today():
        return  # a goal for today: the message that it was added says so already
    due = datetime.combine(goal.due_on, GOAL_REMINDER_AT, tzinfo=app.settings.tz).astimezone(UTC)
    message = OutgoingMessage(goal.user_id, REMINDER, OutboxKind.PLAN, "plan.goal_due", _goal_params(goal), due, _goal_reminder_key(goal))
    await outbox.enqueue(conn, [message], now)


async def plan_of(app: AppContext, actor: Actor, family_id: int) -> tuple[Family, list[GoalRecord]] | None:
    """Her support plan, for staff who may see her."""
    found = await brief(app, actor, family_id, "plan")
    if found is None:
        return None
    async with app.database.reading() as conn:
        return found.family, await caseload.goals_of(conn, family_id)


async def add_goal(app: AppContext, actor: Actor, family_id: int, goal: str, next_step: str, due_on: date) -> GoalRecord | None:
    """A goal in her plan: she is told now, and reminded on its date."""
    if not goal_texts_ok(goal, next_step) or not goal_date_ok(due_on, app.today()):
        return None
    if not await may_act(app, actor, family_id, "plan"):
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        goal_id = await caseload.insert_goal(
            conn, user_id=family_id, staff_id=actor.staff_id, goal=goal, next_step=next_step, due_on=due_on, now=now
        )
        record = await caseload.get_goal(conn, goal_id)
        assert record is not None
        added = OutgoingMessage(family_id, REMINDER, OutboxKind.PLAN, "plan.goal_added", _goal_params(record), now, f"goaladd:{goal_id}")
        await outbox.enqueue(conn, [added], now)
        await _plan_goal_reminder(app, conn, record, now)
        await staff.audit(conn, now, actor.user_id, "goal_added", family_id=family_id, goal_id=goal_id)
    log_event("goal_added", user_id=actor.user_id, family_id=family_id, goal_id=goal_id)
    return record


async def goal_for_staff(app: AppContext, actor: Actor, goal_id: int, action: str = "plan") -> GoalRecord | None:
    """A goal of a family she may see (the family comes from the goal, not from the button)."""
    async with app.database.reading() as conn:
        goal = await caseload.get_goal(conn, goal_id)
    if goal is None:
        await staff_service.refuse(app, actor.user_id, action, goal_id=goal_id)
        return None
    return goal if await may_act(app, actor, goal.user_id, action) else None


async def change_goal(
    app: AppContext, actor: Actor, goal_id: int, *, goal: str | None = None, next_step: str | None = None, due_on: date | None = None
) -> GoalRecord | None:
    """Change what a goal says or its date; its reminder follows."""
    current = await goal_for_staff(app, actor, goal_id)
    if current is None:
        return None
    values = {
        key: value for key, value in (("goal", goal), ("next_step", next_step), ("due_on", due_on)) if value is not None
    }
    if not values or not goal_texts_ok(goal or current.goal, next_step or current.next_step):
        return None
    if due_on is not None and not goal_date_ok(due_on, app.today()):
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.update_goal(conn, goal_id, **values)
        await caseload.drop_pending_message(conn, _goal_reminder_key(current))
        record = await caseload.get_goal(conn, goal_id)
        assert record is not None
        await _plan_goal_reminder(app, conn, record, now)
        await staff.audit(conn, now, actor.user_id, "goal_changed", family_id=current.user_id, goal_id=goal_id, fields=",".join(values))
    return record


async def remove_goal(app: AppContext, actor: Actor, goal_id: int) -> GoalRecord | None:
    current = await goal_for_staff(app, actor, goal_id)
    if current is None:
        return None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        await caseload.update_goal(conn, goal_id, removed=True)
        await caseload.drop_pending_message(conn, _goal_reminder_key(current))
        await staff.audit(conn, now, actor.user_id, "goal_removed", family_id=current.user_id, goal_id=goal_id)
    return current


async def my_plan(app: AppContext, user_id: int) -> list[GoalRecord]:
    """/plan: her own support plan."""
    async with app.database.reading() as conn:
        return await caseload.goals_of(conn, user_id)


async def tick_goal(app: AppContext, user_id: int, goal_id: int) -> GoalRecord | None:
    """She did it: no reminder follows, and her nurse sees it. None if not hers or done already."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        goal = await caseload.get_goal(conn, goal_id, user_id)
        if goal is None or not await caseload.mark_goal_done(conn, user_id, goal_id, now):
            return None
        await caseload.drop_pending_message(conn, _goal_reminder_key(goal))
        await nurse_notices.tell_staff(
            conn, user_id, "nurse.goal_done", {"goal": goal.id, "text": goal.goal}, now, f"goaldone:{goal.id}", staff_id=goal.staff_id
        )
    log_event("goal_done", user_id=user_id, goal_id=goal_id)
    return goal

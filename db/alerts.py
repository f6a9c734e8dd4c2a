"""Queries on `alerts` and `alert_recipients`: an alert from a risky answer, who it went to,
who took it, and the ones due to climb to the next tier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.escalation import AlertOutcome
from db.families import _record
from db.schema import alert_recipients, alerts, assignments, staff, users


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    user_id: int
    screening_id: int
    band: str
    created_at: datetime
    tier: int
    rounds: int
    escalate_at: datetime | None
    acknowledged_by: int | None
    acknowledged_at: datetime | None
    outcome: str | None  # an AlertOutcome
    outcome_at: datetime | None


async def insert_alert(
    conn: AsyncConnection, *, user_id: int, screening_id: int, band: str, tier: int, escalate_at: datetime, now: datetime
) -> int:
    result = await conn.execute(
        insert(alerts)
        .values(user_id=user_id, screening_id=screening_id, band=band, created_at=now, tier=tier, escalate_at=escalate_at)
        .returning(alerts.c.id)
    )
    return int(result.scalar_one())


async def get_alert(conn: AsyncConnection, alert_id: int) -> AlertRecord | None:
    row = (await conn.execute(select(alerts).where(alerts.c.id == alert_id))).first()
    return _record(AlertRecord, row) if row else None


async def add_recipients(conn: AsyncConnection, alert_id: int, staff_ids: Sequence[int], tier: int, sent_round: int) -> list[int]:
    """Record who it goes to; returns those not sent it before (each person gets each alert once
    per round, and a person reached at a lower tier is not counted again)."""
    known = {
        row.staff_id
        for row in await conn.execute(select(alert_recipients.c.staff_id).where(alert_recipients.c.alert_id == alert_id))
    }
    new = [staff_id for staff_id in dict.fromkeys(staff_ids) if staff_id not in known]
    if new:
        await conn.execute(
            insert(alert_recipients),
            [{"alert_id": alert_id, "staff_id": s, "tier": tier, "sent_round": sent_round} for s in new],
        )
    if known:
        await conn.execute(
            update(alert_recipients)
            .where(alert_recipients.c.alert_id == alert_id, alert_recipients.c.staff_id.in_(list(known & set(staff_ids))))
            .values(sent_round=sent_round)
        )
    return new


async def recipients(conn: AsyncConnection, alert_id: int) -> list[int]:
    rows = await conn.execute(select(alert_recipients.c.staff_id).where(alert_recipients.c.alert_id == alert_id))
    return [row.staff_id for row in rows]


async def is_recipient(conn: AsyncConnection, alert_id: int, staff_id: int) -> bool:
    row = (
        await conn.execute(
            select(alert_recipients.c.staff_id).where(
                alert_recipients.c.alert_id == alert_id, alert_recipients.c.staff_id == staff_id
            )
        )
    ).first()
    return row is not None


async def acknowledge(conn: AsyncConnection, alert_id: int, staff_id: int, now: datetime) -> bool:
    """She takes it: True for the first one only (two nurses pressing at once: one owner)."""
    result = await conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.acknowledged_at.is_(None))
        .values(acknowledged_by=staff_id, acknowledged_at=now, escalate_at=None)
    )
    return result.rowcount > 0


async def reopen(conn: AsyncConnection, alert_id: int, now: datetime) -> None:
    """Taken, then "could not reach her": nobody owns it again, and it goes to the next tier now."""
    await conn.execute(
        update(alerts).where(alerts.c.id == alert_id).values(acknowledged_by=None, acknowledged_at=None, escalate_at=now)
    )


async def set_outcome(conn: AsyncConnection, alert_id: int, outcome: AlertOutcome, now: datetime) -> None:
    await conn.execute(update(alerts).where(alerts.c.id == alert_id).values(outcome=outcome, outcome_at=now))


async def due_escalations(conn: AsyncConnection, now: datetime, limit: int) -> list[AlertRecord]:
    """Not acknowledged and due to go further (an index range on escalate_at)."""
    rows = await conn.execute(
        select(alerts).where(alerts.c.escalate_at <= now).order_by(alerts.c.escalate_at).limit(limit)
    )
    return [_record(AlertRecord, row) for row in rows]


async def escalated(conn: AsyncConnection, alert_id: int, *, rounds: int, tier: int, escalate_at: datetime) -> bool:
    """Record a step up, if nobody took it (or stepped it) meanwhile."""
    result = await conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.acknowledged_at.is_(None), alerts.c.rounds == rounds - 1)
        .values(rounds=rounds, tier=tier, escalate_at=escalate_at)
    )
    return result.rowcount > 0


def _visible(*, staff_id: int, nurse: bool, region: str | None) -> Any:
    """A nurse sees the alerts of her families and those sent to her; an admin her region's
    (national: all)."""
    if nurse:
        sent_to_her = select(alert_recipients.c.alert_id).where(
            alert_recipients.c.alert_id == alerts.c.id, alert_recipients.c.staff_id == staff_id
        )
        return or_(assignments.c.staff_id == staff_id, sent_to_her.exists())
    return users.c.region == region if region is not None else None


async def open_alerts(
    conn: AsyncConnection, *, staff_id: int, nurse: bool, region: str | None, limit: int = 10, offset: int = 0
) -> tuple[int, list[AlertRecord]]:
    """(how many, a page oldest first) of alerts nobody has taken, within her scope."""
    source = alerts.join(users, users.c.id == alerts.c.user_id).outerjoin(
        assignments, assignments.c.user_id == alerts.c.user_id
    )
    condition: ColumnElement[bool] = alerts.c.acknowledged_at.is_(None)
    visible = _visible(staff_id=staff_id, nurse=nurse, region=region)
    if visible is not None:
        condition = and_(condition, visible)
    total = int((await conn.execute(select(func.count()).select_from(source).where(condition))).scalar_one())
    rows = await conn.execute(
        select(*alerts.c).select_from(source).where(condition).order_by(alerts.c.created_at, alerts.c.id).limit(limit).offset(offset)
    )
    return total, [_record(AlertRecord, row) for row in rows]


async def hasten_for_staff_chat(conn: AsyncConnection, chat_id: int, now: datetime) -> int:
    """Open alerts sent to this chat's staff member go further now (her chat cannot be reached)."""
    sent_to_chat = (
        select(alert_recipients.c.alert_id)
        .join(staff, staff.c.id == alert_recipients.c.staff_id)
        .where(staff.c.user_id == chat_id)
    )
    result = await conn.execute(
        update(alerts)
        .where(alerts.c.acknowledged_at.is_(None), alerts.c.escalate_at > now, alerts.c.id.in_(sent_to_chat))
        .values(escalate_at=now)
    )
    return result.rowcount


async def count_open_for(conn: AsyncConnection, user_id: int) -> int:
    return int(
        (
            await conn.execute(
                select(func.count()).select_from(alerts).where(alerts.c.user_id == user_id, alerts.c.acknowledged_at.is_(None))
            )
        ).scalar_one()
    )

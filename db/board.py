"""The console's live board of alerts (Step 9): every alert in a scope that nobody has closed yet.
Reads the partial index ix_alerts_unresolved, so its cost follows the open alerts, not the families."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from db.caseload import Scope
from db.schema import alerts, assignments, staff, users

UNRESOLVED = or_(alerts.c.outcome.is_(None), alerts.c.outcome == "unreached")


@dataclass(frozen=True, slots=True)
class BoardRow:
    alert_id: int
    family_id: int
    family_name: str
    region: str
    polyclinic: str | None
    band: str
    created_at: datetime
    tier: int
    acknowledged_at: datetime | None
    taken_by: str | None  # the name of the staff member who took it
    nurse_id: int | None


def in_scope(scope: Scope) -> ColumnElement[bool] | None:
    """Families of a nurse, a polyclinic, a region; None: everyone (a national admin)."""
    if scope.staff_id is not None:
        return assignments.c.staff_id == scope.staff_id
    if scope.polyclinic is not None:
        return users.c.polyclinic == scope.polyclinic
    if scope.region is not None:
        return users.c.region == scope.region
    return None


async def open_alerts(conn: AsyncConnection, scope: Scope, *, limit: int) -> list[BoardRow]:
    """Unclosed alerts in scope, oldest first (at most `limit`)."""
    taker = staff.alias("taker")
    condition: ColumnElement[bool] = UNRESOLVED
    visible = in_scope(scope)
    if visible is not None:
        condition = and_(condition, visible)
    query = (
        select(
            alerts.c.id.label("alert_id"), alerts.c.user_id.label("family_id"), users.c.name.label("family_name"),
            users.c.region, users.c.polyclinic, alerts.c.band, alerts.c.created_at, alerts.c.tier,
            alerts.c.acknowledged_at, taker.c.name.label("taken_by"), assignments.c.staff_id.label("nurse_id"),
        )
        .select_from(
            alerts.join(users, users.c.id == alerts.c.user_id)
            .outerjoin(assignments, assignments.c.user_id == alerts.c.user_id)
            .outerjoin(taker, taker.c.id == alerts.c.acknowledged_by)
        )
        .where(condition)
        .order_by(alerts.c.created_at, alerts.c.id)
        .limit(limit)
    )
    return [BoardRow(**row._mapping) for row in await conn.execute(query)]

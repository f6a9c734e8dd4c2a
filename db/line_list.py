"""The console's lists (Step 9): the families line list (filtered, counted up to a cap, paged by name)
with a page's details read in one query, and the nurses table's figures, one grouped query per figure.

Every query is limited to a `Scope` (db.board.in_scope): a nurse's own families, a polyclinic's, a
region's, or everyone's. The definitions of "missed checks" and "overdue home visit" are in
bot/domain/line_list.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, false, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.caseload import RiskLevel
from bot.domain.line_list import (
    BABY_DAYS,
    MISSED_AFTER,
    MISSED_WINDOW,
    VISIT_EVERY,
    LineFilters,
    Stage,
)
from bot.domain.outbox import OutboxKind
from bot.domain.pregnancy import PregnancyStatus
from db.board import UNRESOLVED, in_scope
from db.caseload import Scope
from db.outbox import OutboxStatus
from db.schema import (
    alerts,
    assignments,
    children,
    family_care,
    family_messages,
    home_visits,
    outbox,
    pregnancies,
    screenings,
    staff,
    users,
)
from db.screenings import ScreeningStatus

_FAMILIES = users.outerjoin(assignments, assignments.c.user_id == users.c.id).outerjoin(
    family_care, family_care.c.user_id == users.c.id
)


def _pregnant() -> ColumnElement[bool]:
    return exists().where(pregnancies.c.user_id == users.c.id, pregnancies.c.status == PregnancyStatus.ACTIVE.value)


def _has_child(born_after: date | None = None) -> ColumnElement[bool]:
    condition = exists().where(children.c.user_id == users.c.id)
    if born_after is not None:
        condition = exists().where(children.c.user_id == users.c.id, children.c.birth_date > born_after)
    return condition


def _stage(stage: Stage) -> ColumnElement[bool]:
    if stage is Stage.PREGNANT:
        return _pregnant()
    if stage is Stage.CHILD:
        return and_(not_(_pregnant()), _has_child())
    return and_(not_(_pregnant()), not_(_has_child()), users.c.planning == true())


def _progressive() -> ColumnElement[bool]:
    return family_care.c.risk_level == RiskLevel.PROGRESSIVE.value


def _open_alert() -> ColumnElement[bool]:
    return exists().where(alerts.c.user_id == users.c.id, UNRESOLVED)


def _missed_checks(now: datetime) -> ColumnElement[bool]:
    """A check nudge sent between MISSED_WINDOW and MISSED_AFTER ago, with no scheduled check begun since."""
    answered = exists().where(
        screenings.c.user_id == outbox.c.chat_id,
        screenings.c.occurrence.is_not(None),
        screenings.c.status != ScreeningStatus.ABANDONED.value,
        screenings.c.started_at >= outbox.c.sent_at,
    )
    return exists().where(
        outbox.c.chat_id == users.c.id,
        outbox.c.kind == OutboxKind.CHECK.value,
        outbox.c.message_key == "check.nudge",
        outbox.c.status == OutboxStatus.SENT.value,
        outbox.c.sent_at <= now - MISSED_AFTER,
        outbox.c.sent_at > now - MISSED_WINDOW,
        not_(answered),
    )


def _not_visited_since(now: datetime, today: date, days: int) -> ColumnElement[bool]:
    since = today - timedelta(days=days)
    visited = exists().where(home_visits.c.user_id == users.c.id, home_visits.c.visited_on >= since)
    return and_(users.c.created_at < now - timedelta(days=days), not_(visited))


def _overdue_visit(now: datetime, today: date) -> ColumnElement[bool]:
    in_patronage = or_(_pregnant(), _has_child(born_after=today - timedelta(days=BABY_DAYS)))
    progressive = _progressive()
    return and_(
        in_patronage,
        or_(
            and_(progressive, _not_visited_since(now, today, VISIT_EVERY[RiskLevel.PROGRESSIVE])),
            and_(or_(family_care.c.risk_level.is_(None), not_(progressive)),
                 _not_visited_since(now, today, VISIT_EVERY[RiskLevel.UNIVERSAL])),
        ),
    )


def _conditions(scope: Scope, filters: LineFilters, now: datetime, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    visible = in_scope(scope)
    if visible is not None:
        conditions.append(visible)
    if filters.stage is not None:
        conditions.append(_stage(filters.stage))
    if filters.risk is RiskLevel.PROGRESSIVE:
        conditions.append(_progressive())
    elif filters.risk is RiskLevel.UNIVERSAL:
        conditions.append(or_(family_care.c.risk_level.is_(None), not_(_progressive())))
    if filters.missed:
        conditions.append(_missed_checks(now))
    if filters.overdue:
        conditions.append(_overdue_visit(now, today))
    if filters.alert:
        conditions.append(_open_alert())
    if filters.no_nurse:
        conditions.append(assignments.c.user_id.is_(None))
    if filters.phone is not None:
        conditions.append(users.c.phone.contains(filters.phone, autoescape=True))
    elif filters.names:
        conditions.append(or_(false(), *(users.c.name.contains(name, autoescape=True) for name in filters.names)))
    return conditions


async def count_families(
    conn: AsyncConnection, scope: Scope, filters: LineFilters, now: datetime, today: date, *, cap: int
) -> int:
    """How many families match, counted up to `cap` + 1 (more than `cap`: "cap+")."""
    matching = select(users.c.id).select_from(_FAMILIES).where(*_conditions(scope, filters, now, today)).limit(cap + 1)
    return int((await conn.execute(select(func.count()).select_from(matching.subquery()))).scalar_one())


async def family_ids(
    conn: AsyncConnection, scope: Scope, filters: LineFilters, now: datetime, today: date, *, limit: int, offset: int
) -> list[int]:
    """One page of the matching families' ids, by name."""
    query = (
        select(users.c.id)
        .select_from(_FAMILIES)
        .where(*_conditions(scope, filters, now, today))
        .order_by(users.c.name, users.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [int(row[0]) for row in await conn.execute(query)]


@dataclass(frozen=True, slots=True)
class LineRow:
    id: int
    name: str
    phone: str
    region: str
    polyclinic: str | None
    stage: Stage | None
    nurse: str | None
    risk: RiskLevel
    open_alert: bool


def _line_row(row: Any) -> LineRow:
    stage = (
        Stage.PREGNANT if row.pregnant else Stage.CHILD if row.has_child else Stage.PLANNING if row.planning else None
    )
    return LineRow(
        id=int(row.id), name=row.name, phone=row.phone, region=row.region, polyclinic=row.polyclinic, stage=stage,
        nurse=row.nurse, risk=RiskLevel.PROGRESSIVE if row.risk_level == RiskLevel.PROGRESSIVE.value else RiskLevel.UNIVERSAL,
        open_alert=bool(row.open_alert),
    )


async def line_rows(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, LineRow]:
    """What the list shows of each of these families, in one query."""
    if not ids:
        return {}
    query = (
        select(
            users.c.id, users.c.name, users.c.phone, users.c.region, users.c.polyclinic, users.c.planning,
            _pregnant().label("pregnant"), _has_child().label("has_child"), staff.c.name.label("nurse"),
            family_care.c.risk_level, _open_alert().label("open_alert"),
        )
        .select_from(_FAMILIES.outerjoin(staff, staff.c.id == assignments.c.staff_id))
        .where(users.c.id.in_(list(ids)))
    )
    return {int(row.id): _line_row(row) for row in await conn.execute(query)}


# --- the nurses table --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NurseRecord:
    id: int
    name: str
    polyclinic: str | None
    region: str | None


def _nurses_in(scope: Scope) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [staff.c.role == "nurse", staff.c.active == true()]
    if scope.staff_id is not None:
        conditions.append(staff.c.id == scope.staff_id)
    elif scope.polyclinic is not None:
        conditions.append(staff.c.polyclinic == scope.polyclinic)
    elif scope.region is not None:
        conditions.append(staff.c.region == scope.region)
    return conditions


async def nurses(conn: AsyncConnection, scope: Scope) -> list[NurseRecord]:
    """The active nurses in scope, by name."""
    rows = await conn.execute(
        select(staff.c.id, staff.c.name, staff.c.polyclinic, staff.c.region)
        .where(*_nurses_in(scope)).order_by(staff.c.name, staff.c.id)
    )
    return [NurseRecord(int(row.id), row.name, row.polyclinic, row.region) for row in rows]


@dataclass(frozen=True, slots=True)
class NurseFigures:
    families: dict[int, int]
    progressive: dict[int, int]
    open_alerts: dict[int, int]
    questions: dict[int, int]
    overdue: dict[int, int]
    take_times: dict[int, list[timedelta]]  # alert raised → taken by her, in the window
    answer_times: dict[int, list[timedelta]]  # question asked → answered by her, in the window


async def _counts(conn: AsyncConnection, query: Any) -> dict[int, int]:
    return {int(row[0]): int(row[1]) for row in await conn.execute(query)}


def _overdue_by_nurse(mine: ColumnElement[bool], now: datetime, today: date) -> Any:
    """The overdue-visit rule (_overdue_visit) counted per nurse over all her families at once: joined sets
    (pregnant, a baby, the last visit) instead of a correlated subquery per family."""
    expecting = select(pregnancies.c.user_id).where(pregnancies.c.status == PregnancyStatus.ACTIVE.value).subquery("expecting")
    babies = (
        select(children.c.user_id).where(children.c.birth_date > today - timedelta(days=BABY_DAYS))
        .group_by(children.c.user_id).subquery("babies")
    )
    last = select(home_visits.c.user_id, func.max(home_visits.c.visited_on).label("on")).group_by(home_visits.c.user_id).subquery("last")

    def due(days: int) -> ColumnElement[bool]:
        return and_(users.c.created_at < now - timedelta(days=days), or_(last.c.on.is_(None), last.c.on < today - timedelta(days=days)))

    progressive = _progressive()
    return (
        select(assignments.c.staff_id, func.count())
        .select_from(
            assignments.join(users, users.c.id == assignments.c.user_id)
            .outerjoin(family_care, family_care.c.user_id == users.c.id)
            .outerjoin(expecting, expecting.c.user_id == users.c.id)
            .outerjoin(babies, babies.c.user_id == users.c.id)
            .outerjoin(last, last.c.user_id == users.c.id)
        )
        .where(
            mine,
            or_(expecting.c.user_id.is_not(None), babies.c.user_id.is_not(None)),
            or_(
                and_(progressive, due(VISIT_EVERY[RiskLevel.PROGRESSIVE])),
                and_(or_(family_care.c.risk_level.is_(None), not_(progressive)), due(VISIT_EVERY[RiskLevel.UNIVERSAL])),
            ),
        )
        .group_by(assignments.c.staff_id)
    )


async def nurse_figures(conn: AsyncConnection, scope: Scope, now: datetime, today: date, since: datetime) -> NurseFigures:
    """Each figure of the nurses table for every nurse in scope: one grouped query per figure."""
    nurse_ids = select(staff.c.id).where(*_nurses_in(scope)).scalar_subquery()
    mine = assignments.c.staff_id.in_(nurse_ids)
    by_nurse = assignments.c.staff_id
    families = await _counts(conn, select(by_nurse, func.count()).where(mine).group_by(by_nurse))
    progressive = await _counts(
        conn,
        select(by_nurse, func.count())
        .select_from(assignments.join(family_care, family_care.c.user_id == assignments.c.user_id))
        .where(mine, _progressive())
        .group_by(by_nurse),
    )
    open_alerts = await _counts(
        conn,
        select(by_nurse, func.count())
        .select_from(alerts.join(assignments, assignments.c.user_id == alerts.c.user_id))
        .where(mine, UNRESOLVED, alerts.c.acknowledged_at.is_(None))
        .group_by(by_nurse),
    )
    questions = await _counts(
        conn,
        select(by_nurse, func.count())
        .select_from(family_messages.join(assignments, assignments.c.user_id == family_messages.c.user_id))
        .where(mine, family_messages.c.direction == "in", family_messages.c.answered_at.is_(None))
        .group_by(by_nurse),
    )
    overdue = await _counts(conn, _overdue_by_nurse(mine, now, today))
    take_times: dict[int, list[timedelta]] = {}
    rows = await conn.execute(
        select(alerts.c.acknowledged_by, alerts.c.created_at, alerts.c.acknowledged_at).where(
            alerts.c.acknowledged_at >= since, alerts.c.acknowledged_by.in_(nurse_ids)
        )
    )
    for row in rows:
        take_times.setdefault(int(row.acknowledged_by), []).append(max(row.acknowledged_at - row.created_at, timedelta(0)))
    answer_times: dict[int, list[timedelta]] = {}
    rows = await conn.execute(
        select(family_messages.c.answered_by, family_messages.c.created_at, family_messages.c.answered_at).where(
            family_messages.c.direction == "in",
            family_messages.c.answered_at >= since,
            family_messages.c.answered_by.in_(nurse_ids),
        )
    )
    for row in rows:
        answer_times.setdefault(int(row.answered_by), []).append(max(row.answered_at - row.created_at, timedelta(0)))
    return NurseFigures(families, progressive, open_alerts, questions, overdue, take_times, answer_times)

"""Aggregate queries of the console's overview (Step 9), per place (region, polyclinic) so that one count
of the whole programme serves every scope (bot.domain.overview.overview_of). Every figure is a GROUP BY
or a sum of CASEs in the database; only counts leave it, and, for the time to take an alert, the times of
one month's taken alerts (bounded by how many alerts there are, not by how many families).

Queries start from `users` (a scope's condition, when given: db.caseload.Scope) and reach the other
tables by their user_id indexes, or join grouped sets; instants are UTC (the service turns local days
into them)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, extract, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.content.care import CareKind, load_care_plans
from bot.domain.audience import AGE_BANDS, CHILD_MAX_YEARS, TRIMESTERS, births_in_band, due_dates_in_trimester, years_before
from bot.domain.calendar import CareStatus, Track
from bot.domain.overview import BANDS, Place, PlaceCounts
from bot.domain.pregnancy import FULL_TERM_DAYS, PregnancyStatus
from db.broadcasts import _in_range
from db.caseload import Scope
from db.schema import alerts, assignments, care_states, children, home_visits, outbox, pregnancies, screenings, users
from db.screenings import ScreeningStatus
from db.stats import FAMILIES_WITH_STAGE, REMINDER_KINDS, _day_of, _flag, family_columns


def in_scope(scope: Scope) -> list[ColumnElement[bool]]:
    """Conditions on `users`: a nurse's families, a polyclinic's, a region's; none for everyone."""
    if scope.staff_id is not None:
        return [users.c.id.in_(select(assignments.c.user_id).where(assignments.c.staff_id == scope.staff_id))]
    if scope.polyclinic is not None:
        return [users.c.polyclinic == scope.polyclinic]
    if scope.region is not None:
        return [users.c.region == scope.region]
    return []


# --- families ------------------------------------------------------------------------------------

PLACE = (users.c.region, users.c.polyclinic)


async def place_counts(conn: AsyncConnection, scope: Scope) -> dict[Place, PlaceCounts]:
    """Registered families per (region, polyclinic): by stage, paused, unreachable, without a nurse (the
    same columns as /stats counts: db.stats.family_columns)."""
    query = select(*family_columns()).select_from(FAMILIES_WITH_STAGE).where(*in_scope(scope)).group_by(*PLACE)
    return {(row[0], row[1]): PlaceCounts(*(int(value or 0) for value in row[2:])) for row in await conn.execute(query)}


def _place(row: Any) -> Place:
    return (row[0], row[1])


async def trimester_counts(conn: AsyncConnection, scope: Scope, today: date) -> dict[Place, dict[int, int]]:
    """Women with an active pregnancy, by trimester today (the broadcast audience's ranges), per place."""
    columns = [_flag(_in_range(pregnancies.c.due_date, due_dates_in_trimester(t, today))) for t in TRIMESTERS]
    query = (
        select(*PLACE, *columns)
        .select_from(pregnancies.join(users, users.c.id == pregnancies.c.user_id))
        .where(pregnancies.c.status == PregnancyStatus.ACTIVE, *in_scope(scope))
        .group_by(*PLACE)
    )
    return {
        _place(row): {t: int(value or 0) for t, value in zip(TRIMESTERS, row[2:], strict=True)}
        for row in await conn.execute(query)
    }


async def age_counts(conn: AsyncConnection, scope: Scope, today: date) -> dict[Place, dict[str, int]]:
    """Children under six by age band today (completed years), per place."""
    bands = list(AGE_BANDS)
    columns = [_flag(_in_range(children.c.birth_date, births_in_band(band, today))) for band in bands]
    query = (
        select(*PLACE, *columns)
        .select_from(children.join(users, users.c.id == children.c.user_id))
        .where(children.c.birth_date > years_before(today, CHILD_MAX_YEARS), *in_scope(scope))
        .group_by(*PLACE)
    )
    return {
        _place(row): {band: int(value or 0) for band, value in zip(bands, row[2:], strict=True)}
        for row in await conn.execute(query)
    }


# --- alerts --------------------------------------------------------------------------------------

def _seconds_to_take(conn: AsyncConnection) -> ColumnElement[Any]:
    created, taken = alerts.c.created_at, alerts.c.acknowledged_at
    if conn.dialect.name == "sqlite":  # stored as ISO text
        return (func.julianday(taken) - func.julianday(created)) * 86400.0
    return extract("epoch", taken - created)


_ALERTS = alerts.join(users, users.c.id == alerts.c.user_id)
_EPSILON = 0.01  # seconds: SQLite's julianday arithmetic is a float


async def alert_counts(
    conn: AsyncConnection, scope: Scope, short_since: datetime, long_since: datetime, limits: Mapping[str, timedelta]
) -> dict[Place, dict[tuple[str, int], dict[str, int]]]:
    """Alerts raised since `long_since`, per place and (band, tier reached): raised in the short and the
    long period, taken by someone, taken within the band's wait limit."""
    seconds = _seconds_to_take(conn)
    limit = case(
        *((alerts.c.band == band, literal(limits[band].total_seconds() + _EPSILON)) for band in BANDS),
        else_=literal(limits[BANDS[-1]].total_seconds() + _EPSILON),
    )
    taken = alerts.c.acknowledged_at.is_not(None)
    query = (
        select(
            *PLACE,
            alerts.c.band,
            alerts.c.tier,
            _flag(alerts.c.created_at >= short_since),
            func.count(),
            _flag(taken),
            _flag(and_(taken, seconds <= limit)),
        )
        .select_from(_ALERTS)
        .where(alerts.c.created_at >= long_since, *in_scope(scope))
        .group_by(*PLACE, alerts.c.band, alerts.c.tier)
    )
    names = ("last_short", "last_long", "taken", "within_limit")
    found: dict[Place, dict[tuple[str, int], dict[str, int]]] = {}
    for row in await conn.execute(query):
        found.setdefault(_place(row), {})[(row[2], int(row[3]))] = {
            name: int(value or 0) for name, value in zip(names, row[4:], strict=True)
        }
    return found


async def take_times(conn: AsyncConnection, scope: Scope, since: datetime) -> dict[Place, dict[str, list[float]]]:
    """Per place and band, the time to take (seconds) of every alert raised since `since` and taken: the
    alerts of a month, bounded by how many alerts there are, not by how many families (the median and
    the 90th percentile of any set of places are computed from them)."""
    seconds = _seconds_to_take(conn)
    query = (
        select(*PLACE, alerts.c.band, seconds)
        .select_from(_ALERTS)
        .where(alerts.c.created_at >= since, alerts.c.acknowledged_at.is_not(None), *in_scope(scope))
    )
    found: dict[Place, dict[str, list[float]]] = {}
    for row in await conn.execute(query):
        # SQLite's julianday difference is off by microseconds.
        found.setdefault(_place(row), {}).setdefault(row[2], []).append(round(float(row[3]), 3))
    return found


# --- self-checks, reminders ----------------------------------------------------------------------

def _positive() -> ColumnElement[bool]:
    """As bot.domain.screening.is_positive: a band above none, a step to the full questionnaire, or a
    self-harm answer."""
    return or_(
        and_(screenings.c.band.is_not(None), screenings.c.band != "none"),
        screenings.c.step_to.is_not(None),
        screenings.c.self_harm,
    )


async def self_check_counts(conn: AsyncConnection, scope: Scope, since: datetime) -> dict[Place, dict[str, tuple[int, int, int]]]:
    """Per place and questionnaire, begun since `since`: (started, completed, completed with a positive result)."""
    done = screenings.c.status == ScreeningStatus.DONE
    query = (
        select(*PLACE, screenings.c.questionnaire, func.count(), _flag(done), _flag(and_(done, _positive())))
        .select_from(screenings.join(users, users.c.id == screenings.c.user_id))
        .where(screenings.c.started_at >= since, *in_scope(scope))
        .group_by(*PLACE, screenings.c.questionnaire)
    )
    found: dict[Place, dict[str, tuple[int, int, int]]] = {}
    for row in await conn.execute(query):
        found.setdefault(_place(row), {})[row[2]] = (int(row[3]), int(row[4] or 0), int(row[5] or 0))
    return found


async def reminder_counts(conn: AsyncConnection, scope: Scope, since: datetime) -> dict[Place, tuple[int, int]]:
    """Per place: reminders delivered to families since `since` (as /stats counts them: care and
    appointment reminders with a sent_at), and calendar items she marked done since then."""
    delivered = (
        select(*PLACE, func.count())
        .select_from(outbox.join(users, users.c.id == outbox.c.chat_id))
        .where(outbox.c.sent_at >= since, outbox.c.about.is_(None), outbox.c.kind.in_(REMINDER_KINDS), *in_scope(scope))
        .group_by(*PLACE)
    )
    done = (
        select(*PLACE, func.count())
        .select_from(care_states.join(users, users.c.id == care_states.c.user_id))
        .where(care_states.c.status == CareStatus.DONE, care_states.c.updated_at >= since, *in_scope(scope))
        .group_by(*PLACE)
    )
    sent = {_place(row): int(row[2]) for row in await conn.execute(delivered)}
    marked = {_place(row): int(row[2]) for row in await conn.execute(done)}
    return {place: (sent.get(place, 0), marked.get(place, 0)) for place in sent.keys() | marked.keys()}


# --- patronage visits ----------------------------------------------------------------------------

def patronage_days(track: Track) -> list[int]:
    """The first day of each patronage visit's window on a track (gestational days, or days of age)."""
    return sorted(item.start_day for item in load_care_plans() if item.kind == CareKind.PATRONAGE_VISIT and item.track == track)


async def visit_coverage(conn: AsyncConnection, scope: Scope, today: date) -> dict[Place, tuple[int, int, int]]:
    """Per place: (visits due, visits recorded counted up to each family's due, all visits recorded).

    Due: for each active pregnancy, the antenatal patronage visits whose window has opened (by
    gestational age today); for each child under six, the child patronage visits whose window has
    opened (by age today). Recorded: home visits of those families."""
    pregnancy_due = [
        case((pregnancies.c.due_date <= today + timedelta(days=FULL_TERM_DAYS - day), 1), else_=0)
        for day in patronage_days(Track.PREGNANCY)
    ]
    child_due = [case((children.c.birth_date <= today - timedelta(days=day), 1), else_=0) for day in patronage_days(Track.CHILD)]
    due_rows: list[Select[Any]] = []
    if pregnancy_due:
        due_rows.append(
            select(pregnancies.c.user_id.label("user_id"), _sum(pregnancy_due).label("due"))
            .select_from(pregnancies.join(users, users.c.id == pregnancies.c.user_id))
            .where(pregnancies.c.status == PregnancyStatus.ACTIVE, *in_scope(scope))
        )
    if child_due:
        due_rows.append(
            select(children.c.user_id.label("user_id"), _sum(child_due).label("due"))
            .select_from(children.join(users, users.c.id == children.c.user_id))
            .where(children.c.birth_date > years_before(today, CHILD_MAX_YEARS), *in_scope(scope))
        )
    if not due_rows:
        return {}
    each = union_all(*due_rows).subquery()
    due = select(each.c.user_id, func.sum(each.c.due).label("due")).group_by(each.c.user_id).subquery()
    # Every family's visits grouped once, then joined: no second pass over the families due.
    visits = select(home_visits.c.user_id, func.count().label("visits")).group_by(home_visits.c.user_id).subquery()
    recorded = func.coalesce(visits.c.visits, 0)
    query = (
        select(
            *PLACE,
            func.coalesce(func.sum(due.c.due), 0),
            func.coalesce(func.sum(case((recorded < due.c.due, recorded), else_=due.c.due)), 0),
            func.coalesce(func.sum(recorded), 0),
        )
        .select_from(due.join(users, users.c.id == due.c.user_id).outerjoin(visits, visits.c.user_id == due.c.user_id))
        .group_by(*PLACE)
    )
    return {_place(row): (int(row[2]), int(row[3]), int(row[4])) for row in await conn.execute(query)}


def _sum(terms: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    total: ColumnElement[Any] = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


# --- weekly trends -------------------------------------------------------------------------------

async def _per_week(
    conn: AsyncConnection, column: Any, source: Any, conditions: list[ColumnElement[bool]], week_starts: Sequence[datetime]
) -> dict[Place, list[int]]:
    week = _day_of(column, week_starts).label("week")
    rows = (
        select(*PLACE, week).select_from(source)
        .where(column >= week_starts[0], column < week_starts[-1], *conditions)
        .subquery()
    )
    found: dict[Place, list[int]] = {}
    query = select(rows.c.region, rows.c.polyclinic, rows.c.week, func.count()).group_by(rows.c.region, rows.c.polyclinic, rows.c.week)
    for region, polyclinic, index, count in await conn.execute(query):
        if index is not None:
            found.setdefault((region, polyclinic), [0] * (len(week_starts) - 1))[int(index)] = int(count)
    return found


async def weekly_counts(
    conn: AsyncConnection, scope: Scope, week_starts: Sequence[datetime]
) -> tuple[dict[Place, list[int]], dict[Place, list[int]], dict[Place, list[int]]]:
    """Per place and week (the instants are the weeks' starts and the end of the last): new
    registrations, alerts raised, self-checks completed."""
    registrations = await _per_week(conn, users.c.created_at, users, in_scope(scope), week_starts)
    raised = await _per_week(conn, alerts.c.created_at, _ALERTS, in_scope(scope), week_starts)
    checks = await _per_week(
        conn,
        screenings.c.completed_at,
        screenings.join(users, users.c.id == screenings.c.user_id),
        [screenings.c.status == ScreeningStatus.DONE, *in_scope(scope)],
        week_starts,
    )
    return registrations, raised, checks

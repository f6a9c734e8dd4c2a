"""The console's lists (Step 9): the nurses table, the families line list, a family's page and the
export of the line list. Every use case takes her `Actor` as the database knows her now and reads
only her scope (bot.services.caseload.scope_of): a nurse her own families, a polyclinic head her
polyclinic, a regional admin her region, a national admin everyone. Opening a family, listing
families and exporting them are written to the audit log (ids, codes and counts; for an export, the
reason she typed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.context import AppContext
from bot.domain.access import Actor
from bot.domain.line_list import (
    COUNT_CAP,
    EXPORT_CAP,
    NURSE_WINDOW,
    PAGE_SIZE,
    REASON_MAX,
    ExportFormat,
    LineFilters,
    NurseColumn,
    NurseSort,
    median,
    pages,
)
from bot.logging_setup import log_event
from bot.services import caseload as caseload_service
from bot.services.caseload import FamilyCard, scope_of
from bot.services.snapshots import snapshots
from db import line_list, staff
from db.caseload import Scope
from db.line_list import LineRow

DETAILS_PER_QUERY = 1000


# --- the nurses table --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NurseLine:
    staff_id: int
    name: str
    polyclinic: str | None
    region: str | None
    families: int
    progressive: int
    open_alerts: int
    take_median: timedelta | None  # raised → taken by her, last NURSE_WINDOW
    questions: int
    answer_median: timedelta | None  # asked → answered by her, last NURSE_WINDOW
    overdue: int


def _sort_key(column: NurseColumn) -> Callable[[NurseLine], tuple[Any, ...]]:
    if column is NurseColumn.NAME:
        return lambda line: (line.name.casefold(), line.staff_id)
    if column is NurseColumn.POLYCLINIC:
        return lambda line: (line.polyclinic or "", line.name.casefold(), line.staff_id)
    return lambda line: (getattr(line, column.value), line.name.casefold(), line.staff_id)


def sort_nurses(lines: list[NurseLine], sort: NurseSort) -> list[NurseLine]:
    """By the column asked for; a median nobody has yet (no alert taken, no question answered) last
    either way."""
    key = _sort_key(sort.column)
    if sort.column in (NurseColumn.TAKE_MEDIAN, NurseColumn.ANSWER_MEDIAN):
        known = [line for line in lines if getattr(line, sort.column.value) is not None]
        unknown = [line for line in lines if getattr(line, sort.column.value) is None]
        return sorted(known, key=key, reverse=sort.descending) + sorted(unknown, key=_sort_key(NurseColumn.NAME))
    return sorted(lines, key=key, reverse=sort.descending)


async def nurses_table(app: AppContext, actor: Actor, sort: NurseSort) -> list[NurseLine]:
    """The active nurses of her scope with their figures (none for a nurse: the table is not hers)."""
    return (await nurses_with_moment(app, actor, sort))[0]


async def nurses_with_moment(app: AppContext, actor: Actor, sort: NurseSort) -> tuple[list[NurseLine], datetime]:
    """The table and the moment its figures are true of: counted at most once a minute per scope, and in
    the background once they exist (bot/services/snapshots.py: seconds at national size)."""
    now = app.clock.now()
    if actor.is_nurse:
        return [], now
    every = Scope()  # one count of every nurse serves every scope
    lines, at = await snapshots(app.database, "nurses").get(every, now, lambda: count_nurses(app, every, now))
    assert isinstance(lines, list)
    return sort_nurses([line for line in lines if _in(scope_of(actor), line)], sort), at


def _in(scope: Scope, line: NurseLine) -> bool:
    if scope.polyclinic is not None:
        return line.polyclinic == scope.polyclinic
    if scope.region is not None:
        return line.region == scope.region
    return scope.staff_id is None


async def count_nurses(app: AppContext, scope: Scope, now: datetime) -> list[NurseLine]:
    async with app.database.reading() as conn:
        found = await line_list.nurses(conn, scope)
        figures = await line_list.nurse_figures(conn, scope, now, app.today(), now - NURSE_WINDOW)
    lines = [
        NurseLine(
            staff_id=nurse.id, name=nurse.name, polyclinic=nurse.polyclinic, region=nurse.region,
            families=figures.families.get(nurse.id, 0),
            progressive=figures.progressive.get(nurse.id, 0),
            open_alerts=figures.open_alerts.get(nurse.id, 0),
            take_median=median(figures.take_times.get(nurse.id, [])),
            questions=figures.questions.get(nurse.id, 0),
            answer_median=median(figures.answer_times.get(nurse.id, [])),
            overdue=figures.overdue.get(nurse.id, 0),
        )
        for nurse in found
    ]
    return lines


# --- the families line list ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LinePage:
    rows: list[LineRow]
    total: int  # counted up to COUNT_CAP + 1
    page: int  # from 1
    pages: int

    @property
    def more_than_counted(self) -> bool:
        return self.total > COUNT_CAP


async def _rows(app: AppContext, ids: list[int]) -> list[LineRow]:
    """The details of these families, a batch per query, in the order of `ids` (one erased meanwhile is left out)."""
    found: dict[int, LineRow] = {}
    async with app.database.reading() as conn:
        for start in range(0, len(ids), DETAILS_PER_QUERY):
            found.update(await line_list.line_rows(conn, ids[start : start + DETAILS_PER_QUERY]))
    return [found[family_id] for family_id in ids if family_id in found]


async def families_page(app: AppContext, actor: Actor, filters: LineFilters, page: int) -> LinePage:
    """One page (PAGE_SIZE, by name) of the families in her scope that match the filters; audited."""
    scope = scope_of(actor)
    now, today = app.clock.now(), app.today()
    async with app.database.reading() as conn:
        total = await line_list.count_families(conn, scope, filters, now, today, cap=COUNT_CAP)
        page = min(max(page, 1), pages(total))
        ids = await line_list.family_ids(conn, scope, filters, now, today, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    rows = await _rows(app, ids)
    async with app.database.transaction() as conn:
        await staff.audit(conn, now, actor.user_id, "console_families_listed", page=page, rows=len(rows),
                          filters=_codes(filters))
    return LinePage(rows, total, page, pages(total))


def _codes(filters: LineFilters) -> str:
    return "&".join(f"{name}={value}" for name, value in sorted(filters.codes().items()))


async def family_card(app: AppContext, actor: Actor, family_id: int) -> FamilyCard | None:
    """Her card, read-only, if the family is in her scope (checked and, if not, audited as a refusal by
    the caseload service); each open is audited as the console's."""
    card = await caseload_service.open_card(app, actor, family_id, action="console_open")
    if card is None:
        return None
    async with app.database.transaction() as conn:
        await staff.audit(conn, app.clock.now(), actor.user_id, "console_family_opened", family_id=family_id)
    log_event("console_family_opened", user_id=actor.user_id, family_id=family_id)
    return card


async def export_rows(app: AppContext, actor: Actor, filters: LineFilters, fmt: ExportFormat, reason: str) -> list[LineRow]:
    """Every family in her scope that matches the filters (at most EXPORT_CAP), for a file; written to
    the audit log with the format, the count, the filters and the reason she gave."""
    scope = scope_of(actor)
    now, today = app.clock.now(), app.today()
    async with app.database.reading() as conn:
        ids = await line_list.family_ids(conn, scope, filters, now, today, limit=EXPORT_CAP, offset=0)
    rows = await _rows(app, ids)
    async with app.database.transaction() as conn:
        await staff.audit(conn, now, actor.user_id, "console_export", format=fmt.value, rows=len(rows),
                          filters=_codes(filters), reason=reason[:REASON_MAX])
    log_event("console_export", user_id=actor.user_id, format=fmt.value, rows=len(rows))
    return rows

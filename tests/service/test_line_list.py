"""The console lists' queries on a real database (SQLite here): scope, every filter (missed checks,
overdue home visits, open alerts, no nurse, stage, risk), the capped count, pages, a page's details in
one query, and the nurses table's figures."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert

from bot.clock import ManualClock
from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.domain.caseload import RiskLevel
from bot.domain.line_list import ExportFormat, LineFilters, NurseColumn, NurseSort, Stage
from bot.services import line_list as service
from db import line_list, staff
from db.caseload import Scope
from db.engine import Database
from db.schema import alerts, family_care, family_messages, home_visits, outbox, screenings
from tests.story import FamilySpec, register_families


async def _nurse(database: Database, clock: ManualClock, user_id: int, polyclinic: str, name: str) -> int:
    async with database.transaction() as conn:
        return await staff.insert_staff(conn, user_id=user_id, role="nurse", region="almaty_city", polyclinic=polyclinic,
                                        name=name, phone=None, language="en", invited_by=None, now=clock.now())


async def _world(database: Database, clock: ManualClock) -> tuple[int, int]:
    """Six families registered 100 days ago (see each below); nurse A at No. 1, nurse B at No. 6."""
    now = clock.now()
    today = now.date()
    await register_families(database, [
        FamilySpec(1, due=today + timedelta(days=100)),  # A, progressive, visited 10 days ago
        FamilySpec(2, births=(today - timedelta(days=100),)),  # A, never visited: overdue; a question waits
        FamilySpec(3, planning=True),  # nobody's
        FamilySpec(4, polyclinic="almaty_pc6", due=today + timedelta(days=30)),  # B, an open alert, a missed check
        FamilySpec(5, region="astana", polyclinic="astana_pc1", births=(today - timedelta(days=1100),)),  # a child of 3
        FamilySpec(6, due=today + timedelta(days=60)),  # A, progressive, visited 40 days ago: overdue; check answered
    ], now - timedelta(days=100))
    a = await _nurse(database, clock, 801, "almaty_pc1", "Aliya")
    b = await _nurse(database, clock, 802, "almaty_pc6", "Botagoz")
    async with database.transaction() as conn:
        for family_id, nurse_id in ((1, a), (2, a), (6, a), (4, b)):
            await staff.assign(conn, family_id, nurse_id, now, None)
        await conn.execute(insert(family_care), [
            {"user_id": 1, "risk_level": "progressive", "updated_at": now},
            {"user_id": 6, "risk_level": "progressive", "updated_at": now},
            {"user_id": 2, "risk_level": "universal", "updated_at": now},
        ])
        await conn.execute(insert(home_visits), [
            {"user_id": 1, "staff_id": a, "visited_on": today - timedelta(days=10), "created_at": now},
            {"user_id": 6, "staff_id": a, "visited_on": today - timedelta(days=40), "created_at": now},
        ])
        nudge = {"chat_id": 0, "priority": 2, "kind": "check", "message_key": "check.nudge", "params": "{}",
                 "due_at": now - timedelta(days=3), "status": "sent", "sent_at": now - timedelta(days=3), "created_at": now}
        await conn.execute(insert(outbox), [{**nudge, "chat_id": 4}, {**nudge, "chat_id": 6}])
        started = {"questionnaire": "phq2", "status": "done", "answers": "{}", "updated_at": now, "triggers": "[]"}
        await conn.execute(insert(screenings), [
            {**started, "user_id": 6, "occurrence": "check:x:phq2:1", "started_at": now - timedelta(days=2)},
            {**started, "user_id": 4, "occurrence": None, "started_at": now - timedelta(days=1)},  # chosen in /check: not the check
            {**started, "user_id": 1, "occurrence": None, "started_at": now - timedelta(days=5)},
        ])
        # One insert per row: an executemany takes its columns from the first row.
        await conn.execute(insert(alerts), {"user_id": 4, "screening_id": 2, "band": "urgent", "created_at": now - timedelta(hours=1), "tier": 0})
        await conn.execute(insert(alerts), {"user_id": 1, "screening_id": 3, "band": "high", "created_at": now - timedelta(days=5),
             "acknowledged_by": a, "acknowledged_at": now - timedelta(days=5) + timedelta(minutes=10), "outcome": "called", "tier": 0})
        await conn.execute(insert(family_messages), {"user_id": 2, "direction": "in", "text": "?", "created_at": now - timedelta(hours=3)})
        await conn.execute(insert(family_messages), {"user_id": 1, "direction": "in", "text": "?", "created_at": now - timedelta(days=2),
             "answered_at": now - timedelta(days=2) + timedelta(hours=2), "answered_by": a})
    return a, b


async def _ids(database: Database, clock: ManualClock, scope: Scope, **filters: object) -> list[int]:
    async with database.reading() as conn:
        return await line_list.family_ids(conn, scope, LineFilters(**filters), clock.now(), clock.now().date(),  # type: ignore[arg-type]
                                          limit=50, offset=0)


async def test_every_filter_within_a_scope(database: Database, clock: ManualClock) -> None:
    a, _b = await _world(database, clock)
    everyone, clinic = Scope(), Scope(polyclinic="almaty_pc1")
    assert await _ids(database, clock, everyone) == [1, 2, 3, 4, 5, 6]
    assert await _ids(database, clock, clinic) == [1, 2, 3, 6]
    assert await _ids(database, clock, Scope(region="astana")) == [5]
    assert await _ids(database, clock, Scope(staff_id=a)) == [1, 2, 6]
    assert await _ids(database, clock, everyone, stage=Stage.PREGNANT) == [1, 4, 6]
    assert await _ids(database, clock, everyone, stage=Stage.CHILD) == [2, 5]
    assert await _ids(database, clock, everyone, stage=Stage.PLANNING) == [3]
    assert await _ids(database, clock, everyone, risk=RiskLevel.PROGRESSIVE) == [1, 6]
    assert await _ids(database, clock, clinic, risk=RiskLevel.UNIVERSAL) == [2, 3]
    assert await _ids(database, clock, everyone, missed=True) == [4]
    assert await _ids(database, clock, everyone, overdue=True) == [2, 4, 6]
    assert await _ids(database, clock, clinic, overdue=True) == [2, 6]
    assert await _ids(database, clock, everyone, alert=True) == [4]
    assert await _ids(database, clock, everyone, no_nurse=True) == [3, 5]
    assert await _ids(database, clock, Scope(polyclinic="almaty_pc6"), no_nurse=True, alert=True) == []
    assert await _ids(database, clock, everyone, phone="7010000006") == [6]

    async with database.reading() as conn:
        rows = await line_list.line_rows(conn, [4, 3, 2])
    assert rows[4].stage is Stage.PREGNANT and rows[4].nurse == "Botagoz" and rows[4].open_alert
    assert rows[3].stage is Stage.PLANNING and rows[3].nurse is None and rows[3].risk is RiskLevel.UNIVERSAL
    assert rows[2].stage is Stage.CHILD and not rows[2].open_alert


async def test_the_nurses_table_in_a_scope(app: AppContext, database: Database, clock: ManualClock) -> None:
    a, b = await _world(database, clock)
    head = Actor(staff_id=900, user_id=900, role=StaffRole.HEAD, region="almaty_city", polyclinic="almaty_pc1")
    lines = await service.nurses_table(app, head, NurseSort())
    assert [(n.staff_id, n.families, n.progressive, n.open_alerts, n.questions, n.overdue) for n in lines] == [(a, 3, 2, 0, 1, 2)]
    assert lines[0].take_median == timedelta(minutes=10) and lines[0].answer_median == timedelta(hours=2)

    national = Actor(staff_id=901, user_id=901, role=StaffRole.ADMIN, region=None, polyclinic=None)
    lines = await service.nurses_table(app, national, NurseSort(NurseColumn.OPEN_ALERTS, descending=True))
    assert [(n.staff_id, n.open_alerts, n.take_median) for n in lines] == [(b, 1, None), (a, 0, timedelta(minutes=10))]
    lines = await service.nurses_table(app, national, NurseSort(NurseColumn.TAKE_MEDIAN, descending=True))
    assert [n.staff_id for n in lines] == [a, b]  # nobody's median last, either way
    astana = Actor(staff_id=902, user_id=902, role=StaffRole.ADMIN, region="astana", polyclinic=None)
    assert await service.nurses_table(app, astana, NurseSort()) == []
    nurse = Actor(staff_id=a, user_id=801, role=StaffRole.NURSE, region="almaty_city", polyclinic="almaty_pc1")
    assert await service.nurses_table(app, nurse, NurseSort()) == []


async def test_pages_a_capped_count_and_an_audited_export(app: AppContext, database: Database, clock: ManualClock) -> None:
    await register_families(database, [FamilySpec(1000 + n) for n in range(120)], clock.now())
    head = Actor(staff_id=900, user_id=900, role=StaffRole.HEAD, region="almaty_city", polyclinic="almaty_pc1")
    listing = await service.families_page(app, head, LineFilters(), 3)
    assert (listing.total, listing.page, listing.pages) == (120, 3, 3)
    assert [row.id for row in listing.rows] == list(range(1100, 1120))
    assert (await service.families_page(app, head, LineFilters(), 40)).page == 3  # past the end: the last page
    async with database.reading() as conn:
        assert await line_list.count_families(conn, Scope(), LineFilters(), clock.now(), date.today(), cap=100) == 101

    rows = await service.export_rows(app, head, LineFilters(), ExportFormat.CSV, "Quarterly report")
    assert len(rows) == 120
    async with database.reading() as conn:
        entries = await staff.audit_entries(conn, limit=5)
    assert entries[0]["action"] == "console_export"
    assert entries[0]["details"] == {"filters": "", "format": "csv", "reason": "Quarterly report", "rows": 120}
    assert entries[1]["action"] == "console_families_listed"

"""The console's overview on a small known world: every figure exact, for a national admin, a regional
admin and a polyclinic head; a nurse gets nothing; the figures are kept for a minute.

Today is Tuesday 24.11.2026 in Almaty (10:00, 05:00 UTC); the trend's weeks start on Mondays, the
last one on 23.11.2026, the first on 01.06.2026."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.clock import ManualClock
from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.domain.overview import Coverage, PlaceCounts
from bot.i18n import make_i18n
from bot.services import overview as service
from bot.services.snapshots import snapshots
from db import staff as staff_db
from db.engine import Database
from db.fsm_storage import DatabaseStorage
from db.schema import alerts, care_states, children, home_visits, outbox, pregnancies, screenings, users
from tests.e2e.harness import make_settings

NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
NURSE_1, NURSE_2 = 8001, 8002  # Telegram ids
PC1, PC6, ASTANA_PC = "almaty_pc1", "almaty_pc6", "astana_pc1"


def ago(days: float = 0, minutes: float = 0) -> datetime:
    return NOW - timedelta(days=days, minutes=minutes)


# id: (region, polyclinic, registered at, planning, paused, unreachable, nurse)
FAMILIES = {
    1: ("almaty_city", PC1, ago(2), False, False, False, NURSE_1),
    2: ("almaty_city", PC1, ago(0), False, False, False, NURSE_1),
    3: ("almaty_city", PC1, ago(10), False, False, False, None),
    4: ("almaty_city", PC6, ago(10), True, True, False, None),
    5: ("almaty_city", PC6, ago(30), False, False, True, None),
    6: ("astana", ASTANA_PC, ago(60), False, False, False, NURSE_2),
    7: ("astana", ASTANA_PC, ago(200), False, False, False, None),
}
# (family, due date, status): trimesters 1 (week 10), 2 (week 22), 3 (week 35); a lost one.
PREGNANCIES = [
    (1, TODAY + timedelta(days=208), "active"),
    (2, TODAY + timedelta(days=120), "active"),
    (3, TODAY + timedelta(days=30), "active"),
    (7, TODAY - timedelta(days=100), "lost"),
]
# (family, birth date): 10 days old (band 0–1), three (3–5), six and a half (no band: over five).
CHILDREN = [(5, TODAY - timedelta(days=10)), (6, date(2023, 6, 1)), (6, date(2020, 5, 1))]
# (family, days ago): visits recorded
VISITS = [(1, 5), (2, 30), (2, 3), (3, 7), (6, 100), (6, 50), (6, 20), (7, 300)]
# (family, band, raised at, minutes to take or None, tier reached)
ALERTS = [
    (1, "urgent", ago(1), 10, 0),
    (2, "urgent", ago(3), 20, 1),
    (3, "urgent", ago(10), 5, 0),
    (6, "urgent", ago(2), None, 3),
    (2, "high", ago(20), 240, 0),  # exactly the limit: within it
    (5, "high", ago(5), 300, 2),
    (1, "high", ago(40), 1, 0),  # before the 30 days
]
# (family, questionnaire, status, band, step_to, started (days ago))
CHECKS = [
    (1, "phq2", "done", "none", "phq9", 2),  # a positive short screen
    (1, "phq9", "done", "moderate", None, 2),
    (2, "phq2", "done", "none", None, 3),
    (2, "phq2", "abandoned", None, None, 4),
    (6, "phq2", "open", None, None, 1),
    (5, "dev_2m", "done", "none", None, 8),
    (3, "danger_preg", "done", "urgent", None, 15),
    (3, "phq2", "done", "none", None, 45),  # before the 30 days
]
# (chat, kind, status, sent (days ago) or None, about)
MESSAGES = [
    (1, "reminder", "sent", 1, None),
    (2, "appointment", "sent", 5, None),
    (6, "reminder", "sent", 3, None),
    (1, "guidance", "sent", 1, None),  # not a reminder
    (1, "reminder", "pending", None, None),
    (2, "reminder", "sent", 40, None),  # before the 30 days
    (NURSE_1, "reminder", "sent", 1, 1),  # to staff
]
# (family, status, updated (days ago))
CARE = [(1, "done", 2), (2, "done", 40), (6, "done", 1), (3, "not_for_me", 1)]


async def populate(database: Database) -> None:
    """The world above, straight into the tables."""
    async with database.transaction() as conn:
        nurses = {
            user_id: await staff_db.insert_staff(
                conn, user_id=user_id, role=StaffRole.NURSE, region=region, polyclinic=clinic, name="N", phone=None,
                language="ru", invited_by=None, now=NOW,
            )
            for user_id, clinic, region in ((NURSE_1, PC1, "almaty_city"), (NURSE_2, ASTANA_PC, "astana"))
        }
        for user_id, (region, clinic, at, planning, paused, unreachable, nurse) in FAMILIES.items():
            await conn.execute(insert(users).values(
                id=user_id, language="en", name=f"Mother {user_id}", phone="+77010000000", region=region, polyclinic=clinic,
                polyclinic_unlisted=False, planning=planning, consent_at=at, paused=paused,
                unreachable_at=NOW if unreachable else None, created_at=at, updated_at=at,
            ))
            if nurse:
                await staff_db.assign(conn, user_id, nurses[nurse], NOW, None)
        await conn.execute(insert(pregnancies), [
            {"user_id": u, "due_date": due, "dating_method": "due_date", "status": status, "created_at": NOW, "updated_at": NOW}
            for u, due, status in PREGNANCIES
        ])
        await conn.execute(insert(children), [
            {"user_id": u, "name": "K", "birth_date": born, "sex": "girl", "created_at": NOW} for u, born in CHILDREN
        ])
        await conn.execute(insert(home_visits), [
            {"user_id": u, "staff_id": nurses[NURSE_1], "visited_on": TODAY - timedelta(days=d), "created_at": NOW}
            for u, d in VISITS
        ])
        old = await conn.execute(insert(screenings).values(
            user_id=1, questionnaire="phq9", status="done", band="high", started_at=ago(200), updated_at=ago(200),
            completed_at=ago(200),
        ))
        screening_id = old.inserted_primary_key[0]
        await conn.execute(insert(alerts), [
            {"user_id": u, "screening_id": screening_id, "band": band, "created_at": at, "tier": tier,
             "acknowledged_at": at + timedelta(minutes=m) if m is not None else None,
             "outcome": "called" if m is not None else None}
            for u, band, at, m, tier in ALERTS
        ])
        await conn.execute(insert(screenings), [
            {"user_id": u, "questionnaire": q, "status": status, "band": band, "step_to": step, "started_at": ago(d),
             "updated_at": ago(d), "completed_at": ago(d) if status == "done" else None}
            for u, q, status, band, step, d in CHECKS
        ])
        await conn.execute(insert(outbox), [
            {"chat_id": chat, "priority": 2, "kind": kind, "message_key": "k", "params": "{}", "due_at": NOW,
             "status": status, "sent_at": ago(d) if d is not None else None, "about": about, "created_at": ago(60)}
            for chat, kind, status, d, about in MESSAGES
        ])
        await conn.execute(insert(care_states), [
            {"user_id": u, "track": "pregnancy", "ref_id": n, "item_id": "anc_12w", "status": status, "updated_at": ago(d)}
            for n, (u, status, d) in enumerate(CARE)
        ])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def app(database: Database, clean_database_url: str, clock: ManualClock) -> AsyncIterator[AppContext]:
    await populate(database)
    i18n = make_i18n("en")
    settings = make_settings("http://127.0.0.1:1", clean_database_url)
    yield AppContext(settings=settings, database=database, clock=clock, i18n=i18n, fsm_storage=DatabaseStorage(database, clock))


def admin(region: str | None = None) -> Actor:
    return Actor(staff_id=99, user_id=9001, role=StaffRole.ADMIN, region=region, polyclinic=None)


def head(polyclinic: str = PC1) -> Actor:
    return Actor(staff_id=98, user_id=9002, role=StaffRole.HEAD, region="almaty_city", polyclinic=polyclinic)


async def test_a_national_admin_sees_every_figure_of_the_whole_country(app: AppContext) -> None:
    found = await service.overview(app, admin())
    assert found is not None
    assert found.total == PlaceCounts(registered=7, pregnant=3, planning=1, parents=2, paused=1, unreachable=1, without_nurse=4)
    assert found.total.active == 5
    assert found.places[("almaty_city", PC6)] == PlaceCounts(registered=2, planning=1, parents=1, paused=1, unreachable=1, without_nurse=2)
    assert found.trimesters == {1: 1, 2: 1, 3: 1}
    assert found.ages == {"0_1": 1, "1_2": 0, "2_3": 0, "3_5": 1}

    urgent, high = found.alerts
    assert (urgent.band, urgent.last_short, urgent.last_long, urgent.taken, urgent.within_limit) == ("urgent", 3, 4, 3, 2)
    assert (urgent.median_seconds, urgent.p90_seconds, urgent.within_percent) == (600, 1200, 50)
    assert (high.band, high.last_short, high.last_long, high.taken, high.within_limit) == ("high", 1, 2, 2, 1)
    assert (high.median_seconds, high.p90_seconds) == (270 * 60, 300 * 60)
    assert found.tiers == {0: 2 + 1, 1: 1, 2: 1, 3: 1}

    checks = {c.questionnaire: (c.started, c.completed, c.positive) for c in found.self_checks}
    assert checks == {"phq2": (4, 2, 1), "phq9": (1, 1, 1), "dev_2m": (1, 1, 0), "danger_preg": (1, 1, 1)}
    phq2 = next(c for c in found.self_checks if c.questionnaire == "phq2")
    assert (phq2.completion_percent, phq2.positive_percent) == (50, 50)

    assert (found.reminders_delivered, found.reminders_done) == (3, 2)
    # Due: family 2 one antenatal visit, family 3 two, the 10-day-old two, the three-year-old all ten.
    # Covered: 1 (of 2 recorded) + 1 + 0 + 3; recorded also counts family 1's early visit.
    assert found.coverage == Coverage(due=15, covered=5, recorded=7)
    assert found.coverage.percent == 33

    trend = found.trend
    assert len(trend.weeks) == 26 and trend.weeks[0] == date(2026, 6, 1) and trend.weeks[-1] == date(2026, 11, 23)
    assert _nonzero(trend.registrations) == {16: 1, 20: 1, 23: 2, 24: 1, 25: 1}
    assert _nonzero(trend.alerts) == {19: 1, 22: 1, 23: 1, 24: 3, 25: 1}
    assert _nonzero(trend.checks) == {18: 1, 23: 1, 24: 4}


async def test_a_polyclinic_head_sees_only_her_polyclinic(app: AppContext) -> None:
    found = await service.overview(app, head())
    assert found is not None
    assert list(found.places) == [("almaty_city", PC1)]
    assert found.total == PlaceCounts(registered=3, pregnant=3, without_nurse=1)
    assert found.ages == {"0_1": 0, "1_2": 0, "2_3": 0, "3_5": 0}
    urgent, high = found.alerts
    assert (urgent.last_short, urgent.last_long, urgent.within_limit, urgent.median_seconds, urgent.p90_seconds) == (2, 3, 2, 600, 1200)
    assert (high.last_long, high.within_limit, high.median_seconds, high.p90_seconds) == (1, 1, 240 * 60, 240 * 60)
    assert found.tiers == {0: 2 + 1, 1: 1, 2: 0, 3: 0}
    checks = {c.questionnaire: (c.started, c.completed, c.positive) for c in found.self_checks}
    assert checks == {"phq2": (3, 2, 1), "phq9": (1, 1, 1), "danger_preg": (1, 1, 1)}
    assert (found.reminders_delivered, found.reminders_done) == (2, 1)
    assert found.coverage == Coverage(due=3, covered=2, recorded=4)
    assert sum(found.trend.registrations) == 3


async def test_a_regional_admin_sees_her_region_by_polyclinic(app: AppContext) -> None:
    found = await service.overview(app, admin("almaty_city"))
    assert found is not None
    assert set(found.places) == {("almaty_city", PC1), ("almaty_city", PC6)}
    assert found.total.registered == 5 and found.alerts[0].last_long == 3 and found.alerts[1].last_long == 2
    assert found.coverage == Coverage(due=5, covered=2, recorded=4)


async def test_a_nurse_gets_nothing(app: AppContext) -> None:
    nurse = Actor(staff_id=1, user_id=NURSE_1, role=StaffRole.NURSE, region="almaty_city", polyclinic=PC1)
    assert await service.overview(app, nurse) is None


async def test_one_count_of_the_programme_serves_every_scope_for_a_minute_then_is_counted_again_meanwhile(
    app: AppContext, clock: ManualClock
) -> None:
    snapshots(app.database, "overview").quick = 0.0  # as at national size, where a count takes seconds
    first = await service.overview(app, head())
    assert first is not None and first.total.registered == 3
    async with app.database.transaction() as conn:
        await conn.execute(insert(users).values(
            id=50, language="en", name="New", phone="+77010000000", region="almaty_city", polyclinic=PC1,
            planning=True, consent_at=NOW, created_at=NOW, updated_at=NOW,
        ))
    clock.advance(timedelta(seconds=59))
    again = await service.overview(app, head())
    assert again is not None and again.total.registered == 3 and again.as_of == NOW
    national = await service.overview(app, admin())
    assert national is not None and national.total.registered == 7 and national.as_of == NOW  # the same count, sliced
    clock.advance(timedelta(seconds=1))
    stale = await service.overview(app, head())  # a minute old: shown at once, counted again meanwhile
    assert stale is not None and stale.total.registered == 3
    await snapshots(app.database, "overview").settled()
    fresh = await service.overview(app, head())
    assert fresh is not None and fresh.total.registered == 4 and fresh.as_of == NOW + timedelta(seconds=60)
    clock.advance(timedelta(minutes=16))  # too old to show: counted while she waits
    async with app.database.transaction() as conn:
        await conn.execute(insert(users).values(
            id=51, language="en", name="Newer", phone="+77010000001", region="almaty_city", polyclinic=PC1,
            planning=True, consent_at=NOW, created_at=NOW, updated_at=NOW,
        ))
    latest = await service.overview(app, head())
    assert latest is not None and latest.total.registered == 5


def _nonzero(values: tuple[int, ...]) -> dict[int, int]:
    return {i: v for i, v in enumerate(values) if v}


async def test_the_figures_are_counted_again_in_the_background_only_while_someone_looks(
    app: AppContext, clock: ManualClock
) -> None:
    from bot.services.console_figures import count_again

    assert await count_again(app) is False  # nobody has opened the overview or the nurses: nothing to count
    first = await service.overview(app, admin())
    assert first is not None and first.total.registered == 7
    async with app.database.transaction() as conn:
        await conn.execute(insert(users).values(
            id=52, language="en", name="Later", phone="+77010000002", region="astana", polyclinic=ASTANA_PC,
            planning=True, consent_at=NOW, created_at=NOW, updated_at=NOW,
        ))
    clock.advance(timedelta(minutes=5))
    assert await count_again(app) is True
    counted = await service.overview(app, admin())
    assert counted is not None and counted.total.registered == 8 and counted.as_of == NOW + timedelta(minutes=5)
    clock.advance(timedelta(hours=1, minutes=1))
    assert await count_again(app) is False  # an hour without a look: the counting stops


async def test_where_counting_is_quick_the_figures_are_counted_again_after_two_seconds(app: AppContext, clock: ManualClock) -> None:
    first = await service.overview(app, head())  # a handful of families: the count takes milliseconds
    assert first is not None and first.total.registered == 3
    async with app.database.transaction() as conn:
        await conn.execute(insert(users).values(
            id=53, language="en", name="Soon", phone="+77010000003", region="almaty_city", polyclinic=PC1,
            planning=True, consent_at=NOW, created_at=NOW, updated_at=NOW,
        ))
    clock.advance(timedelta(seconds=1))
    again = await service.overview(app, head())
    assert again is not None and again.total.registered == 3
    clock.advance(timedelta(seconds=1))
    live = await service.overview(app, head())  # counted again while she waits, not shown stale
    assert live is not None and live.total.registered == 4

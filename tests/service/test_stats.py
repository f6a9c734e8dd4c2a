"""Statistics on a small known world: exact counts, medians and daily series, national and regional,
on SQLite and PostgreSQL. Times are chosen around the edges (local midnight, the first day of the
period) so that a count taken by UTC day or a rolling window instead of local days would differ."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from bot.clock import ManualClock
from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.i18n import make_i18n
from bot.services import stats as service
from bot.views.reports import csv_bytes, csv_header, daily_header, overview_text
from db import staff as staff_db
from db.engine import Database
from db.fsm_storage import DatabaseStorage
from db.schema import care_states, children, family_messages, outbox, pregnancies, users
from tests.e2e.harness import make_settings

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 10:00 in Almaty, Tuesday
NURSE_1, NURSE_2 = 8001, 8002  # their Telegram ids
ADMIN_USER = 9001


def local(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ALMATY).astimezone(UTC)


# id: (region, polyclinic, language, planning, pregnancy, children, paused, unreachable, registered at, nurse)
FAMILIES = {
    1: ("almaty_city", "almaty_pc1", "kk", False, "active", 0, False, False, local("2026-11-22", "01:30"), NURSE_1),
    2: ("almaty_city", "almaty_pc1", "ru", False, "active", 1, False, False, local("2026-11-14", "12:00"), NURSE_1),
    3: ("almaty_city", "almaty_pc6", "kk", False, None, 2, True, False, local("2026-10-25", "23:59"), None),
    4: ("almaty_city", None, "kk", True, None, 0, False, True, local("2026-11-24", "09:00"), None),
    5: ("astana", "astana_pc1", "en", True, "lost", 0, False, False, local("2026-10-26", "00:00"), NURSE_2),
    6: ("astana", "astana_pc1", "ru", False, None, 1, True, True, NOW - timedelta(days=100), None),
}

# (chat, kind, status, sent at (local), batch, about)
MESSAGES = [
    (1, "reminder", "sent", local("2026-11-23"), None, None),
    (1, "guidance", "sent", local("2026-11-21"), None, None),
    (1, "reminder", "sent", local("2026-11-04"), None, None),
    (1, "reminder", "pending", None, None, None),
    (1, "appointment", "sent", local("2026-10-15"), None, None),  # before the 30 days
    (2, "appointment", "sent", local("2026-11-18", "00:00"), None, None),  # the first of the 7 days
    (2, "reminder", "failed", None, None, None),
    (5, "guidance", "sent", local("2026-11-16"), None, None),
    (5, "broadcast", "sent", local("2026-11-22", "12:00"), 1, None),
    (3, "broadcast", "sent", local("2026-11-22", "12:00"), 1, None),
    (3, "broadcast", "sent", local("2026-11-09", "12:00"), 2, None),
    (NURSE_1, "staff", "sent", local("2026-11-23"), None, None),  # to staff: not a family
    (1, "question", "sent", local("2026-11-23"), None, 2),  # to her as staff, about family 2
]

# (family, status, updated at)
CARE = [
    (1, "done", NOW - timedelta(days=2)),
    (2, "done", NOW - timedelta(days=12)),
    (5, "done", NOW - timedelta(days=3)),
    (5, "not_for_me", NOW - timedelta(days=1)),
    (6, "done", NOW - timedelta(days=60)),
]

# (family, direction, asked at, minutes to answer or None)
QUESTIONS = [
    (1, "in", NOW - timedelta(days=3), 30),
    (1, "in", NOW - timedelta(days=1), 120),
    (2, "in", NOW - timedelta(days=10), 600),
    (5, "in", NOW - timedelta(days=5), 60),
    (5, "in", NOW - timedelta(days=2), None),
    (3, "in", NOW - timedelta(days=40), 5),  # before the 30 days
    (1, "out", NOW - timedelta(days=1), None),  # the nurse wrote: not a question
]


async def _populate(database: Database) -> None:
    async with database.transaction() as conn:
        nurses = {}
        for user_id, clinic, region in ((NURSE_1, "almaty_pc1", "almaty_city"), (NURSE_2, "astana_pc1", "astana")):
            nurses[user_id] = await staff_db.insert_staff(
                conn, user_id=user_id, role="nurse", region=region, polyclinic=clinic, name="N", phone=None,
                language="ru", invited_by=None, now=NOW,
            )
        for user_id, (region, clinic, lang, planning, pregnancy, kids, paused, unreachable, at, nurse) in FAMILIES.items():
            await conn.execute(insert(users).values(
                id=user_id, language=lang, name="M", phone="+77010000000", region=region, polyclinic=clinic,
                polyclinic_unlisted=clinic is None, planning=planning, consent_at=at, paused=paused,
                unreachable_at=NOW if unreachable else None, created_at=at, updated_at=at,
            ))
            if pregnancy:
                await conn.execute(insert(pregnancies).values(
                    user_id=user_id, due_date=date(2027, 5, 1), dating_method="week", status=pregnancy, created_at=at, updated_at=at,
                ))
            for n in range(kids):
                await conn.execute(insert(children).values(
                    user_id=user_id, name="K", birth_date=date(2025, 1, 1 + n), sex="girl", created_at=at,
                ))
            if nurse:
                await staff_db.assign(conn, user_id, nurses[nurse], NOW, None)
        await conn.execute(insert(outbox), [
            {"chat_id": chat, "priority": 2, "kind": kind, "message_key": "k", "params": "{}", "due_at": sent or NOW,
             "status": status, "sent_at": sent, "batch_id": batch, "about": about, "created_at": NOW - timedelta(days=60)}
            for chat, kind, status, sent, batch, about in MESSAGES
        ])
        await conn.execute(insert(care_states), [
            {"user_id": user_id, "track": "pregnancy", "ref_id": n, "item_id": "visit", "status": status, "updated_at": at}
            for n, (user_id, status, at) in enumerate(CARE)
        ])
        await conn.execute(insert(family_messages), [
            {"user_id": user_id, "direction": direction, "text": "?", "created_at": at,
             "answered_at": at + timedelta(minutes=minutes) if minutes is not None else None}
            for user_id, direction, at, minutes in QUESTIONS
        ])


@pytest.fixture
async def app(database: Database, clean_database_url: str) -> AsyncIterator[AppContext]:
    clock = ManualClock(NOW)
    await _populate(database)
    i18n = make_i18n("en")
    settings = make_settings("http://127.0.0.1:1", clean_database_url)
    context = AppContext(settings=settings, database=database, clock=clock, i18n=i18n, fsm_storage=DatabaseStorage(database, clock))
    with i18n.context(), i18n.use_locale("en"):
        yield context


def admin(region: str | None = None) -> Actor:
    return Actor(staff_id=99, user_id=ADMIN_USER, role=StaffRole.ADMIN, region=region, polyclinic=None)


async def test_national_figures_are_exact(app: AppContext) -> None:
    report = await service.overview(app, admin())
    assert report is not None
    t = report.total
    assert (t.registered, t.pregnant, t.planning, t.parents) == (6, 2, 2, 3)
    assert (t.active, t.paused, t.unreachable, t.without_nurse) == (3, 1, 2, 3)
    assert (t.new_short, t.new_long) == (2, 4)
    assert (t.reminders_short, t.reminders_long, t.tips_short, t.tips_long) == (2, 3, 1, 2)
    assert (t.announcements_short, t.announcements_long, t.delivered_short, t.delivered_long) == (2, 3, 5, 8)
    assert (report.announcements_short, report.announcements_long) == (1, 2)
    assert (t.done_short, t.done_long) == (2, 3)
    assert (t.asked, t.answered) == (5, 4)
    assert report.median_seconds == pytest.approx(90 * 60, abs=1)  # 30, 60, 120, 600 min
    assert report.languages == {"kk": 3, "ru": 2, "en": 1}
    assert {code: f.registered for code, f in report.regions.items()} == {"almaty_city": 4, "astana": 2}
    assert report.polyclinics[("almaty_city", None)].unreachable == 1


async def test_a_regional_admin_counts_only_her_region(app: AppContext) -> None:
    report = await service.overview(app, admin("almaty_city"))
    assert report is not None
    t = report.total
    assert list(report.regions) == ["almaty_city"]
    assert (t.registered, t.pregnant, t.planning, t.parents, t.without_nurse) == (4, 2, 1, 2, 2)
    assert (t.reminders_short, t.reminders_long, t.tips_short, t.tips_long) == (2, 3, 1, 1)
    assert (t.delivered_short, t.delivered_long, t.announcements_long) == (4, 6, 2)
    assert (report.announcements_short, report.announcements_long) == (1, 2)
    assert (t.done_short, t.done_long, t.asked, t.answered) == (1, 2, 3, 3)
    assert report.median_seconds == pytest.approx(120 * 60, abs=1)  # 30, 120, 600 min
    assert report.languages == {"kk": 3, "ru": 1}


async def test_export_has_medians_per_place_and_local_days(app: AppContext) -> None:
    report = await service.export(app, admin())
    assert report is not None
    assert report.region_medians == pytest.approx({"almaty_city": 7200, "astana": 3600}, abs=1)
    assert report.polyclinic_medians == pytest.approx({("almaty_city", "almaty_pc1"): 7200, ("astana", "astana_pc1"): 3600}, abs=1)
    days = {d.day: (d.registrations, d.delivered) for d in report.days}
    assert len(report.days) == 30 and report.days[0].day == date(2026, 10, 26) and report.days[-1].day == date(2026, 11, 24)
    registered = {day: r for day, (r, _d) in days.items() if r}
    # 01:30 on the 22nd in Almaty is still the 21st in UTC; 00:00 on 26.10 is the first day; 23:59 the day before is out.
    assert registered == {date(2026, 11, 22): 1, date(2026, 11, 14): 1, date(2026, 11, 24): 1, date(2026, 10, 26): 1}
    delivered = {day: d for day, (_r, d) in days.items() if d}
    assert delivered == {
        date(2026, 11, 23): 1, date(2026, 11, 21): 1, date(2026, 11, 4): 1, date(2026, 11, 18): 1,
        date(2026, 11, 16): 1, date(2026, 11, 22): 2, date(2026, 11, 9): 1,
    }


async def test_csv_has_a_row_per_region_and_polyclinic_then_the_days(app: AppContext) -> None:
    report = await service.export(app, admin())
    assert report is not None
    data = csv_bytes(report, "en")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == csv_header()
    blank = rows.index([])
    places, daily = rows[1:blank], rows[blank + 1 :]
    by_codes = {(row[0], row[1]): row for row in places}
    registered = csv_header().index("Registered")
    median = csv_header().index("Median time to answer, minutes")
    assert by_codes[("", "")][registered] == "6" and by_codes[("", "")][median] == "90"
    assert by_codes[("almaty_city", "")][registered] == "4"
    assert by_codes[("almaty_city", "almaty_pc1")][registered] == "2"
    assert by_codes[("almaty_city", "-")][registered] == "1"  # polyclinic not in the list
    assert by_codes[("almaty_city", "almaty_pc7")][registered] == "0"  # listed, nobody yet
    assert by_codes[("astana", "astana_pc1")][median] == "60"
    assert by_codes[("almaty_city", "almaty_pc6")][median] == ""
    assert len(by_codes) == len(places)  # no place twice
    assert daily[0] == daily_header() and len(daily) == 31
    assert daily[1] == ["2026-10-26", "1", "0"] and daily[-1] == ["2026-11-24", "1", "0"]


async def test_the_message_shows_the_figures_and_names_nobody(app: AppContext) -> None:
    report = await service.overview(app, admin())
    assert report is not None
    text = overview_text(report, "en", app.settings.tz)
    assert "<b>Registered: 6</b>" in text and "as of 24.11.2026 10:00" in text
    assert "Almaty city: 4" in text and "Astana city: 2" in text
    assert "Median time to answer: 1 h 30 min" in text
    assert "+7701" not in text and len(text) <= 4096


async def test_only_admins_get_statistics_and_every_look_is_audited(app: AppContext) -> None:
    nurse = Actor(staff_id=1, user_id=NURSE_1, role=StaffRole.NURSE, region="almaty_city", polyclinic="almaty_pc1")
    assert await service.overview(app, nurse) is None
    assert await service.export(app, nurse) is None
    assert await service.daily(app, nurse) is None
    await service.overview(app, admin("astana"))
    await service.export(app, admin("astana"))
    await service.daily(app, admin("astana"))
    async with app.database.reading() as conn:
        entries = list(reversed(await staff_db.audit_entries(conn)))
    assert [(e["actor_id"], e["action"], e["details"]) for e in entries] == [
        (NURSE_1, "denied", {"attempted": "stats"}),
        (NURSE_1, "denied", {"attempted": "stats"}),
        (NURSE_1, "denied", {"attempted": "stats"}),
        (ADMIN_USER, "stats_viewed", {"region": "astana"}),
        (ADMIN_USER, "stats_exported", {"format": "csv", "region": "astana"}),
        (ADMIN_USER, "stats_exported", {"format": "png", "region": "astana"}),
    ]


async def test_an_empty_database_gives_zeros(database: Database, clean_database_url: str) -> None:
    clock = ManualClock(NOW)
    i18n = make_i18n("en")
    settings = make_settings("http://127.0.0.1:1", clean_database_url)
    app = AppContext(settings=settings, database=database, clock=clock, i18n=i18n, fsm_storage=DatabaseStorage(database, clock))
    with i18n.context(), i18n.use_locale("en"):
        report = await service.export(app, admin())
        assert report is not None and report.total.registered == 0 and report.median_seconds is None
        assert [d.registrations + d.delivered for d in report.days] == [0] * 30
        assert "no answered questions yet" in overview_text(report, "en", settings.tz)

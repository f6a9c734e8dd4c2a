"""Announcements on a real database: the recipients' query agrees with the audience rules, and
writing the rows is complete, idempotent and resumable; pause, resume and cancel move the rows."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import load_settings
from bot.context import AppContext
from bot.domain.access import Actor, StaffRole
from bot.domain.audience import Audience, fits, selection
from bot.i18n import make_i18n
from bot.services import broadcasts as service
from db import broadcasts as db
from db import outbox as outbox_db
from db import staff as staff_db
from db.engine import Database
from db.fsm_storage import DatabaseStorage
from db.schema import outbox
from tests.story import FamilySpec, register_families

TODAY = date(2026, 11, 24)
NATIONAL = Actor(1, 9_000_001, StaffRole.ADMIN, None, None)
ALMATY_ADMIN = Actor(2, 9_000_002, StaffRole.ADMIN, "almaty_city", None)


def population() -> list[FamilySpec]:
    """Every kind of family the filters tell apart, in every language and two regions."""
    stages: list[dict[str, object]] = [{}, {"planning": True}, {"planning": True, "due": TODAY + timedelta(days=100)}]
    stages += [{"due": TODAY + timedelta(days=d)} for d in (-10, 0, 84, 85, 182, 183, 270, 290)]
    stages += [{"births": (TODAY - timedelta(days=d),)} for d in (0, 364, 365, 366, 730, 731, 1095, 1096, 2190, 2191, 2200)]
    stages += [{"births": (TODAY - timedelta(days=100), TODAY - timedelta(days=1500)), "due": TODAY + timedelta(days=30)}]
    stages += [{"lost": TODAY + timedelta(days=150)}, {"lost": TODAY + timedelta(days=150), "births": (TODAY - timedelta(days=500),)}]
    places = [("almaty_city", "almaty_pc1"), ("almaty_city", "almaty_pc6"), ("astana", "astana_pc1"), ("astana", None)]
    specs = []
    ids = itertools.count(10_000)
    for stage, (region, clinic), lang in itertools.product(stages, places, ("kk", "ru", "en")):
        specs.append(FamilySpec(next(ids), lang=lang, region=region, polyclinic=clinic, **stage))  # type: ignore[arg-type]
    specs += [FamilySpec(next(ids), paused=True), FamilySpec(next(ids), unreachable=True, due=TODAY + timedelta(days=100))]
    return specs


def audiences() -> list[Audience]:
    pregnant, planning, parent = frozenset({"pregnant"}), frozenset({"planning"}), frozenset({"parent"})
    found = [Audience(), Audience(roles=planning), Audience(roles=pregnant | parent)]
    found += [Audience(roles=pregnant, trimesters=frozenset(t)) for t in ({1}, {2}, {3}, {1, 3})]
    found += [Audience(roles=parent, ages=frozenset(a)) for a in ({"0_1"}, {"1_2"}, {"2_3"}, {"3_5"}, {"0_1", "3_5"})]
    found += [
        Audience(roles=parent),
        Audience(languages=frozenset({"ru"})),
        Audience(regions=frozenset({"astana"}), languages=frozenset({"kk", "en"})),
        Audience(regions=frozenset({"almaty_city"}), polyclinics=frozenset({"almaty_pc6"}), roles=pregnant | planning),
    ]
    return found


async def test_the_recipients_query_agrees_with_the_audience_rules(database: Database, clock: ManualClock) -> None:
    specs = population()
    await register_families(database, specs, clock.now())
    reachable = [s for s in specs if not s.paused and not s.unreachable]
    for audience in audiences():
        chosen = selection(audience, TODAY)
        expected = sorted(s.id for s in reachable if fits(audience, s.recipient(), TODAY))
        async with database.reading() as conn:
            by_language = await db.count_recipients(conn, chosen)
            found = await db.recipients(conn, chosen, 0, 100_000)
        assert [user_id for user_id, _ in found] == expected, audience
        assert sum(by_language.values()) == len(expected), audience
        assert expected, f"{audience} selects nobody: the comparison would prove nothing"
        paged, after = [], 0
        while batch := await _page(database, chosen, after):
            paged += batch
            after = batch[-1][0]
        assert paged == found  # the keyset pages add up to the whole


async def _page(database: Database, chosen: object, after: int) -> list[tuple[int, str]]:
    async with database.reading() as conn:
        return await db.recipients(conn, chosen, after, 7)  # type: ignore[arg-type]


# --- writing the rows -------------------------------------------------------------------------------

@pytest.fixture
async def app(database: Database, clock: ManualClock) -> AsyncIterator[AppContext]:
    settings = load_settings(BOT_TOKEN="123456:TEST-token-for-emulator", _env_file=None)
    yield AppContext(settings=settings, database=database, clock=clock, i18n=make_i18n("kk"), fsm_storage=DatabaseStorage(database, clock))


def draft(audience: Audience | None = None, token: str = "t1") -> service.Draft:
    return service.Draft(audience=audience or Audience(), texts={"*": "Hello <everyone>"}, photo=None, token=token)


async def _rows(database: Database, broadcast_id: int) -> list[tuple[int, str, str]]:
    async with database.reading() as conn:
        rows = await conn.execute(
            select(outbox.c.chat_id, outbox.c.status, outbox.c.unique_key).where(outbox.c.batch_id == broadcast_id).order_by(outbox.c.chat_id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_rows_are_written_once_even_after_a_crash_midway_and_a_second_confirm(
    app: AppContext, database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register_families(database, [FamilySpec(i) for i in range(1, 1001)], clock.now())
    monkeypatch.setattr(service, "CHUNK", 300)
    started = await service.start(app, NATIONAL, draft())
    assert started is not None and started.new
    broadcast_id = started.broadcast.id

    real_enqueue = outbox_db.enqueue
    calls = 0

    async def crash_on_the_third_chunk(*args: object, **kwargs: object) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the process died")
        return await real_enqueue(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outbox_db, "enqueue", crash_on_the_third_chunk)
    with pytest.raises(RuntimeError):
        await service.write_rows(app, broadcast_id)
    monkeypatch.setattr(outbox_db, "enqueue", real_enqueue)
    assert len(await _rows(database, broadcast_id)) == 600
    async with database.reading() as conn:
        assert (await db.get_broadcast(conn, broadcast_id)).total == 0  # type: ignore[union-attr]  # not finished

    # The draft confirmed again (a double tap, or after the restart) is the same broadcast.
    again = await service.start(app, NATIONAL, draft())
    assert again is not None and not again.new and again.broadcast.id == broadcast_id
    assert await service.write_rows(app, broadcast_id) == 400  # the rest, nobody twice
    assert await service.write_rows(app, broadcast_id) == 0  # finished: nothing more
    rows = await _rows(database, broadcast_id)
    assert [r[0] for r in rows] == list(range(1, 1001))
    assert all(key == f"bc:{broadcast_id}:{chat}" and status == "pending" for chat, status, key in rows)
    async with database.reading() as conn:
        broadcast = await db.get_broadcast(conn, broadcast_id)
        entries = await staff_db.audit_entries(conn)
    assert broadcast is not None and broadcast.total == 1000 and broadcast.status == "sending"
    assert [(e["action"], e["details"]) for e in entries if e["action"] == "broadcast_sent"] == [
        ("broadcast_sent", {"broadcast": broadcast_id, "recipients": 1000})
    ]


async def test_a_regional_admin_writes_rows_for_her_region_only(app: AppContext, database: Database, clock: ManualClock) -> None:
    await register_families(
        database, [FamilySpec(1), FamilySpec(2, region="astana", polyclinic="astana_pc1"), FamilySpec(3)], clock.now()
    )
    assert await service.count(app, ALMATY_ADMIN, Audience()) == {"kk": 2}
    assert await service.start(app, ALMATY_ADMIN, draft(Audience(regions=frozenset({"astana"})))) is None
    started = await service.start(app, ALMATY_ADMIN, draft())
    assert started is not None and started.broadcast.region == "almaty_city"
    await service.write_rows(app, started.broadcast.id)
    assert [r[0] for r in await _rows(database, started.broadcast.id)] == [1, 3]
    async with database.reading() as conn:
        denied = [e for e in await staff_db.audit_entries(conn) if e["action"] == "denied"]
    assert denied and denied[0]["actor_id"] == ALMATY_ADMIN.user_id


async def test_pause_holds_the_rows_resume_releases_them_cancel_keeps_what_was_sent(
    app: AppContext, database: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register_families(database, [FamilySpec(i) for i in range(1, 51)], clock.now())
    monkeypatch.setattr(service, "CHUNK", 20)
    started = await service.start(app, NATIONAL, draft())
    assert started is not None
    broadcast_id = started.broadcast.id
    assert await service.control(app, NATIONAL, broadcast_id, "pause") is not None
    await service.write_rows(app, broadcast_id)  # rows written while paused wait too
    assert {status for _, status, _ in await _rows(database, broadcast_id)} == {"held"}
    async with database.transaction() as conn:
        assert await outbox_db.claim_due(conn, clock.now(), 100) == []  # the engine takes none
    resumed = await service.control(app, NATIONAL, broadcast_id, "resume")
    assert resumed is not None and resumed.status == "sending"
    async with database.transaction() as conn:
        claimed = await outbox_db.claim_due(conn, clock.now(), 10)
        await outbox_db.record_outcomes(conn, [outbox_db.Sent(m.id, clock.now(), 1) for m in claimed])
    cancelled = await service.control(app, NATIONAL, broadcast_id, "cancel")
    assert cancelled is not None and cancelled.status == "cancelled" and cancelled.finished_at is not None
    async with database.reading() as conn:
        counts = (await db.batch_counts(conn, [broadcast_id]))[broadcast_id]
        actions = [e["action"] for e in await staff_db.audit_entries(conn)]
    assert (counts.sent, counts.cancelled, counts.waiting) == (10, 40, 0)
    assert {"broadcast_paused", "broadcast_resumed", "broadcast_cancelled"} <= set(actions)
    # A regional admin cannot touch a national broadcast.
    assert await service.control(app, ALMATY_ADMIN, broadcast_id, "resume") is None

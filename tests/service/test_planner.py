"""The planner's batched sweep: the same outbox rows and next plans as planning one family at a time,
and workers sweeping at once share the due families (PostgreSQL: SKIP LOCKED)."""

from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bot.clock import ManualClock
from bot.context import AppContext
from bot.domain.calendar import CareStatus, Track
from bot.services import calendar as calendar_service
from db import care, families, screenings
from db.engine import Database
from db.records import NewChild, NewUser
from db.schema import outbox, plan_state

TODAY = date(2026, 11, 24)


async def _family(app: AppContext, user_id: int, rng: random.Random) -> None:
    """One family of a mixed set: pregnant or not, planning, children of every age (twins, a baby born
    early), answers about items, appointments and self-checks, some paused or unreachable."""
    now = app.clock.now()
    kind = user_id % 7
    async with app.database.transaction() as conn:
        await families.insert_user(
            conn,
            NewUser(user_id, rng.choice(("kk", "ru", "en")), "Aigerim", "+77011234567", "almaty_city", "almaty_pc1", False,
                    planning=kind == 6),
            now,
        )
        pregnancy_id = None
        if kind in (0, 1, 2):
            due = TODAY + timedelta(days=rng.randrange(0, 36 * 7))
            pregnancy_id = await families.insert_pregnancy(conn, user_id, due, "week", None, now)
        kids: list[int] = []
        for _ in range(0 if kind in (0, 6) else rng.randrange(1, 3)):
            born = TODAY - timedelta(days=rng.choice((0, 1, 3, 10, 40, 59, 61, 120, 180, 270, 365, 540, 730, 1095, 1460, 1900)))
            early = rng.random() < 0.2
            kids.append(await families.insert_child(
                conn, user_id, NewChild("Aru", born, rng.choice(("girl", "boy")), None, 28 if early else None, 1100 if early else None), now
            ))
            if rng.random() < 0.15:  # a twin
                kids.append(await families.insert_child(conn, user_id, NewChild("Alikhan", born, "boy"), now))
        if kids and rng.random() < 0.5:
            await care.set_state(conn, user_id, Track.CHILD, kids[0], "vac_2m", CareStatus.DONE, now)
            await care.set_state(conn, user_id, Track.CHILD, kids[-1], "patronage_child_2", CareStatus.SNOOZED, now,
                                 snoozed_until=now + timedelta(days=rng.randrange(1, 4)))
        if pregnancy_id is not None and rng.random() < 0.5:
            await care.set_state(conn, user_id, Track.PREGNANCY, pregnancy_id, "anc_20w", CareStatus.NOT_FOR_ME, now)
        for _ in range(rng.randrange(0, 3)):
            on = TODAY + timedelta(days=rng.randrange(-2, 6))
            at = rng.choice((None, "09:30", "15:00"))
            await care.add_appointment(conn, user_id, "Doctor", on, at, rng.choice((None, "Room 4")), None, now)
        if rng.random() < 0.3:
            screening_id = await screenings.insert_screening(
                conn, user_id=user_id, questionnaire="phq2", track=None, ref_id=None, occurrence=None, answers={}, now=now
            )
            await screenings.complete(conn, screening_id, band=rng.choice(("none", "moderate")), total=3, label=None,
                                      triggers=(), self_harm=False, step_to=None, now=now)
        if kids and rng.random() < 0.3:
            await screenings.insert_screening(conn, user_id=user_id, questionnaire="danger_newborn", track=Track.CHILD,
                                              ref_id=kids[0], occurrence=None, answers={}, now=now)
        if kind == 5 and rng.random() < 0.5:
            await families.update_user(conn, user_id, now, paused=True)
        elif kind == 4 and rng.random() < 0.3:
            await families.update_user(conn, user_id, now, unreachable_at=now)
        await care.set_next_plan(conn, user_id, now - timedelta(minutes=rng.randrange(0, 60)))


async def _mixed(app: AppContext, n: int, first_id: int = 1_000) -> list[int]:
    rng = random.Random(20261124)
    ids = [first_id + i for i in range(n)]
    for user_id in ids:
        await _family(app, user_id, rng)
    return ids


async def _snapshot(app: AppContext) -> tuple[list[tuple[Any, ...]], dict[int, datetime]]:
    async with app.database.reading() as conn:
        rows = (
            await conn.execute(
                select(outbox.c.chat_id, outbox.c.priority, outbox.c.kind, outbox.c.message_key, outbox.c.params,
                       outbox.c.due_at, outbox.c.status, outbox.c.unique_key).order_by(outbox.c.unique_key)
            )
        ).all()
        plans = {row.user_id: row.next_plan_at for row in await conn.execute(select(plan_state))}
    return [tuple(row) for row in rows], plans


async def _due_again(app: AppContext, ids: list[int]) -> None:
    async with app.database.transaction() as conn:
        await conn.execute(delete(outbox))
        for user_id in ids:
            await care.set_next_plan(conn, user_id, app.clock.now() - timedelta(minutes=user_id % 60))


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=2, hours=20, minutes=13)])
async def test_a_batched_sweep_plans_exactly_what_planning_one_by_one_does(
    app: AppContext, clock: ManualClock, later: timedelta
) -> None:
    ids = await _mixed(app, 60)
    erased = ids[3]
    async with app.database.transaction() as conn:
        await families.delete_user(conn, erased)  # her plan_state row goes with her
    ids.remove(erased)
    clock.set(clock.now() + later)

    for user_id in ids:
        await calendar_service.plan_user(app, user_id)
    one_by_one = await _snapshot(app)

    await _due_again(app, ids)
    written = await calendar_service.sweep(app, batch=7, lanes=2)  # batches of 7: several, the last one short
    batched = await _snapshot(app)
    assert written == len(batched[0])

    assert batched == one_by_one
    messages, plans = batched
    assert set(plans) == set(ids)
    assert all(at > clock.now() for at in plans.values())
    assert len(messages) > 60
    kinds = {row[2] for row in messages}
    assert {"reminder", "guidance", "appointment"} <= kinds, kinds


async def test_a_family_changed_after_the_claim_is_left_to_her_own_re_plan(app: AppContext, clock: ManualClock) -> None:
    """A batch writes only the families still holding its claim: one erased meanwhile gets nothing,
    one re-planned meanwhile (her next plan moved) is not overwritten with the batch's older view."""
    ids = await _mixed(app, 8)
    now = clock.now()
    lease_until = now + calendar_service.LEASE
    async with app.database.transaction() as conn:
        claimed = await care.claim_due(conn, now, 100, lease_until)
    assert sorted(claimed) == ids
    erased, changed = ids[1], ids[2]
    async with app.database.transaction() as conn:
        await families.delete_user(conn, erased)
        await care.set_next_plan(conn, changed, now)  # what calendar.plan_again does
    await calendar_service.plan_batch(app, claimed, now, lease_until)
    async with app.database.reading() as conn:
        chats = {row.chat_id for row in await conn.execute(select(outbox.c.chat_id))}
        plans = {row.user_id: row.next_plan_at for row in await conn.execute(select(plan_state))}
    assert erased not in chats and erased not in plans
    assert changed not in chats and plans[changed] == now
    assert all(plans[u] != lease_until for u in ids if u not in (erased, changed))


async def test_a_worker_dying_mid_batch_leaves_its_families_due_after_the_lease(app: AppContext, clock: ManualClock) -> None:
    ids = await _mixed(app, 5)
    now = clock.now()
    async with app.database.transaction() as conn:
        assert len(await care.claim_due(conn, now, 100, now + calendar_service.LEASE)) == 5
    # ... and the worker died here. Nobody plans them before the lease runs out:
    assert await calendar_service.sweep(app) == 0
    clock.set(now + calendar_service.LEASE)
    assert await calendar_service.sweep(app) > 0
    _, plans = await _snapshot(app)
    assert set(plans) == set(ids)
    assert all(at != now + calendar_service.LEASE for at in plans.values())  # each planned afresh


async def test_planning_again_after_a_lease_ran_out_writes_nothing_twice(app: AppContext, clock: ManualClock) -> None:
    ids = await _mixed(app, 12)
    assert await calendar_service.sweep(app) > 0
    first, _ = await _snapshot(app)
    async with app.database.transaction() as conn:  # as if a second worker took them up again
        await conn.execute(update(plan_state).values(next_plan_at=clock.now()))
    assert await calendar_service.sweep(app) == 0
    again, plans = await _snapshot(app)
    assert again == first and set(plans) == set(ids)


async def test_two_workers_sweeping_at_once_plan_each_family_once(
    app: AppContext, clock: ManualClock, database: Database, clean_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not clean_database_url.startswith("postgresql"):
        pytest.skip("several workers share the due rows on PostgreSQL (SQLite is one process)")
    ids = await _mixed(app, 150)
    other = Database(clean_database_url)  # a second worker: its own pool
    second = AppContext(settings=app.settings, database=other, clock=clock, i18n=app.i18n, fsm_storage=app.fsm_storage)
    planned: list[tuple[int, int]] = []  # (worker, user id) per family planned
    real = calendar_service.plan_batch

    async def recording(ctx: AppContext, user_ids: list[int], now: datetime, lease_until: datetime) -> int:
        planned.extend((id(ctx), u) for u in user_ids)
        await asyncio.sleep(0.01)  # the other worker claims meanwhile
        return await real(ctx, user_ids, now, lease_until)

    monkeypatch.setattr(calendar_service, "plan_batch", recording)
    try:
        written = await asyncio.gather(calendar_service.sweep(app, batch=10), calendar_service.sweep(second, batch=10))
    finally:
        await other.close()
    users = [u for _, u in planned]
    assert sorted(users) == ids  # each family once, none missed
    assert len({worker for worker, _ in planned}) == 2  # and both workers took a share
    async with database.reading() as conn:
        assert not await care.plan_due(conn, clock.now(), 10)
        unique = (await conn.execute(select(outbox.c.unique_key))).scalars().all()
    assert len(unique) == len(set(unique)) == sum(written) > 150  # each sweep counts what it wrote

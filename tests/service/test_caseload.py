"""Queries of the nurse's day on a real database (SQLite; PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.clock import ManualClock
from bot.services import nurse_notices
from db import care, caseload, families, outbox, staff
from db.caseload import Scope
from db.engine import Database
from db.outbox import OutgoingMessage
from db.records import NewUser

TODAY = date(2026, 11, 24)


async def _mother(database: Database, clock: ManualClock, user_id: int, name: str, phone: str, region: str = "almaty_city") -> None:
    async with database.transaction() as conn:
        await families.insert_user(
            conn,
            NewUser(id=user_id, language="ru", name=name, phone=phone, region=region, polyclinic=None,
                    polyclinic_unlisted=True, planning=True),
            clock.now(),
        )


async def _nurse(database: Database, clock: ManualClock, user_id: int, polyclinic: str = "almaty_pc1") -> int:
    async with database.transaction() as conn:
        return await staff.insert_staff(
            conn, user_id=user_id, role="nurse", region="almaty_city", polyclinic=polyclinic, name=f"Nurse {user_id}",
            phone=None, language="en", invited_by=None, now=clock.now(),
        )


async def test_families_in_a_scope_and_found_by_name_or_phone(database: Database, clock: ManualClock) -> None:
    await _mother(database, clock, 1, "Айгерим", "+77011110001")
    await _mother(database, clock, 2, "Dana", "+77011110002")
    await _mother(database, clock, 3, "Асель", "+77022220003", region="astana")
    nurse_id = await _nurse(database, clock, 900)
    async with database.transaction() as conn:
        await staff.assign(conn, 1, nurse_id, clock.now(), None)
        await staff.assign(conn, 3, nurse_id, clock.now(), None)
    async with database.reading() as conn:
        assert await caseload.families_page(conn, Scope(staff_id=nurse_id), limit=8, offset=0) == (2, [1, 3])
        assert await caseload.families_page(conn, Scope(region="almaty_city"), limit=8, offset=0) == (2, [2, 1])
        assert await caseload.families_page(conn, Scope(), limit=2, offset=2) == (3, [3])  # by name: Dana, Айгерим, Асель
        # Name (as typed and its usual cases; Cyrillic too), and phone digits, within the scope only.
        assert await caseload.families_page(conn, Scope(), limit=8, offset=0, names=("айгер", "Айгер")) == (1, [1])
        assert await caseload.families_page(conn, Scope(region="astana"), limit=8, offset=0, names=("Айгер",)) == (0, [])
        assert await caseload.families_page(conn, Scope(staff_id=nurse_id), limit=8, offset=0, phone="2220003") == (1, [3])
        assert await caseload.families_page(conn, Scope(), limit=8, offset=0, phone="111000") == (2, [2, 1])
        # LIKE's wildcards in what she typed are plain characters.
        assert await caseload.families_page(conn, Scope(), limit=8, offset=0, names=("%",)) == (0, [])


async def test_risk_level_and_note_are_one_row_made_on_first_use(database: Database, clock: ManualClock) -> None:
    await _mother(database, clock, 1, "Aigerim", "+77011110001")
    nurse_id = await _nurse(database, clock, 900)
    async with database.transaction() as conn:
        await caseload.save_family_care(conn, 1, nurse_id, clock.now(), risk_level="progressive")
        await caseload.save_family_care(conn, 1, nurse_id, clock.now(), note="Lives with her mother")
    async with database.reading() as conn:
        record = await caseload.get_family_care(conn, 1)
        assert record is not None and (record.risk_level, record.note) == ("progressive", "Lives with her mother")
        assert await caseload.risk_levels(conn, [1, 2]) == {1: "progressive"}


async def test_goals_are_hers_only_and_ticked_off_once(database: Database, clock: ManualClock) -> None:
    await _mother(database, clock, 1, "Aigerim", "+77011110001")
    await _mother(database, clock, 2, "Dana", "+77011110002")
    nurse_id = await _nurse(database, clock, 900)
    async with database.transaction() as conn:
        later = await caseload.insert_goal(conn, user_id=1, staff_id=nurse_id, goal="Walk", next_step="Shoes", due_on=TODAY + timedelta(days=9), now=clock.now())
        sooner = await caseload.insert_goal(conn, user_id=1, staff_id=nurse_id, goal="Sleep", next_step="Nap", due_on=TODAY + timedelta(days=2), now=clock.now())
        removed = await caseload.insert_goal(conn, user_id=1, staff_id=nurse_id, goal="Old", next_step="-", due_on=TODAY, now=clock.now())
        await caseload.update_goal(conn, removed, removed=True)
    async with database.transaction() as conn:
        assert not await caseload.mark_goal_done(conn, 2, sooner, clock.now())  # not hers
        assert await caseload.mark_goal_done(conn, 1, sooner, clock.now())
        assert not await caseload.mark_goal_done(conn, 1, sooner, clock.now())  # once
        assert not await caseload.mark_goal_done(conn, 1, removed, clock.now())
    async with database.reading() as conn:
        goals = await caseload.goals_of(conn, 1)
        assert [(g.id, g.done) for g in goals] == [(sooner, True), (later, False)]
        assert await caseload.get_goal(conn, later, user_id=2) is None
        assert await caseload.get_goal(conn, removed) is None


async def test_only_an_appointment_staff_set_takes_her_answer(database: Database, clock: ManualClock) -> None:
    await _mother(database, clock, 1, "Aigerim", "+77011110001")
    nurse_id = await _nurse(database, clock, 900)
    async with database.transaction() as conn:
        hers = await care.add_appointment(conn, 1, "Dentist", TODAY + timedelta(days=3), None, None, None, clock.now())
        set_for_her = await care.add_appointment(conn, 1, "Ultrasound", TODAY + timedelta(days=3), "10:00", None, None, clock.now(), set_by=nurse_id)
    async with database.transaction() as conn:
        assert not await caseload.set_response(conn, 1, hers, "coming", clock.now())
        assert not await caseload.set_response(conn, 2, set_for_her, "coming", clock.now())
        assert await caseload.set_response(conn, 1, set_for_her, "other_time", clock.now())
        await caseload.move_appointment(conn, set_for_her, TODAY + timedelta(days=5), "11:00", nurse_id)
    async with database.reading() as conn:
        coming = (await caseload.coming_appointments(conn, [1], TODAY))[1]
        assert [(a.what, a.set_by, a.response) for a in coming] == [("Dentist", None, None), ("Ultrasound", nurse_id, None)]


async def test_a_pending_reminder_can_be_taken_back_but_not_one_already_sent(database: Database, clock: ManualClock) -> None:
    now = clock.now()
    async with database.transaction() as conn:
        await outbox.enqueue(conn, [OutgoingMessage(1, 2, "plan", "plan.goal_due", {}, now, "goal:1:x"), OutgoingMessage(1, 2, "plan", "plan.goal_due", {}, now, "goal:2:x")], now)
        (first, second) = await outbox.claim_due(conn, now, 10)
        await outbox.record_outcomes(conn, [outbox.Sent(first.id, now, 1)])
        await outbox.recover_in_flight(conn)
    async with database.transaction() as conn:
        assert await caseload.drop_pending_message(conn, "goal:1:x") == 0  # sent: it stays as the record
        assert await caseload.drop_pending_message(conn, "goal:2:x") == 1


async def test_her_nurse_is_told_of_a_life_event_once_and_nobody_when_she_has_no_nurse(database: Database, clock: ManualClock) -> None:
    await _mother(database, clock, 1, "Aigerim", "+77011110001")
    await _mother(database, clock, 2, "Dana", "+77011110002")
    nurse_id = await _nurse(database, clock, 900)
    now = clock.now()
    async with database.transaction() as conn:
        await staff.assign(conn, 1, nurse_id, now, None)
        for user_id in (1, 2):
            await families.record_life_event(conn, user_id, "pregnancy_lost", TODAY, now, None)
            await nurse_notices.life_events(conn, user_id, now)
        assert await nurse_notices.life_events(conn, 1, now) == 0  # already told
    async with database.reading() as conn:
        told = await caseload.life_events_of(conn, 1)
        untold = await caseload.life_events_of(conn, 2, unnotified=True)
        sent = await outbox.history(conn, 900)
    assert told[0].staff_notified_at is not None and len(untold) == 1
    assert [m["message_key"] for m in sent] == ["nurse.life_event"]

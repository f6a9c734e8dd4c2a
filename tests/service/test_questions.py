"""The queries on family_messages, on a real database: what is due for the follow-up, questions
whose nurse changed, who sees which open question, and stale notices."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from db import questions, staff
from db.engine import Database
from db.questions import IN, NOTICE_KIND, OUT
from db.schema import outbox, users

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
DAY = timedelta(days=1)


async def _family(conn, user_id: int, polyclinic: str = "almaty_pc1", region: str = "almaty_city") -> None:  # type: ignore[no-untyped-def]
    await conn.execute(insert(users).values(
        id=user_id, language="en", name="M", phone="+77010000000", region=region, polyclinic=polyclinic,
        consent_at=NOW, created_at=NOW, updated_at=NOW,
    ))


async def _nurse(conn, user_id: int, polyclinic: str = "almaty_pc1") -> int:  # type: ignore[no-untyped-def]
    return await staff.insert_staff(
        conn, user_id=user_id, role="nurse", region="almaty_city", polyclinic=polyclinic, name="N", phone=None,
        language="en", invited_by=None, now=NOW,
    )


async def _ask(conn, user_id: int, nurse: int | None, at: datetime, **values: object) -> int:  # type: ignore[no-untyped-def]
    question = await questions.insert_message(
        conn, user_id=user_id, direction=IN, staff_id=nurse, text="?", photo_file_id=None, reply_to=None, now=at
    )
    if values:
        await conn.execute(questions.fm.update().where(questions.fm.c.id == question).values(**values))
    return question


async def test_the_follow_up_finds_exactly_what_is_due(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 1)
        nurse = await _nurse(conn, 71)
        fresh = await _ask(conn, 1, nurse, NOW - DAY + timedelta(minutes=1))
        day_old = await _ask(conn, 1, nurse, NOW - DAY)
        answered = await _ask(conn, 1, nurse, NOW - 3 * DAY, answered_at=NOW - 2 * DAY)
        reminded = await _ask(conn, 1, nurse, NOW - 2 * DAY + timedelta(minutes=1), reminded_at=NOW - DAY)
        two_days = await _ask(conn, 1, nurse, NOW - 2 * DAY, reminded_at=NOW - DAY)
        late_reminder = await _ask(conn, 1, nurse, NOW - 3 * DAY, reminded_at=NOW - timedelta(hours=2))
        escalated = await _ask(conn, 1, nurse, NOW - 5 * DAY, reminded_at=NOW - 4 * DAY, escalated_at=NOW - 3 * DAY)
        await questions.insert_message(
            conn, user_id=1, direction=OUT, staff_id=nurse, text="!", photo_file_id=None, reply_to=None, now=NOW - 4 * DAY
        )
    async with database.reading() as conn:
        due = await questions.due_reminders(conn, NOW - DAY, 100)
        escalations = await questions.due_escalations(conn, NOW - 2 * DAY, NOW - DAY, 100)
    assert [q.id for q in due] == [day_old]
    assert [q.id for q in escalations] == [two_days]
    assert {fresh, answered, reminded, late_reminder, escalated}.isdisjoint({q.id for q in due + escalations})
    async with database.transaction() as conn:
        assert await questions.mark_reminded(conn, day_old, NOW)
        assert not await questions.mark_reminded(conn, day_old, NOW)  # once
        assert await questions.mark_escalated(conn, two_days, NOW)
        assert not await questions.mark_escalated(conn, two_days, NOW)
        assert not await questions.mark_reminded(conn, answered, NOW)


async def test_questions_whose_nurse_changed_are_found_and_moved_once(database: Database) -> None:
    async with database.transaction() as conn:
        for family in (1, 2, 3, 4):
            await _family(conn, family)
        old, new = await _nurse(conn, 71), await _nurse(conn, 72)
        await staff.assign(conn, 1, new, NOW, None)  # reassigned from the old nurse
        moved = await _ask(conn, 1, old, NOW - DAY)
        await staff.assign(conn, 2, old, NOW, None)
        await _ask(conn, 2, old, NOW - DAY)  # still hers
        await _ask(conn, 3, None, NOW - DAY)  # no nurse then, none now
        await staff.assign(conn, 4, new, NOW, None)
        found_one = await _ask(conn, 4, None, NOW - 2 * DAY)  # no nurse then, one now
        await _ask(conn, 1, old, NOW - 3 * DAY, answered_at=NOW - 2 * DAY)  # answered: nothing to move
    async with database.reading() as conn:
        found = await questions.misaddressed(conn, 100)
    assert [(q.id, to) for q, to in found] == [(found_one, new), (moved, new)]
    async with database.transaction() as conn:
        assert await questions.readdress(conn, moved, old, new)
        assert not await questions.readdress(conn, moved, old, new)
        assert await questions.readdress(conn, found_one, None, new)
    async with database.reading() as conn:
        assert await questions.misaddressed(conn, 100) == []


async def test_who_sees_which_open_question(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 1)
        await _family(conn, 2)
        await _family(conn, 3)  # no nurse yet, at the same polyclinic
        await _family(conn, 4, "astana_pc1", "astana")
        mine, colleague, elsewhere = await _nurse(conn, 71), await _nurse(conn, 72), await _nurse(conn, 73, "almaty_pc6")
        await staff.assign(conn, 1, mine, NOW, None)
        await staff.assign(conn, 2, colleague, NOW, None)
        first = await _ask(conn, 1, mine, NOW - 3 * DAY)
        of_colleague = await _ask(conn, 2, colleague, NOW - 2 * DAY)
        gone_on = await _ask(conn, 2, colleague, NOW - 4 * DAY, reminded_at=NOW - 3 * DAY, escalated_at=NOW - 2 * DAY)
        nurseless = await _ask(conn, 3, None, NOW - DAY)
        astana = await _ask(conn, 4, None, NOW - DAY)
        await _ask(conn, 1, mine, NOW - 5 * DAY, answered_at=NOW)
    async with database.reading() as conn:
        nurse_view = await questions.open_questions(conn, nurse_id=mine, polyclinic="almaty_pc1")
        other_view = await questions.open_questions(conn, nurse_id=elsewhere, polyclinic="almaty_pc6")
        regional = await questions.open_questions(conn, region="almaty_city")
        national = await questions.open_questions(conn, limit=2, offset=2)
    assert (nurse_view[0], [q.id for q in nurse_view[1]]) == (3, [gone_on, first, nurseless])  # oldest first
    assert other_view == (0, [])
    assert [q.id for q in regional[1]] == [gone_on, first, of_colleague, nurseless]
    assert (national[0], [q.id for q in national[1]]) == (5, [of_colleague, nurseless])
    assert astana not in [q.id for q in regional[1]]


async def test_an_answer_closes_her_earlier_questions_and_drops_their_waiting_notices(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 1)
        await _family(conn, 2)
        nurse = await _nurse(conn, 71)
        first, second = await _ask(conn, 1, nurse, NOW - 2 * DAY), await _ask(conn, 1, nurse, NOW - DAY)
        later = await _ask(conn, 1, nurse, NOW)
        await conn.execute(insert(outbox), [
            {"chat_id": 71, "priority": 2, "kind": kind, "message_key": "k", "params": json.dumps({"question": q}),
             "due_at": NOW, "status": status, "about": about, "created_at": NOW, "unique_key": f"{q}:{kind}:{status}:{about}"}
            for q, kind, status, about in (
                (first, NOTICE_KIND, "pending", 1), (second, NOTICE_KIND, "pending", 1), (later, NOTICE_KIND, "pending", 1),
                (first, NOTICE_KIND, "sent", 1), (first, "other", "pending", 1), (first, NOTICE_KIND, "pending", 2),
            )
        ])
        assert await questions.close_questions(conn, 1, second, nurse, NOW) == 2
        assert await questions.drop_pending_notices(conn, 1, second) == 2
    async with database.reading() as conn:
        thread = await questions.open_thread(conn, 1, later)
        left = [(json.loads(r.params)["question"], r.kind, r.status, r.about) for r in await conn.execute(select(outbox))]
        answered = await questions.get_message(conn, first)
    assert [q.id for q in thread] == [later]
    assert answered is not None and answered.answered_by == nurse
    assert sorted(left) == sorted([
        (later, NOTICE_KIND, "pending", 1), (first, NOTICE_KIND, "sent", 1), (first, "other", "pending", 1),
        (first, NOTICE_KIND, "pending", 2),
    ])

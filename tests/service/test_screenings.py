"""The queries on screenings, on a real database: what the planner reads, abandoning stale ones,
answers saved only while open, and a result written once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from db import screenings
from db.engine import Database
from db.schema import outbox as outbox_table
from db.schema import users
from db.screenings import ScreeningStatus

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
MOOD = ("phq2", "phq9")


async def _family(conn, user_id: int) -> None:  # type: ignore[no-untyped-def]
    await conn.execute(insert(users).values(
        id=user_id, language="en", name="M", phone="+77010000000", region="almaty_city", polyclinic="almaty_pc1",
        consent_at=NOW, created_at=NOW, updated_at=NOW,
    ))


async def _done(conn, user_id: int, qid: str, band: str, *, occurrence: str | None = None,  # type: ignore[no-untyped-def]
                step_to: str | None = None, at: datetime = NOW) -> int:
    sid = await screenings.insert_screening(
        conn, user_id=user_id, questionnaire=qid, track="child", ref_id=1, occurrence=occurrence, answers={}, now=at
    )
    assert await screenings.complete(conn, sid, band=band, total=None, label=None, triggers=(), self_harm=False,
                                     step_to=step_to, now=at)
    return sid


async def test_the_planner_reads_begun_checks_and_whether_her_last_mood_result_was_positive(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 1)
        await _done(conn, 1, "phq2", "none", step_to="phq9", occurrence="check:m1:phq2:d14")
        abandoned = await screenings.insert_screening(
            conn, user_id=1, questionnaire="danger_post", track="child", ref_id=1, occurrence="check:m1:danger_post:d7",
            answers={}, now=NOW,
        )
        await screenings.set_status(conn, abandoned, ScreeningStatus.ABANDONED, NOW, expected=(ScreeningStatus.OPEN,))
        facts = await screenings.planning_facts(conn, 1, MOOD)
    assert facts.begun == {"check:m1:phq2:d14"}  # an abandoned one may be asked again
    assert facts.mood_positive  # a positive short screen keeps the monthly check going

    async with database.transaction() as conn:
        await _done(conn, 1, "phq9", "none", at=NOW + timedelta(days=30))
        assert not (await screenings.planning_facts(conn, 1, MOOD)).mood_positive  # the latest one counts
        await _done(conn, 1, "gad2", "none", step_to="gad7", at=NOW + timedelta(days=31))
        assert not (await screenings.planning_facts(conn, 1, MOOD)).mood_positive  # worry is not mood


async def test_a_result_is_written_once_and_answers_only_while_open(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 2)
        sid = await screenings.insert_screening(
            conn, user_id=2, questionnaire="phq2", track=None, ref_id=None, occurrence=None, answers={}, now=NOW
        )
        assert await screenings.save_answers(conn, sid, {"q1": ("1",)}, NOW, expected=ScreeningStatus.OPEN)
        assert await screenings.complete(conn, sid, band="none", total=1, label=None, triggers=(), self_harm=False,
                                         step_to=None, now=NOW)
        assert not await screenings.complete(conn, sid, band="high", total=9, label=None, triggers=(), self_harm=False,
                                             step_to=None, now=NOW)
        assert not await screenings.save_answers(conn, sid, {"q1": ("3",)}, NOW, expected=ScreeningStatus.OPEN)
        record = await screenings.get_screening(conn, sid)
    assert record is not None and record.band == "none" and record.answers == {"q1": ("1",)}


async def test_only_checks_untouched_for_a_day_are_abandoned(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 3)
        old = await screenings.insert_screening(
            conn, user_id=3, questionnaire="gad2", track=None, ref_id=None, occurrence=None, answers={}, now=NOW
        )
        fresh = await screenings.insert_screening(
            conn, user_id=3, questionnaire="phq2", track=None, ref_id=None, occurrence=None, answers={},
            now=NOW + timedelta(hours=20),
        )
        stale = await screenings.abandon_stale(conn, NOW + timedelta(hours=1))
        still_open = {s.id for s in await screenings.open_screenings(conn, 3)}
    assert [s.id for s in stale] == [old] and still_open == {fresh}


async def test_did_not_answer_reads_the_day_s_nudge_and_her_answers(database: Database) -> None:
    """A nudge lists the checks of its day (Step 6); the card's "did not answer" is those she never began,
    with the day she was asked. A nudge from before Step 6 (one check, no list) still counts."""
    from db import outbox
    from db.outbox import OutgoingMessage

    asked = NOW.date() - timedelta(days=3)
    day = {"track": "child", "ref": 1, "due": asked.isoformat(), "occ": "d14"}
    async with database.transaction() as conn:
        await _family(conn, 1)
        await outbox.enqueue(conn, [
            OutgoingMessage(1, 2, "check", "check.nudge", {"checks": [
                {**day, "q": "danger_newborn", "code": "c1"}, {**day, "q": "phq2", "code": "m1"},
            ]}, NOW - timedelta(days=1), "checks:1:x:nudge"),
            OutgoingMessage(1, 2, "check", "check.nudge", {"q": "danger_post", "code": "m1", "occ": "d7", "track": "child",
                                                           "ref": 1}, NOW - timedelta(days=9), "check:m1:danger_post:d7:nudge"),
        ], NOW - timedelta(days=10))
        await conn.execute(outbox_table.update().values(status="sent", sent_at=NOW - timedelta(days=1)))
        await _done(conn, 1, "phq2", "none", occurrence="check:m1:phq2:d14")
        missed = await screenings.missed_checks(conn, 1, NOW)
    assert ("check:c1:danger_newborn:d14", asked) in missed
    assert not any(key == "check:m1:phq2:d14" for key, _ in missed)  # she answered that one
    assert any(key == "check:m1:danger_post:d7" for key, _ in missed)  # the old, single-check nudge


async def test_the_planner_sees_a_check_she_began_and_has_not_finished(database: Database) -> None:
    async with database.transaction() as conn:
        await _family(conn, 1)
        await screenings.insert_screening(conn, user_id=1, questionnaire="danger_newborn", track="child", ref_id=1,
                                          occurrence=None, answers={}, now=NOW)
        facts = await screenings.planning_facts(conn, 1, MOOD)
    assert facts.waiting == {("danger_newborn", "child", 1)}

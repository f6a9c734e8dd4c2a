"""Queries on `screenings`: a questionnaire she is answering (answers saved as she goes, so a
restart loses nothing), the results she and her nurse look back on, and the scheduled checks
she did not answer."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.calendar import Track
from bot.domain.outbox import OutboxKind
from bot.domain.screening import Band
from db.outbox import OutboxStatus
from db.schema import outbox, screenings


class ScreeningStatus(StrEnum):
    OPEN = "open"  # she is answering it
    STOPPED = "stopped"  # "later": kept to resume
    DONE = "done"
    ABANDONED = "abandoned"  # untouched for a day


RESUMABLE = (ScreeningStatus.OPEN, ScreeningStatus.STOPPED)  # a check she began and may go on with

sc = screenings


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    id: int
    user_id: int
    questionnaire: str
    track: Track | None
    ref_id: int | None
    occurrence: str | None
    status: ScreeningStatus
    answers: dict[str, tuple[str, ...]]
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    band: str | None
    total: int | None
    label: str | None
    triggers: tuple[tuple[str, str], ...]
    self_harm: bool
    step_to: str | None
    shared: bool | None


def _record(row: Any) -> ScreeningRecord:
    m = row._mapping
    return ScreeningRecord(
        id=m["id"],
        user_id=m["user_id"],
        questionnaire=m["questionnaire"],
        track=Track(m["track"]) if m["track"] is not None else None,
        ref_id=m["ref_id"],
        occurrence=m["occurrence"],
        status=ScreeningStatus(m["status"]),
        answers={key: tuple(value) for key, value in json.loads(m["answers"]).items()},
        started_at=m["started_at"],
        updated_at=m["updated_at"],
        completed_at=m["completed_at"],
        band=m["band"],
        total=m["total"],
        label=m["label"],
        triggers=tuple((q, o) for q, o in json.loads(m["triggers"])),
        self_harm=bool(m["self_harm"]),
        step_to=m["step_to"],
        shared=m["shared"],
    )


def _answers_json(answers: Mapping[str, Sequence[str]]) -> str:
    return json.dumps({key: list(value) for key, value in answers.items()}, ensure_ascii=False)


async def insert_screening(
    conn: AsyncConnection,
    *,
    user_id: int,
    questionnaire: str,
    track: Track | None,
    ref_id: int | None,
    occurrence: str | None,
    answers: Mapping[str, Sequence[str]],
    now: datetime,
) -> int:
    result = await conn.execute(
        insert(sc)
        .values(
            user_id=user_id,
            questionnaire=questionnaire,
            track=track,
            ref_id=ref_id,
            occurrence=occurrence,
            status=ScreeningStatus.OPEN,
            answers=_answers_json(answers),
            started_at=now,
            updated_at=now,
        )
        .returning(sc.c.id)
    )
    return int(result.scalar_one())


async def get_screening(conn: AsyncConnection, screening_id: int) -> ScreeningRecord | None:
    row = (await conn.execute(select(sc).where(sc.c.id == screening_id))).first()
    return _record(row) if row else None


async def open_screenings(conn: AsyncConnection, user_id: int) -> list[ScreeningRecord]:
    """Hers still open or stopped to resume later, newest first."""
    rows = await conn.execute(
        select(sc).where(sc.c.user_id == user_id, sc.c.status.in_(RESUMABLE)).order_by(sc.c.id.desc())
    )
    return [_record(row) for row in rows]


async def save_answers(
    conn: AsyncConnection, screening_id: int, answers: Mapping[str, Sequence[str]], now: datetime, *, expected: ScreeningStatus
) -> bool:
    """Write her answers if the row is still `expected` (open): a stale button changes nothing."""
    result = await conn.execute(
        update(sc)
        .where(sc.c.id == screening_id, sc.c.status == expected)
        .values(answers=_answers_json(answers), status=ScreeningStatus.OPEN, updated_at=now)
    )
    return result.rowcount > 0


async def set_status(
    conn: AsyncConnection, screening_id: int, status: ScreeningStatus, now: datetime, *, expected: Sequence[ScreeningStatus]
) -> bool:
    result = await conn.execute(
        update(sc).where(sc.c.id == screening_id, sc.c.status.in_(tuple(expected))).values(status=status, updated_at=now)
    )
    return result.rowcount > 0


async def complete(
    conn: AsyncConnection,
    screening_id: int,
    *,
    band: str,
    total: int | None,
    label: str | None,
    triggers: Sequence[tuple[str, str]],
    self_harm: bool,
    step_to: str | None,
    now: datetime,
) -> bool:
    """Her result, once: False if it was already completed (a double press)."""
    result = await conn.execute(
        update(sc)
        .where(sc.c.id == screening_id, sc.c.status == ScreeningStatus.OPEN)
        .values(
            status=ScreeningStatus.DONE,
            band=band,
            total=total,
            label=label,
            triggers=json.dumps([list(t) for t in triggers]),
            self_harm=self_harm,
            step_to=step_to,
            completed_at=now,
            updated_at=now,
        )
    )
    return result.rowcount > 0


async def set_shared(conn: AsyncConnection, screening_id: int, shared: bool) -> bool:
    """Her answer to "may your nurse see this?", once."""
    result = await conn.execute(
        update(sc).where(sc.c.id == screening_id, sc.c.status == ScreeningStatus.DONE, sc.c.shared.is_(None)).values(shared=shared)
    )
    return result.rowcount > 0


async def history(conn: AsyncConnection, user_id: int, limit: int = 10) -> list[ScreeningRecord]:
    """Her completed results, newest first."""
    rows = await conn.execute(
        select(sc).where(sc.c.user_id == user_id, sc.c.status == ScreeningStatus.DONE).order_by(sc.c.id.desc()).limit(limit)
    )
    return [_record(row) for row in rows]


@dataclass(frozen=True, slots=True)
class PlanningFacts:
    begun: set[str]  # scheduled checks she has begun or finished (not asked again)
    mood_positive: bool  # her latest mood result keeps the monthly mood check going
    waiting: set[tuple[str, str | None, int | None]] = field(default_factory=set)  # (questionnaire, Track, ref)
    # of checks she began and has not finished: no new invitation of those until she does (or it lapses)


async def planning_facts(conn: AsyncConnection, user_id: int, mood: Sequence[str]) -> PlanningFacts:
    """What the planner needs from her self-checks, in one read."""
    return (await planning_facts_of_families(conn, [user_id], mood))[user_id]


async def planning_facts_of_families(
    conn: AsyncConnection, user_ids: Sequence[int], mood: Sequence[str]
) -> dict[int, PlanningFacts]:
    """The same for several families in one query (the planner's batch): every one asked is answered."""
    rows = await conn.execute(
        select(sc.c.user_id, sc.c.occurrence, sc.c.questionnaire, sc.c.status, sc.c.band, sc.c.step_to, sc.c.self_harm,
               sc.c.track, sc.c.ref_id)
        .where(sc.c.user_id.in_(user_ids))
        .order_by(sc.c.user_id, sc.c.id.desc())
    )
    begun: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    waiting: dict[int, set[tuple[str, str | None, int | None]]] = {user_id: set() for user_id in user_ids}
    mood_positive: dict[int, bool] = {}  # her latest mood result (newest first)
    for row in rows:
        if row.occurrence is not None and row.status != ScreeningStatus.ABANDONED:
            begun[row.user_id].add(row.occurrence)
        if row.status in RESUMABLE:
            waiting[row.user_id].add((row.questionnaire, row.track, row.ref_id))
        if row.user_id not in mood_positive and row.status == ScreeningStatus.DONE and row.questionnaire in mood:
            mood_positive[row.user_id] = row.band != Band.NONE or row.step_to is not None or bool(row.self_harm)
    return {
        user_id: PlanningFacts(begun[user_id], mood_positive.get(user_id, False), waiting[user_id]) for user_id in user_ids
    }


async def abandon_stale(conn: AsyncConnection, before: datetime, limit: int = 500) -> list[ScreeningRecord]:
    """Open ones untouched since `before` become abandoned; returns them (an index range)."""
    rows = (
        await conn.execute(
            select(sc).where(sc.c.status.in_(RESUMABLE), sc.c.updated_at <= before).order_by(sc.c.updated_at).limit(limit)
        )
    ).all()
    stale = [_record(row) for row in rows]
    if stale:
        await conn.execute(
            update(sc)
            .where(sc.c.id.in_([s.id for s in stale]), sc.c.status.in_(RESUMABLE))
            .values(status=ScreeningStatus.ABANDONED)
        )
    return stale


async def missed_checks(
    conn: AsyncConnection, user_id: int, nudged_before: datetime, limit: int = 5
) -> list[tuple[str, date | datetime]]:
    """Scheduled checks whose nudge went out before the bound and that she never answered: (the check's
    key, the day she was asked — or, for a nudge sent before Step 6, when the nudge went), newest first:
    "did not answer" on the family card. A nudge lists the checks of its day (``params["checks"]``)."""
    nudges = await conn.execute(
        select(outbox.c.params, outbox.c.sent_at)
        .where(
            outbox.c.chat_id == user_id,
            outbox.c.kind == OutboxKind.CHECK,
            outbox.c.status == OutboxStatus.SENT,
            outbox.c.message_key == "check.nudge",
            outbox.c.sent_at <= nudged_before,
        )
        .order_by(outbox.c.sent_at.desc())
        .limit(limit * 4)
    )
    answered = set(
        (
            await conn.execute(
                select(sc.c.occurrence).where(
                    sc.c.user_id == user_id, sc.c.occurrence.is_not(None), sc.c.status != ScreeningStatus.ABANDONED
                )
            )
        ).scalars()
    )
    missed: list[tuple[str, date | datetime]] = []
    for row in nudges:
        params = json.loads(row.params)
        for check in params.get("checks") or [params]:
            key = f"check:{check['code']}:{check['q']}:{check['occ']}"
            if key not in answered:
                missed.append((key, date.fromisoformat(check["due"]) if "due" in check else row.sent_at))
    return missed[:limit]

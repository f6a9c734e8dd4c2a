"""Queries for mothers, their pregnancies and children. Every function takes an open connection:
the service decides the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.pregnancy import LifeEventKind, PregnancyStatus
from db.cache import MISSING
from db.engine import TOUCHED_USERS, Database
from db.records import ChildRecord, Family, NewChild, NewUser, PregnancyRecord, UserRecord
from db.schema import anonymous_counters, children, life_events, pregnancies, users

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@cache
def _names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))  # dataclasses.fields is slow, and the planner calls this per row


def _record(cls: type[R], row: Row[*tuple[Any, ...]]) -> R:
    mapping = row._mapping
    return cls(**{name: mapping[name] for name in _names(cls)})


# --- users -------------------------------------------------------------------------------------

def _touch(conn: AsyncConnection, user_id: int) -> None:
    conn.info[TOUCHED_USERS].add(user_id)  # writes only happen inside Database.transaction()


async def get_user(conn: AsyncConnection, user_id: int) -> UserRecord | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    return _record(UserRecord, row) if row else None


async def cached_family(database: Database, user_id: int) -> Family | None:
    """Her row, pregnancy and children for the update in hand.

    Cached: every write to these tables marks the user, and the cache drops her when it commits.
    """
    cached = database.families.get(user_id)
    if cached is not MISSING:
        return cached
    return (await cached_families(database, (user_id,)))[user_id]


# SQLite allows 32,766 bound values; a few hundred per query keeps each statement small.
_FAMILIES_PER_QUERY = 500


async def cached_families(database: Database, user_ids: Iterable[int]) -> dict[int, Family | None]:
    """Several families at once (the delivery engine's claimed batch): the cached ones from memory,
    the rest in one query per few hundred."""
    found: dict[int, Family | None] = {}
    missing: dict[int, int] = {}  # user id → cache generation when the read began
    for user_id in user_ids:
        cached = database.families.get(user_id)
        if cached is not MISSING:
            found[user_id] = cached
        elif user_id not in missing:
            missing[user_id] = database.families.generation(user_id)
    if missing:
        ids = list(missing)
        async with database.reading() as conn:
            for start in range(0, len(ids), _FAMILIES_PER_QUERY):
                chunk = ids[start : start + _FAMILIES_PER_QUERY]
                loaded = await load_families(conn, chunk)
                for user_id in chunk:
                    family = loaded.get(user_id)
                    database.families.put(user_id, family, missing[user_id])
                    found[user_id] = family
    return found


def _family_query(where: Any) -> Any:
    preg = pregnancies.alias("p")
    kid = children.alias("c")
    return (
        select(
            users,
            *(column.label(f"p_{column.name}") for column in preg.c),
            *(column.label(f"c_{column.name}") for column in kid.c),
        )
        .select_from(
            users.outerjoin(preg, (preg.c.user_id == users.c.id) & (preg.c.status == PregnancyStatus.ACTIVE)).outerjoin(
                kid, kid.c.user_id == users.c.id
            )
        )
        .where(where)
        .order_by(users.c.id, kid.c.id)
    )


# Built once: these run for every update (or delivery batch) whose family is not cached.
_FAMILY_QUERY = _family_query(users.c.id == bindparam("user_id"))
_FAMILIES_QUERY = _family_query(users.c.id.in_(bindparam("user_ids", expanding=True)))


def _prefixed(cls: type[R], mapping: Any, prefix: str) -> R:
    return cls(**{name: mapping[f"{prefix}{name}"] for name in _names(cls)})


def _family(rows: Sequence[Row[*tuple[Any, ...]]]) -> Family:
    """A family from its joined rows (one per child, at least one)."""
    first = rows[0]._mapping
    return Family(
        user=_record(UserRecord, rows[0]),
        pregnancy=_prefixed(PregnancyRecord, first, "p_") if first["p_id"] is not None else None,
        children=tuple(_prefixed(ChildRecord, row._mapping, "c_") for row in rows if row._mapping["c_id"] is not None),
    )


async def load_family(conn: AsyncConnection, user_id: int) -> Family | None:
    """One round trip: the user joined with her active pregnancy and her children (a row per child)."""
    rows = (await conn.execute(_FAMILY_QUERY, {"user_id": user_id})).all()
    return _family(rows) if rows else None


async def load_families(conn: AsyncConnection, user_ids: list[int]) -> dict[int, Family]:
    """Several families in one round trip; the unregistered are simply absent."""
    by_user: dict[int, list[Row[*tuple[Any, ...]]]] = {}
    for row in (await conn.execute(_FAMILIES_QUERY, {"user_ids": user_ids})).all():
        by_user.setdefault(row.id, []).append(row)
    return {user_id: _family(rows) for user_id, rows in by_user.items()}


async def insert_user(conn: AsyncConnection, new: NewUser, now: datetime) -> None:
    _touch(conn, new.id)
    await conn.execute(
        insert(users).values(
            id=new.id,
            language=new.language,
            name=new.name,
            phone=new.phone,
            region=new.region,
            polyclinic=new.polyclinic,
            polyclinic_unlisted=new.polyclinic_unlisted,
            planning=new.planning,
            consent_at=now,
            paused=False,
            created_at=now,
            updated_at=now,
        )
    )


async def update_user(conn: AsyncConnection, user_id: int, now: datetime, **values: Any) -> None:
    _touch(conn, user_id)
    await conn.execute(update(users).where(users.c.id == user_id).values(updated_at=now, **values))


async def delete_user(conn: AsyncConnection, user_id: int) -> bool:
    """Erase the person and, through ON DELETE CASCADE, everything recorded about her."""
    _touch(conn, user_id)
    result = await conn.execute(delete(users).where(users.c.id == user_id))
    return result.rowcount > 0


# --- pregnancies -------------------------------------------------------------------------------

async def active_pregnancy(conn: AsyncConnection, user_id: int) -> PregnancyRecord | None:
    row = (
        await conn.execute(
            select(pregnancies).where(pregnancies.c.user_id == user_id, pregnancies.c.status == PregnancyStatus.ACTIVE)
        )
    ).first()
    return _record(PregnancyRecord, row) if row else None


async def insert_pregnancy(
    conn: AsyncConnection, user_id: int, due_date: date, method: str, lmp_date: date | None, now: datetime
) -> int:
    _touch(conn, user_id)
    result = await conn.execute(
        insert(pregnancies)
        .values(
            user_id=user_id,
            due_date=due_date,
            dating_method=method,
            lmp_date=lmp_date,
            status=PregnancyStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )
        .returning(pregnancies.c.id)
    )
    return int(result.scalar_one())


async def update_pregnancy_dating(
    conn: AsyncConnection, pregnancy: PregnancyRecord, due_date: date, method: str, lmp_date: date | None, now: datetime
) -> None:
    _touch(conn, pregnancy.user_id)
    await conn.execute(
        update(pregnancies)
        .where(pregnancies.c.id == pregnancy.id)
        .values(due_date=due_date, dating_method=method, lmp_date=lmp_date, updated_at=now)
    )


async def end_pregnancy(
    conn: AsyncConnection, pregnancy: PregnancyRecord, status: PregnancyStatus, ended_on: date, now: datetime
) -> None:
    _touch(conn, pregnancy.user_id)
    await conn.execute(
        update(pregnancies)
        .where(pregnancies.c.id == pregnancy.id)
        .values(status=status, ended_on=ended_on, updated_at=now)
    )


# --- children ----------------------------------------------------------------------------------

async def list_children(conn: AsyncConnection, user_id: int) -> list[ChildRecord]:
    rows = await conn.execute(select(children).where(children.c.user_id == user_id).order_by(children.c.id))
    return [_record(ChildRecord, row) for row in rows]


async def insert_child(conn: AsyncConnection, user_id: int, child: NewChild, now: datetime) -> int:
    _touch(conn, user_id)
    result = await conn.execute(
        insert(children)
        .values(
            user_id=user_id,
            name=child.name,
            birth_date=child.birth_date,
            sex=child.sex,
            pregnancy_id=child.pregnancy_id,
            created_at=now,
            gestation_weeks=child.gestation_weeks,
            birth_weight_g=child.birth_weight_g,
        )
        .returning(children.c.id)
    )
    return int(result.scalar_one())


async def update_child(conn: AsyncConnection, user_id: int, child_id: int, **values: Any) -> bool:
    # The user id in the WHERE clause is the scope check: nobody edits another family's child.
    _touch(conn, user_id)
    result = await conn.execute(
        update(children).where(children.c.id == child_id, children.c.user_id == user_id).values(**values)
    )
    return result.rowcount > 0


async def delete_child(conn: AsyncConnection, user_id: int, child_id: int) -> bool:
    _touch(conn, user_id)
    result = await conn.execute(delete(children).where(children.c.id == child_id, children.c.user_id == user_id))
    return result.rowcount > 0


# --- events and counters -----------------------------------------------------------------------

async def record_life_event(
    conn: AsyncConnection, user_id: int, kind: LifeEventKind, occurred_on: date, now: datetime, pregnancy_id: int | None
) -> None:
    await conn.execute(
        insert(life_events).values(
            user_id=user_id, kind=kind, pregnancy_id=pregnancy_id, occurred_on=occurred_on, recorded_at=now
        )
    )


async def list_life_events(conn: AsyncConnection, user_id: int) -> list[tuple[LifeEventKind, date]]:
    rows = await conn.execute(
        select(life_events.c.kind, life_events.c.occurred_on)
        .where(life_events.c.user_id == user_id)
        .order_by(life_events.c.id)
    )
    return [(LifeEventKind(row.kind), row.occurred_on) for row in rows]


async def increment_counter(conn: AsyncConnection, name: str, by: int = 1) -> None:
    updated = await conn.execute(
        update(anonymous_counters)
        .where(anonymous_counters.c.name == name)
        .values(value=anonymous_counters.c.value + by)
    )
    if updated.rowcount == 0:
        await conn.execute(insert(anonymous_counters).values(name=name, value=by))


async def get_counter(conn: AsyncConnection, name: str) -> int:
    value = (
        await conn.execute(select(anonymous_counters.c.value).where(anonymous_counters.c.name == name))
    ).scalar_one_or_none()
    return int(value or 0)



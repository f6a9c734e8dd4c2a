"""The mother's record use cases, on a real database, without Telegram."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.context import AppContext
from bot.services import calendar as calendar_service
from bot.services import families as service
from db import families
from db.schema import outbox

TODAY = date(2026, 11, 24)

DRAFT = {
    "mode": "register",
    "lang": "kk",
    "consent": True,
    "roles": ["pregnant", "parent"],
    "roles_done": True,
    "name": "Aigerim",
    "phone": "+77011234567",
    "region": "almaty_city",
    "polyclinic": "almaty_pc1",
    "dating_method": "week",
    "pregnancy": {"method": "week", "due": "2027-05-15", "lmp": "2026-08-08"},
    "pregnancy_confirmed": True,
    "children": [{"name": "Aru", "birth": "2025-09-05", "sex": "girl"}],
    "children_done": True,
}


async def test_registration_writes_user_pregnancy_and_children(app: AppContext, clock: ManualClock) -> None:
    user = await service.complete_registration(app, 7, DRAFT)
    assert user.language == "kk" and not user.paused and user.consent_at == clock.now()
    family = await service.load_family(app, 7)
    assert family is not None and family.pregnancy is not None
    assert family.pregnancy.due_date == date(2027, 5, 15)
    assert [c.name for c in family.children] == ["Aru"]


async def test_registration_rejects_a_polyclinic_outside_her_region(app: AppContext, clock: ManualClock) -> None:
    with pytest.raises(service.InvalidDraft):
        await service.complete_registration(app, 8, {**DRAFT, "region": "astana"})
    assert await service.load_family(app, 8) is None


async def test_registering_twice_is_refused(app: AppContext, clock: ManualClock) -> None:
    await service.complete_registration(app, 9, DRAFT)
    with pytest.raises(service.InvalidDraft):
        await service.complete_registration(app, 9, DRAFT)


async def test_birth_then_new_pregnancy_keeps_one_active(app: AppContext, clock: ManualClock) -> None:
    await service.complete_registration(app, 10, DRAFT)
    edit = {"target": "birth", "child": {"name": "Nurlan", "birth": "2026-11-20", "sex": "boy"}}
    await service.apply_profile_edit(app, 10, edit)
    pregnancy = {"method": "due_date", "due": "2027-09-01", "lmp": None}
    await service.apply_profile_edit(app, 10, {"target": "pregnancy", "pregnancy": pregnancy})
    family = await service.load_family(app, 10)
    assert family is not None and family.pregnancy is not None and family.pregnancy.due_date == date(2027, 9, 1)
    assert sorted(c.name for c in family.children) == ["Aru", "Nurlan"]


async def test_child_edits_are_scoped_to_her_own_children(app: AppContext, clock: ManualClock) -> None:
    await service.complete_registration(app, 11, DRAFT)
    await service.complete_registration(app, 12, DRAFT)
    family = await service.load_family(app, 12)
    assert family is not None
    theirs = family.children[0].id
    with pytest.raises(service.InvalidDraft):
        await service.apply_profile_edit(
            app, 11, {"target": "child_name", "child_id": theirs, "child": {"name": "X"}}
        )
    assert not await service.remove_child(app, 11, theirs)
    family = await service.load_family(app, 12)
    assert family is not None and family.children[0].name == "Aru"


async def test_erase_removes_everything_and_counts(app: AppContext, clock: ManualClock) -> None:
    await service.complete_registration(app, 13, DRAFT)
    await service.record_pregnancy_loss(app, 13)
    assert await service.erase_user(app, 13)
    assert await service.load_family(app, 13) is None
    async with app.database.reading() as conn:
        assert await families.list_life_events(conn, 13) == []
        assert await families.list_children(conn, 13) == []
        assert await families.get_counter(conn, "users_erased") == 1


async def test_a_registration_is_planned_by_the_sweep_if_the_process_dies_before_planning_her(
    app: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Her record and "plan her now" commit together: a crash right after still leaves her reminders
    to the next sweep (before, re-planning began in a second transaction, and a crash before it left
    her registered and never planned)."""
    async def killed(app: AppContext, user_id: int) -> int:
        raise RuntimeError("the process died here")

    # Dies at the first step after the commit, whichever it is (planning at once, or re-planning afresh).
    monkeypatch.setattr(calendar_service, "plan_user", killed)
    monkeypatch.setattr(calendar_service, "replan", killed)
    with pytest.raises(RuntimeError):
        await service.complete_registration(app, 14, DRAFT)
    monkeypatch.undo()
    assert await calendar_service.sweep(app) > 0  # the next minute's sweep plans her
    async with app.database.reading() as conn:
        planned = (await conn.execute(select(func.count()).select_from(outbox).where(outbox.c.chat_id == 14))).scalar_one()
    assert planned > 0

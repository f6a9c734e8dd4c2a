"""Who may do what (bot/domain/access.py): the rules every staff action is checked against."""

from __future__ import annotations

import pytest

from bot.domain.access import (
    Actor,
    FamilyPlace,
    StaffPlace,
    StaffRole,
    can_invite,
    can_manage_staff,
    can_reassign,
    can_view_family,
    choose_nurse,
)

NATIONAL = Actor(1, 101, StaffRole.ADMIN, None, None)
ALMATY_ADMIN = Actor(2, 102, StaffRole.ADMIN, "almaty_city", None)
NURSE_PC1 = Actor(3, 103, StaffRole.NURSE, "almaty_city", "almaty_pc1")
NURSE_PC1_B = Actor(4, 104, StaffRole.NURSE, "almaty_city", "almaty_pc1")
NURSE_PC2 = Actor(5, 105, StaffRole.NURSE, "almaty_city", "almaty_pc6")
ASTANA_NURSE = Actor(6, 106, StaffRole.NURSE, "astana", "astana_pc1")


def place(actor: Actor, active: bool = True) -> StaffPlace:
    return StaffPlace(actor.staff_id, actor.role, actor.region, actor.polyclinic, active)


FAMILY_OF_NURSE_PC1 = FamilyPlace(5001, "almaty_city", "almaty_pc1", NURSE_PC1.staff_id)
ASTANA_FAMILY = FamilyPlace(5002, "astana", "astana_pc1", ASTANA_NURSE.staff_id)
WAITING_FAMILY = FamilyPlace(5003, "almaty_city", "almaty_pc6", None)


def test_a_nurse_sees_only_her_own_families() -> None:
    assert can_view_family(NURSE_PC1, FAMILY_OF_NURSE_PC1)
    assert not can_view_family(NURSE_PC1_B, FAMILY_OF_NURSE_PC1)  # same polyclinic, not hers
    assert not can_view_family(NURSE_PC2, FAMILY_OF_NURSE_PC1)
    assert not can_view_family(NURSE_PC2, WAITING_FAMILY)  # her polyclinic, but nobody's yet


def test_admins_see_families_in_their_scope() -> None:
    assert can_view_family(NATIONAL, ASTANA_FAMILY) and can_view_family(NATIONAL, FAMILY_OF_NURSE_PC1)
    assert can_view_family(ALMATY_ADMIN, FAMILY_OF_NURSE_PC1) and can_view_family(ALMATY_ADMIN, WAITING_FAMILY)
    assert not can_view_family(ALMATY_ADMIN, ASTANA_FAMILY)


def test_reassigning_stays_within_the_polyclinic_for_nurses_and_the_region_for_admins() -> None:
    assert can_reassign(NURSE_PC1, FAMILY_OF_NURSE_PC1, place(NURSE_PC1_B))
    assert can_reassign(NURSE_PC1_B, FAMILY_OF_NURSE_PC1, place(NURSE_PC1_B))  # a colleague takes her over
    assert not can_reassign(NURSE_PC1, FAMILY_OF_NURSE_PC1, place(NURSE_PC2))  # another polyclinic
    assert not can_reassign(NURSE_PC2, FAMILY_OF_NURSE_PC1, place(NURSE_PC2))
    assert can_reassign(ALMATY_ADMIN, WAITING_FAMILY, place(NURSE_PC2))
    assert not can_reassign(ALMATY_ADMIN, WAITING_FAMILY, place(ASTANA_NURSE))  # a nurse out of her region
    assert not can_reassign(ALMATY_ADMIN, ASTANA_FAMILY, place(NURSE_PC1))  # a family out of her region
    assert can_reassign(NATIONAL, ASTANA_FAMILY, place(NURSE_PC1))
    # Only to an active nurse, never to an admin.
    assert not can_reassign(NATIONAL, WAITING_FAMILY, place(NURSE_PC2, active=False))
    assert not can_reassign(NATIONAL, WAITING_FAMILY, place(ALMATY_ADMIN))


@pytest.mark.parametrize(
    ("actor", "role", "region", "polyclinic", "allowed"),
    [
        (NATIONAL, StaffRole.NURSE, "astana", "astana_pc1", True),
        (NATIONAL, StaffRole.ADMIN, "astana", None, True),
        (NATIONAL, StaffRole.ADMIN, None, None, False),  # national admins only from ADMIN_IDS
        (NATIONAL, StaffRole.NURSE, "astana", None, False),  # a nurse needs a polyclinic
        (ALMATY_ADMIN, StaffRole.NURSE, "almaty_city", "almaty_pc6", True),
        (ALMATY_ADMIN, StaffRole.ADMIN, "almaty_city", None, True),
        (ALMATY_ADMIN, StaffRole.NURSE, "astana", "astana_pc1", False),
        (ALMATY_ADMIN, StaffRole.ADMIN, "astana", None, False),
        (NURSE_PC1, StaffRole.NURSE, "almaty_city", "almaty_pc1", False),
    ],
)
def test_invitations_within_scope(actor: Actor, role: StaffRole, region: str | None, polyclinic: str | None, allowed: bool) -> None:
    assert can_invite(actor, role, region, polyclinic) is allowed


def test_managing_staff() -> None:
    assert can_manage_staff(NATIONAL, place(ASTANA_NURSE))
    assert can_manage_staff(NATIONAL, place(ALMATY_ADMIN))
    assert can_manage_staff(ALMATY_ADMIN, place(NURSE_PC2))
    assert not can_manage_staff(ALMATY_ADMIN, place(ASTANA_NURSE))
    assert not can_manage_staff(ALMATY_ADMIN, place(ALMATY_ADMIN))  # not herself
    assert not can_manage_staff(ALMATY_ADMIN, place(NATIONAL))
    assert not can_manage_staff(NATIONAL, StaffPlace(9, StaffRole.ADMIN, None, None, True))  # ADMIN_IDS: configuration only
    assert not can_manage_staff(NURSE_PC1, place(NURSE_PC1_B))


def test_the_nurse_with_the_smallest_caseload_gets_the_family() -> None:
    assert choose_nurse({}) is None
    assert choose_nurse({3: 10, 4: 2, 5: 7}) == 4
    assert choose_nurse({7: 3, 4: 3}) == 4  # a tie: the longest-serving (lowest id)


HEAD_PC1 = Actor(7, 107, StaffRole.HEAD, "almaty_city", "almaty_pc1")


def test_a_polyclinic_head_sees_her_polyclinics_families_only_and_manages_nobody() -> None:
    assert can_view_family(HEAD_PC1, FAMILY_OF_NURSE_PC1)
    assert not can_view_family(HEAD_PC1, WAITING_FAMILY)  # the same region, another polyclinic
    assert not can_view_family(HEAD_PC1, ASTANA_FAMILY)
    assert not can_view_family(Actor(8, 108, StaffRole.HEAD, "almaty_city", None), FAMILY_OF_NURSE_PC1)
    assert not can_invite(HEAD_PC1, StaffRole.NURSE, "almaty_city", "almaty_pc1")
    assert not can_manage_staff(HEAD_PC1, place(NURSE_PC1))
    assert not can_reassign(HEAD_PC1, FAMILY_OF_NURSE_PC1, place(NURSE_PC1_B))


def test_admins_invite_a_polyclinic_head_for_a_polyclinic_in_their_scope() -> None:
    assert can_invite(NATIONAL, StaffRole.HEAD, "astana", "astana_pc1")
    assert can_invite(ALMATY_ADMIN, StaffRole.HEAD, "almaty_city", "almaty_pc1")
    assert not can_invite(ALMATY_ADMIN, StaffRole.HEAD, "astana", "astana_pc1")
    assert not can_invite(ALMATY_ADMIN, StaffRole.HEAD, "almaty_city", None)  # a head belongs to a polyclinic

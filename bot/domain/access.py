"""Who may do what: the rules every staff action is checked against, on the server, every time.

A button or a callback is only a suggestion: the service that acts asks these functions with what
the database says now (her role, her region, whose nurse she is), never with what the callback says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class StaffRole(StrEnum):
    NURSE = "nurse"
    ADMIN = "admin"
    HEAD = "head"  # a polyclinic's head: watches her polyclinic in the console (Step 9)


@dataclass(frozen=True, slots=True)
class Actor:
    """A member of staff as the database knows her at this moment."""

    staff_id: int
    user_id: int
    role: StaffRole
    region: str | None  # admin: None = national
    polyclinic: str | None  # nurse, head: where she works

    @property
    def is_admin(self) -> bool:
        return self.role is StaffRole.ADMIN

    @property
    def is_nurse(self) -> bool:
        return self.role is StaffRole.NURSE

    @property
    def is_head(self) -> bool:
        return self.role is StaffRole.HEAD

    @property
    def is_national(self) -> bool:
        return self.is_admin and self.region is None


@dataclass(frozen=True, slots=True)
class FamilyPlace:
    """Where a family belongs: her region and polyclinic, and her nurse (None: nobody yet)."""

    user_id: int
    region: str
    polyclinic: str | None
    nurse_id: int | None


@dataclass(frozen=True, slots=True)
class StaffPlace:
    staff_id: int
    role: StaffRole
    region: str | None
    polyclinic: str | None
    active: bool


def in_region(actor: Actor, region: str | None) -> bool:
    """An admin's scope: national admins everywhere, regional admins in their region."""
    return actor.is_admin and (actor.region is None or actor.region == region)


def can_view_family(actor: Actor, family: FamilyPlace) -> bool:
    """A nurse sees only her own families; a polyclinic head her polyclinic's; an admin, the families in her scope."""
    if actor.is_nurse:
        return family.nurse_id == actor.staff_id
    if actor.is_head:
        return actor.polyclinic is not None and family.polyclinic == actor.polyclinic
    return in_region(actor, family.region)


def can_reassign(actor: Actor, family: FamilyPlace, to: StaffPlace) -> bool:
    """Admins within their scope; a nurse within her own polyclinic. Only to an active nurse."""
    if not (to.active and to.role is StaffRole.NURSE):
        return False
    if actor.is_nurse:
        return (
            actor.polyclinic is not None
            and family.polyclinic == actor.polyclinic
            and to.polyclinic == actor.polyclinic
        )
    return in_region(actor, family.region) and in_region(actor, to.region)


def can_invite(actor: Actor, role: StaffRole, region: str | None, polyclinic: str | None) -> bool:
    """Admins invite nurses and polyclinic heads for a polyclinic, and regional admins, within their own
    scope.

    National admins come only from ADMIN_IDS, never from an invitation."""
    if not actor.is_admin or region is None:
        return False
    if role in (StaffRole.NURSE, StaffRole.HEAD):
        return polyclinic is not None and in_region(actor, region)
    return polyclinic is None and in_region(actor, region)


def can_manage_staff(actor: Actor, target: StaffPlace) -> bool:
    """Admins list and deactivate staff in their scope; nobody deactivates herself, and national
    admins (ADMIN_IDS) are changed only in the configuration."""
    if not actor.is_admin or target.staff_id == actor.staff_id:
        return False
    if target.role is StaffRole.ADMIN and target.region is None:
        return False
    return in_region(actor, target.region)


def choose_nurse(caseloads: Mapping[int, int]) -> int | None:
    """The nurse with the smallest caseload (the longest-serving one on a tie), or None if there is none."""
    if not caseloads:
        return None
    return min(caseloads, key=lambda staff_id: (caseloads[staff_id], staff_id))

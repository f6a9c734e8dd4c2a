"""Which question comes next, from what she has answered so far.

Registration and profile edits keep their answers in the FSM data (a `Draft`: a plain dict that
survives a restart). The next question is always derived from that dict, never stored, so a restart,
a `/start` in the middle, or an edit from the summary all land on the right question.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypedDict

from bot.domain.pregnancy import DatingMethod, PregnancyDating


class Step(StrEnum):
    LANGUAGE = "language"
    CONSENT = "consent"
    ROLES = "roles"
    NAME = "name"
    PHONE = "phone"
    REGION = "region"
    POLYCLINIC = "polyclinic"
    DATING_METHOD = "dating_method"
    DATING_DATE = "dating_date"
    DATING_WEEK = "dating_week"
    DATING_CONFIRM = "dating_confirm"
    CHILD_NAME = "child_name"
    CHILD_BIRTH = "child_birth"
    CHILD_SEX = "child_sex"
    CHILD_GESTATION = "child_gestation"  # a baby under one: weeks of pregnancy at birth (or "I don't know")
    CHILD_WEIGHT = "child_weight"  # a baby under one: birth weight in grams (or "I don't know")
    MORE_CHILDREN = "more_children"
    SUMMARY = "summary"
    APPLY = "apply"  # a profile edit has everything it needs


class Role(StrEnum):
    PREGNANT = "pregnant"
    PLANNING = "planning"
    PARENT = "parent"


class Mode(StrEnum):
    REGISTER = "register"
    PROFILE = "profile"


class EditTarget(StrEnum):
    """What a profile edit changes."""

    NAME = "name"
    PHONE = "phone"
    PLACE = "place"  # region and polyclinic
    PREGNANCY = "pregnancy"  # new or corrected dating
    BIRTH = "birth"  # the baby is born: a new child, the pregnancy closes
    ADD_CHILD = "add_child"
    CHILD_NAME = "child_name"
    CHILD_BIRTH = "child_birth"
    CHILD_SEX = "child_sex"


class PregnancyDraft(TypedDict):
    """Her pregnancy's dating as typed (dating_to_draft): ISO dates."""

    method: str  # a bot.domain.pregnancy.DatingMethod value
    due: str
    lmp: str | None


def dating_to_draft(dating: PregnancyDating) -> PregnancyDraft:
    return {
        "method": dating.method.value,
        "due": dating.due_date.isoformat(),
        "lmp": dating.lmp_date.isoformat() if dating.lmp_date else None,
    }


def dating_from_draft(raw: PregnancyDraft) -> PregnancyDating:
    return PregnancyDating(
        due_date=date.fromisoformat(raw["due"]),
        method=DatingMethod(raw["method"]),
        lmp_date=date.fromisoformat(lmp) if (lmp := raw.get("lmp")) else None,
    )


class ChildDraft(TypedDict, total=False):
    """A child as she tells of it; a key is missing until its question is answered."""

    name: str
    birth: str  # ISO date
    sex: str  # a bot.domain.children.Sex value
    infant: bool  # under one at registration: weeks and grams are asked
    weeks: int | None  # weeks of pregnancy at birth; None: "I don't know"
    grams: int | None  # birth weight; None: "I don't know"


class Draft(TypedDict, total=False):
    """The FSM data of a registration (mode "register") or of one profile edit (mode "profile").

    Stored as JSON (values are plain str, not the enums named), read back after a restart, so an
    answer is missing, never a wrong type; a key forgotten (popped) is asked again."""

    mode: str  # a Mode value
    lang: str
    consent: bool
    roles: list[str]  # Role values
    roles_done: bool
    name: str
    phone: str  # +7 and ten digits
    region: str  # a region code
    polyclinic: str  # a polyclinic code; "" when hers is not in the list
    dating_method: str | None  # a DatingMethod value
    pregnancy: PregnancyDraft | None
    pregnancy_confirmed: bool
    children: list[ChildDraft]  # registration: the children told of, each complete
    child: ChildDraft  # the child being told of now (or, in a profile edit, the child's new answer)
    children_done: bool
    target: str  # a profile edit: an EditTarget value
    child_id: int  # a profile edit of one child: which


def toggle_role(roles: list[str], role: Role, on: bool | None = None) -> list[str]:
    """Pregnant and planning exclude each other; parent combines with either. `on`: the press asks for the
    role ticked (True) or not (False), so pressing the same button twice leaves it as asked; None: the
    other way round."""
    chosen = set(roles)
    if on is not None and (role in chosen) == on:
        return [r.value for r in Role if r in chosen]
    if role in chosen:
        chosen.discard(role)
    else:
        chosen.add(role)
        if role is Role.PREGNANT:
            chosen.discard(Role.PLANNING)
        elif role is Role.PLANNING:
            chosen.discard(Role.PREGNANT)
    return [r.value for r in Role if r in chosen]


def _pregnancy_step(data: Draft) -> Step | None:
    if data.get("pregnancy_confirmed"):
        return None
    method = data.get("dating_method")
    if not method:
        return Step.DATING_METHOD
    if not data.get("pregnancy"):
        return Step.DATING_WEEK if method == DatingMethod.WEEK else Step.DATING_DATE
    return Step.DATING_CONFIRM


def _child_step(child: ChildDraft) -> Step | None:
    if not child.get("name"):
        return Step.CHILD_NAME
    if not child.get("birth"):
        return Step.CHILD_BIRTH
    if not child.get("sex"):
        return Step.CHILD_SEX
    # A baby under one ("infant" is set with the birth date): the two facts a patronage nurse asks first.
    # The keys are present, with None, once she answered "I don't know".
    if child.get("infant") and "weeks" not in child:
        return Step.CHILD_GESTATION
    if child.get("infant") and "grams" not in child:
        return Step.CHILD_WEIGHT
    return None


def child_complete(child: ChildDraft) -> bool:
    return _child_step(child) is None


def next_step(data: Draft) -> Step:
    if data.get("mode") == Mode.PROFILE:
        return _next_profile_step(data)
    if data.get("lang") is None:
        return Step.LANGUAGE
    if not data.get("consent"):
        return Step.CONSENT
    if not data.get("roles_done"):
        return Step.ROLES
    if not data.get("name"):
        return Step.NAME
    if not data.get("phone"):
        return Step.PHONE
    if not data.get("region"):
        return Step.REGION
    if "polyclinic" not in data:
        return Step.POLYCLINIC
    roles = data.get("roles", [])
    if Role.PREGNANT in roles and (step := _pregnancy_step(data)):
        return step
    if Role.PARENT in roles and not data.get("children_done"):
        # "child" present means a child is being added right now.
        if "child" in data:
            return _child_step(data["child"]) or Step.MORE_CHILDREN
        return Step.MORE_CHILDREN if data.get("children") else Step.CHILD_NAME
    return Step.SUMMARY


def _next_profile_step(data: Draft) -> Step:
    target = data.get("target")
    child = data.get("child", {})
    if target == EditTarget.NAME:
        return Step.APPLY if data.get("name") else Step.NAME
    if target == EditTarget.PHONE:
        return Step.APPLY if data.get("phone") else Step.PHONE
    if target == EditTarget.PLACE:
        if not data.get("region"):
            return Step.REGION
        return Step.APPLY if "polyclinic" in data else Step.POLYCLINIC
    if target == EditTarget.PREGNANCY:
        return _pregnancy_step(data) or Step.APPLY
    if target in (EditTarget.BIRTH, EditTarget.ADD_CHILD):
        return _child_step(child) or Step.APPLY
    if target == EditTarget.CHILD_NAME:
        return Step.APPLY if child.get("name") else Step.CHILD_NAME
    if target == EditTarget.CHILD_BIRTH:
        return Step.APPLY if child.get("birth") else Step.CHILD_BIRTH
    if target == EditTarget.CHILD_SEX:
        return Step.APPLY if child.get("sex") else Step.CHILD_SEX
    raise ValueError(f"unknown profile edit target {target!r}")

"""CallbackData factories. Short prefixes and ids only: Telegram allows 64 bytes.

Parsing checks the shape; what a value means (her child, a known region) is checked again by
the service that acts on it. A button is a suggestion, never a permission.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class ConsentCb(CallbackData, prefix="cons"):
    agree: bool


class RoleCb(CallbackData, prefix="role"):
    role: str  # pregnant | planning | parent | done


class RegionCb(CallbackData, prefix="reg"):
    code: str


class PolyclinicCb(CallbackData, prefix="pc"):
    code: str  # "-" when hers is not in the list


class DatingMethodCb(CallbackData, prefix="dm"):
    method: str


class DatingConfirmCb(CallbackData, prefix="dc"):
    ok: bool


class SexCb(CallbackData, prefix="sex"):
    sex: str


class DontKnowCb(CallbackData, prefix="dk"):
    """"I don't know" under a question that may stay unanswered (the current step says which)."""


class FixPregnancyCb(CallbackData, prefix="fixp"):
    """Registration: a child's date of birth does not fit the pregnancy; the pregnancy dates are wrong."""


class MoreChildrenCb(CallbackData, prefix="more"):
    more: bool


class SummaryCb(CallbackData, prefix="sum"):
    action: str  # confirm | name | phone | place | roles | pregnancy | children


class DraftChildCb(CallbackData, prefix="dk"):
    action: str  # remove | add | back
    index: int = 0


class ProfileCb(CallbackData, prefix="pf"):
    action: str
    child_id: int = 0


class EraseCb(CallbackData, prefix="erase"):
    confirm: bool


class RestartCb(CallbackData, prefix="restart"):
    pass


class CareCb(CallbackData, prefix="care"):
    """A reminder's answer. track: p (pregnancy), c (child), l (planning); ref: pregnancy or child id."""

    action: str  # done | appt | later | no
    track: str
    ref: int
    item: str


class AppointmentCb(CallbackData, prefix="appt"):
    action: str  # add | change (then move | what | place) | cancel | cancel_yes | keep | no_time | no_place
    id: int = 0


# --- Step 3: staff ------------------------------------------------------------------------------

class StaffMenuCb(CallbackData, prefix="sm"):
    action: str  # families | questions | unassigned | invite | staff | broadcast | broadcasts | stats


class JoinCb(CallbackData, prefix="join"):
    action: str  # name (keep her Telegram name) | cancel


class InviteCb(CallbackData, prefix="inv"):
    """The choices so far travel in the button; the service checks them all again."""

    step: str  # role | region | polyclinic | cancel
    role: str = ""  # nurse | admin | link (a polyclinic's registration link)
    region: str = ""
    polyclinic: str = ""


class AssignCb(CallbackData, prefix="as"):
    action: str  # pick (show nurses for this family) | to (assign to staff_id) | page
    family_id: int = 0
    staff_id: int = 0
    page: int = 0


class StaffCb(CallbackData, prefix="st"):
    action: str  # open | deactivate | confirm | back | page
    staff_id: int = 0
    page: int = 0


class FamilyCb(CallbackData, prefix="fam"):
    """A family card and its actions, for staff. The family id is re-checked against the acting
    nurse's or admin's scope on every press (bot.services.staff.may_view_family)."""

    action: str  # open | message (write to her) | visit | plan | appointment | risk | note | reassign | ...
    family_id: int
    page: int = 0

"""What the repositories hand back: plain frozen records, no database objects leak out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    language: str
    name: str
    phone: str
    region: str
    polyclinic: str | None
    polyclinic_unlisted: bool
    planning: bool
    consent_at: datetime
    paused: bool
    unreachable_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PregnancyRecord:
    id: int
    user_id: int
    due_date: date
    dating_method: str
    lmp_date: date | None
    status: str
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class ChildRecord:
    id: int
    user_id: int
    name: str
    birth_date: date
    sex: str
    pregnancy_id: int | None
    gestation_weeks: int | None = None  # completed weeks of pregnancy at birth, if she knew
    birth_weight_g: int | None = None


@dataclass(frozen=True, slots=True)
class NewUser:
    id: int
    language: str
    name: str
    phone: str
    region: str
    polyclinic: str | None
    polyclinic_unlisted: bool
    planning: bool


@dataclass(frozen=True, slots=True)
class NewChild:
    name: str
    birth_date: date
    sex: str
    pregnancy_id: int | None = None
    gestation_weeks: int | None = None
    birth_weight_g: int | None = None


@dataclass(frozen=True, slots=True)
class Family:
    """A mother with her active pregnancy (if any) and her children: what most updates need."""

    user: UserRecord
    pregnancy: PregnancyRecord | None
    children: tuple[ChildRecord, ...]


@dataclass(frozen=True, slots=True)
class StaffRecord:
    """A nurse or an admin. `region` None on an admin: national."""

    id: int
    user_id: int
    role: str  # nurse | admin
    region: str | None
    polyclinic: str | None
    name: str
    phone: str | None
    language: str
    active: bool
    created_at: datetime
    unreachable_at: datetime | None = None  # she blocked the bot: nothing reaches her
    language_chosen: bool = True  # False: a national admin who has not chosen (her app's language is used)
    opened_at: datetime | None = None  # when she first wrote to the bot (None: never; nothing can reach her)

    @property
    def reachable(self) -> bool:
        return self.active and self.unreachable_at is None


@dataclass(frozen=True, slots=True)
class InvitationRecord:
    code_hash: str
    role: str
    region: str | None
    polyclinic: str | None
    created_by: int
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None

"""Who an announcement is for: the audience an admin builds, the scope she may build it in, and
who fits it on a given day. Pure rules, no I/O.

An audience is turned into a `Selection` for a day: plain date ranges (due dates for trimesters,
birth dates for child ages). The database selects recipients with the same ranges (db/broadcasts.py)
and the renderer checks a recipient against them again at send time, so "who fits" is written once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from bot.domain.access import Actor

PREGNANT, PLANNING, PARENT = "pregnant", "planning", "parent"
ROLES: tuple[str, ...] = (PREGNANT, PLANNING, PARENT)
TRIMESTERS: tuple[int, ...] = (1, 2, 3)
# Completed weeks of pregnancy in each trimester, [from, to): as PregnancyDating.trimester.
TRIMESTER_WEEKS: dict[int, tuple[int, int | None]] = {1: (0, 14), 2: (14, 28), 3: (28, None)}
# Child age bands in completed years, [from, to). "3–5" includes five-year-olds.
AGE_BANDS: dict[str, tuple[int, int]] = {"0_1": (0, 1), "1_2": (1, 2), "2_3": (2, 3), "3_5": (3, 6)}
CHILD_MAX_YEARS = 6  # the programme follows children under six (bot.domain.children.MAX_AGE_YEARS)
LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
FULL_TERM_DAYS = 280

# What Telegram accepts, in UTF-16 code units of the visible text.
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def telegram_length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def text_limit(with_photo: bool) -> int:
    return CAPTION_LIMIT if with_photo else TEXT_LIMIT


class InvalidAudience(ValueError):
    """A value no button offers (a forged callback, or a broken stored audience)."""


@dataclass(frozen=True, slots=True)
class Audience:
    """The filters. An empty set means "any": no role chosen is every registered family."""

    roles: frozenset[str] = frozenset()
    trimesters: frozenset[int] = frozenset()  # only with PREGNANT
    ages: frozenset[str] = frozenset()  # only with PARENT
    regions: frozenset[str] = frozenset()  # empty: every region of the admin's scope
    polyclinics: frozenset[str] = frozenset()  # empty: every polyclinic of those regions
    languages: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check(self.roles, ROLES, "role")
        _check(self.trimesters, TRIMESTERS, "trimester")
        _check(self.ages, AGE_BANDS, "age band")
        _check(self.languages, LANGUAGES, "language")

    @property
    def depends_on_stage(self) -> bool:
        """Pregnancy, planning or child content: checked again when each message is sent."""
        return bool(self.roles)

    def toggled(self, name: str, value: str, on: bool | None = None) -> Audience:
        """One button pressed: the value is added (`on`) or taken away (not `on`; None: the other way
        round), so the same press twice leaves it as asked. Raises InvalidAudience."""
        if name == "role":
            audience = replace(self, roles=_toggle(self.roles, value, on))
            if PREGNANT not in audience.roles:
                audience = replace(audience, trimesters=frozenset())
            if PARENT not in audience.roles:
                audience = replace(audience, ages=frozenset())
            return audience
        if name == "trimester":
            if PREGNANT not in self.roles or not value.isdigit():
                raise InvalidAudience(f"trimester {value!r} without pregnant")
            return replace(self, trimesters=_toggle(self.trimesters, int(value), on))
        if name == "age":
            if PARENT not in self.roles:
                raise InvalidAudience(f"age {value!r} without parents")
            return replace(self, ages=_toggle(self.ages, value, on))
        if name == "language":
            return replace(self, languages=_toggle(self.languages, value, on))
        if name == "region":
            regions = _toggle(self.regions, value, on)
            if regions == self.regions:
                return self
            # A polyclinic is chosen within one region: other choices of place start again.
            return replace(self, regions=regions, polyclinics=frozenset())
        if name == "polyclinic":
            return replace(self, polyclinics=_toggle(self.polyclinics, value, on))
        raise InvalidAudience(f"unknown filter {name!r}")

    def to_json(self) -> dict[str, list[Any]]:
        """Compact and stable (sorted): stored with the broadcast, and the stage part in each message."""
        return {
            key: sorted(values)
            for key, values in (
                ("roles", self.roles),
                ("trimesters", self.trimesters),
                ("ages", self.ages),
                ("regions", self.regions),
                ("polyclinics", self.polyclinics),
                ("languages", self.languages),
            )
            if values
        }

    def stage_json(self) -> dict[str, list[Any]] | None:
        """Only what depends on her stage (None: nothing does)."""
        if not self.depends_on_stage:
            return None
        return Audience(roles=self.roles, trimesters=self.trimesters, ages=self.ages).to_json()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audience:
        try:
            return cls(
                roles=frozenset(data.get("roles", ())),
                trimesters=frozenset(int(t) for t in data.get("trimesters", ())),
                ages=frozenset(data.get("ages", ())),
                regions=frozenset(data.get("regions", ())),
                polyclinics=frozenset(data.get("polyclinics", ())),
                languages=frozenset(data.get("languages", ())),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidAudience(str(exc)) from exc


def _check(values: Iterable[object], allowed: Collection[object], what: str) -> None:
    for value in values:
        if value not in allowed:
            raise InvalidAudience(f"unknown {what} {value!r}")


def _toggle(values: frozenset[Any], value: Any, on: bool | None = None) -> frozenset[Any]:
    if on is None:
        on = value not in values
    return values | {value} if on else values - {value}


# --- scope ---------------------------------------------------------------------------------------

def in_scope(audience: Audience, actor: Actor, polyclinic_regions: Mapping[str, str], regions: Collection[str]) -> bool:
    """An admin reaches families of her scope only: a regional admin her own region, never another.

    `polyclinic_regions`: every known polyclinic → its region; `regions`: every known region code."""
    if not actor.is_admin:
        return False
    if any(region not in regions for region in audience.regions):
        return False
    if actor.region is not None and any(region != actor.region for region in audience.regions):
        return False
    places = audience.regions or ({actor.region} if actor.region is not None else None)
    for clinic in audience.polyclinics:
        region = polyclinic_regions.get(clinic)
        if region is None or (places is not None and region not in places):
            return False
    return True


def scoped(audience: Audience, actor: Actor) -> Audience:
    """The audience as it is sent: a regional admin's "every region" is her region."""
    if actor.region is not None and not audience.regions:
        return replace(audience, regions=frozenset({actor.region}))
    return audience


# --- who fits, on a day ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DateRange:
    """after < day <= until; None is open on that side."""

    after: date | None = None
    until: date | None = None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return (self.after is None or day > self.after) and (self.until is None or day <= self.until)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def due_dates_in_trimester(trimester: int, today: date) -> DateRange:
    """Due dates of pregnancies in this trimester today (completed weeks as PregnancyDating.week)."""
    first_week, end_week = TRIMESTER_WEEKS[trimester]
    # week >= w  ⇔  280 − (due − today) >= 7w  ⇔  due <= today + 280 − 7w   (w = 0: always)
    until = today + timedelta(days=FULL_TERM_DAYS - 7 * first_week) if first_week > 0 else None
    after = today + timedelta(days=FULL_TERM_DAYS - 7 * end_week) if end_week is not None else None
    return DateRange(after=after, until=until)


def births_in_band(band: str, today: date) -> DateRange:
    """Birth dates of children in this age band today (completed years as bot.domain.children.child_age)."""
    first_year, end_year = AGE_BANDS[band]
    return DateRange(after=years_before(today, end_year), until=years_before(today, first_year))


@dataclass(frozen=True, slots=True)
class Recipient:
    """A family as the audience rules see it."""

    language: str
    region: str
    polyclinic: str | None
    planning: bool
    due_date: date | None  # of her active pregnancy; None: not pregnant now
    births: tuple[date, ...] = ()  # her children's birth dates


@dataclass(frozen=True, slots=True)
class Selection:
    """An audience on one day, as sets and date ranges a database query can check."""

    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    polyclinics: tuple[str, ...] = ()
    everyone: bool = True  # no role chosen
    pregnant: tuple[DateRange, ...] | None = None  # her due date in any of these; None: role not chosen
    planning: bool = False
    children: tuple[DateRange, ...] | None = None  # a child born in any of these; None: role not chosen
    children_born: DateRange = field(default_factory=DateRange)  # born, and under six

    def admits(self, recipient: Recipient) -> bool:
        if self.languages and recipient.language not in self.languages:
            return False
        if self.regions and recipient.region not in self.regions:
            return False
        if self.polyclinics and recipient.polyclinic not in self.polyclinics:
            return False
        return self.admits_stage(recipient)

    def admits_stage(self, recipient: Recipient) -> bool:
        if self.everyone:
            return True
        due = recipient.due_date
        if self.pregnant is not None and due is not None and any(due in dates for dates in self.pregnant):
            return True
        if self.planning and recipient.planning and recipient.due_date is None:
            return True
        if self.children is not None:
            for birth in recipient.births:
                if birth in self.children_born and any(birth in dates for dates in self.children):
                    return True
        return False


def selection(audience: Audience, today: date) -> Selection:
    everyone = not audience.roles
    pregnant = None
    if PREGNANT in audience.roles:
        pregnant = tuple(due_dates_in_trimester(t, today) for t in sorted(audience.trimesters)) or (DateRange(),)
    children = None
    if PARENT in audience.roles:
        children = tuple(births_in_band(b, today) for b in sorted(audience.ages)) or (DateRange(),)
    return Selection(
        languages=tuple(sorted(audience.languages)),
        regions=tuple(sorted(audience.regions)),
        polyclinics=tuple(sorted(audience.polyclinics)),
        everyone=everyone,
        pregnant=pregnant,
        planning=PLANNING in audience.roles,
        children=children,
        children_born=DateRange(after=years_before(today, CHILD_MAX_YEARS), until=today),
    )


def fits(audience: Audience, recipient: Recipient, today: date) -> bool:
    return selection(audience, today).admits(recipient)


def still_fits(stage: Mapping[str, Any] | None, recipient: Recipient, today: date) -> bool:
    """At send time: does she still fit the stage part of the audience (a pregnancy lost, a child
    removed or grown out of the band: no)? Region and language were settled when it was queued."""
    if stage is None:
        return True
    return selection(Audience.from_json(stage), today).admits_stage(recipient)

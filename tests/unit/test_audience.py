"""Who an announcement is for (bot/domain/audience.py): every filter, trimester and age edges, scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.access import Actor, StaffRole
from bot.domain.audience import (
    Audience,
    InvalidAudience,
    Recipient,
    fits,
    in_scope,
    scoped,
    selection,
    still_fits,
    telegram_length,
    years_before,
)
from bot.domain.children import child_age
from bot.domain.pregnancy import DatingMethod, PregnancyDating

TODAY = date(2026, 11, 24)
NATIONAL = Actor(1, 101, StaffRole.ADMIN, None, None)
ALMATY_ADMIN = Actor(2, 102, StaffRole.ADMIN, "almaty_city", None)
NURSE = Actor(3, 103, StaffRole.NURSE, "almaty_city", "almaty_pc1")
CLINICS = {"almaty_pc1": "almaty_city", "almaty_pc6": "almaty_city", "astana_pc1": "astana"}
REGIONS = {"almaty_city", "astana", "abai"}


def mother(
    *, lang: str = "kk", region: str = "almaty_city", polyclinic: str | None = "almaty_pc1", planning: bool = False,
    due: date | None = None, births: tuple[date, ...] = (),
) -> Recipient:
    return Recipient(lang, region, polyclinic, planning, due, births)


def due_at_week(week: int, day: int = 0) -> date:
    """The due date of a pregnancy `week` weeks and `day` days along today."""
    return TODAY + timedelta(days=280 - 7 * week - day)


# --- the filters ----------------------------------------------------------------------------------

def test_no_filter_is_every_registered_family() -> None:
    everyone = Audience()
    assert all(
        fits(everyone, m, TODAY)
        for m in (mother(), mother(planning=True), mother(due=due_at_week(20)), mother(births=(date(2026, 1, 1),)), mother(lang="en"))
    )
    assert not everyone.depends_on_stage and everyone.stage_json() is None


def test_roles_are_alternatives_each_with_its_own_rule() -> None:
    pregnant, planning, parent = Audience(roles=frozenset({"pregnant"})), Audience(roles=frozenset({"planning"})), Audience(
        roles=frozenset({"parent"})
    )
    expecting = mother(due=due_at_week(20))
    with_baby = mother(births=(date(2026, 5, 1),))
    hoping = mother(planning=True)
    assert fits(pregnant, expecting, TODAY) and not fits(pregnant, with_baby, TODAY) and not fits(pregnant, hoping, TODAY)
    assert fits(parent, with_baby, TODAY) and not fits(parent, expecting, TODAY)
    assert fits(planning, hoping, TODAY) and not fits(planning, expecting, TODAY)
    # Planning while pregnant (she said both): the pregnancy counts, not the planning.
    assert not fits(planning, mother(planning=True, due=due_at_week(10)), TODAY)
    both = Audience(roles=frozenset({"pregnant", "parent"}))
    assert fits(both, expecting, TODAY) and fits(both, with_baby, TODAY) and not fits(both, hoping, TODAY)


def test_language_region_and_polyclinic_filters() -> None:
    kk_only = Audience(languages=frozenset({"kk"}))
    assert fits(kk_only, mother(lang="kk"), TODAY) and not fits(kk_only, mother(lang="ru"), TODAY)
    two = Audience(languages=frozenset({"kk", "en"}))
    assert fits(two, mother(lang="en"), TODAY) and not fits(two, mother(lang="ru"), TODAY)
    astana = Audience(regions=frozenset({"astana"}))
    assert fits(astana, mother(region="astana"), TODAY) and not fits(astana, mother(), TODAY)
    clinic = Audience(regions=frozenset({"almaty_city"}), polyclinics=frozenset({"almaty_pc6"}))
    assert fits(clinic, mother(polyclinic="almaty_pc6"), TODAY)
    assert not fits(clinic, mother(polyclinic="almaty_pc1"), TODAY)
    assert not fits(clinic, mother(polyclinic=None), TODAY)  # her polyclinic is not in the list


# --- trimesters -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("week", "day", "trimester"),
    [(0, 0, 1), (4, 0, 1), (13, 6, 1), (14, 0, 2), (27, 6, 2), (28, 0, 3), (40, 0, 3), (42, 6, 3)],
)
def test_trimester_edges(week: int, day: int, trimester: int) -> None:
    due = due_at_week(week, day)
    for t in (1, 2, 3):
        audience = Audience(roles=frozenset({"pregnant"}), trimesters=frozenset({t}))
        assert fits(audience, mother(due=due), TODAY) is (t == trimester), (week, day, t)


def test_trimesters_agree_with_pregnancy_dating_on_every_day() -> None:
    for days_to_due in range(-20, 300):
        due = TODAY + timedelta(days=days_to_due)
        expected = PregnancyDating(due, DatingMethod.DUE_DATE, None).trimester(TODAY)
        found = [t for t in (1, 2, 3) if fits(Audience(roles=frozenset({"pregnant"}), trimesters=frozenset({t})), mother(due=due), TODAY)]
        assert found == [expected], days_to_due


def test_several_trimesters_and_none_chosen() -> None:
    second_or_third = Audience(roles=frozenset({"pregnant"}), trimesters=frozenset({2, 3}))
    assert fits(second_or_third, mother(due=due_at_week(30)), TODAY)
    assert not fits(second_or_third, mother(due=due_at_week(8)), TODAY)
    assert fits(Audience(roles=frozenset({"pregnant"})), mother(due=due_at_week(8)), TODAY)


# --- child ages -----------------------------------------------------------------------------------

BANDS = {"0_1": (0, 1), "1_2": (1, 2), "2_3": (2, 3), "3_5": (3, 6)}


@pytest.mark.parametrize("today", [TODAY, date(2028, 2, 29), date(2027, 2, 28), date(2027, 3, 1), date(2026, 12, 31)])
def test_age_bands_agree_with_child_age_on_every_birth_date(today: date) -> None:
    birth = years_before(today, 7)
    while birth <= today:
        years = child_age(birth, today).years
        for band, (first, end) in BANDS.items():
            audience = Audience(roles=frozenset({"parent"}), ages=frozenset({band}))
            assert fits(audience, mother(births=(birth,)), today) is (first <= years < end), (today, birth, band)
        assert fits(Audience(roles=frozenset({"parent"})), mother(births=(birth,)), today) is (years < 6), (today, birth)
        birth += timedelta(days=1)


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (TODAY, "0_1"),  # born today
        (date(2025, 11, 25), "0_1"),  # the day before her first birthday
        (date(2025, 11, 24), "1_2"),  # one today
        (date(2023, 11, 24), "3_5"),  # three today
        (date(2020, 11, 25), "3_5"),  # five, six tomorrow
    ],
)
def test_age_band_edges(birth: date, band: str) -> None:
    for other in BANDS:
        audience = Audience(roles=frozenset({"parent"}), ages=frozenset({other}))
        assert fits(audience, mother(births=(birth,)), TODAY) is (other == band), (birth, other)


def test_a_child_of_six_or_not_yet_born_is_no_young_child() -> None:
    parents = Audience(roles=frozenset({"parent"}))
    assert not fits(parents, mother(births=(date(2020, 11, 24),)), TODAY)  # six today
    assert not fits(parents, mother(births=(TODAY + timedelta(days=1),)), TODAY)


def test_any_of_her_children_can_fit() -> None:
    babies = Audience(roles=frozenset({"parent"}), ages=frozenset({"0_1"}))
    assert fits(babies, mother(births=(date(2022, 3, 1), date(2026, 8, 1))), TODAY)
    assert not fits(babies, mother(births=(date(2022, 3, 1), date(2024, 8, 1))), TODAY)


def test_a_born_29_february_child_turns_one_on_1_march() -> None:
    leap = mother(births=(date(2024, 2, 29),))
    one = Audience(roles=frozenset({"parent"}), ages=frozenset({"1_2"}))
    assert not fits(one, leap, date(2025, 2, 28))
    assert fits(one, leap, date(2025, 3, 1))


# --- at send time -----------------------------------------------------------------------------------

def test_a_lost_pregnancy_or_a_removed_child_no_longer_fits() -> None:
    pregnant = Audience(roles=frozenset({"pregnant"}), trimesters=frozenset({2})).stage_json()
    babies = Audience(roles=frozenset({"parent"}), ages=frozenset({"0_1"})).stage_json()
    assert still_fits(pregnant, mother(due=due_at_week(20)), TODAY)
    assert not still_fits(pregnant, mother(due=None), TODAY)  # the pregnancy ended
    assert still_fits(babies, mother(births=(date(2026, 6, 1),)), TODAY)
    assert not still_fits(babies, mother(births=()), TODAY)  # the child was removed
    assert still_fits(None, mother(), TODAY)  # an announcement for everyone


def test_the_stage_part_leaves_place_and_language_out() -> None:
    audience = Audience(roles=frozenset({"pregnant"}), regions=frozenset({"astana"}), languages=frozenset({"ru"}))
    assert audience.stage_json() == {"roles": ["pregnant"]}
    assert still_fits(audience.stage_json(), mother(due=due_at_week(10)), TODAY)  # settled when queued


# --- building it ------------------------------------------------------------------------------------

def test_toggles_add_and_take_away_and_dependent_choices_follow() -> None:
    audience = Audience().toggled("role", "pregnant").toggled("trimester", "2").toggled("role", "parent").toggled("age", "0_1")
    assert audience.roles == {"pregnant", "parent"} and audience.trimesters == {2} and audience.ages == {"0_1"}
    assert audience.toggled("trimester", "2").trimesters == frozenset()
    without = audience.toggled("role", "pregnant").toggled("role", "parent")
    assert without == Audience()  # trimesters and ages go with their role
    place = Audience().toggled("region", "almaty_city").toggled("polyclinic", "almaty_pc1")
    assert place.polyclinics == {"almaty_pc1"}
    assert place.toggled("region", "astana").polyclinics == frozenset()  # a new choice of place starts again


@pytest.mark.parametrize(
    ("name", "value"),
    [("role", "nurse"), ("language", "de"), ("trimester", "2"), ("age", "0_1"), ("colour", "red")],
)
def test_values_no_button_offers_are_refused(name: str, value: str) -> None:
    with pytest.raises(InvalidAudience):
        Audience().toggled(name, value)  # trimester/age without their role; the rest unknown


@pytest.mark.parametrize(("name", "value"), [("trimester", "4"), ("trimester", "x"), ("age", "7_9")])
def test_values_out_of_range_are_refused_even_with_their_role(name: str, value: str) -> None:
    with pytest.raises(InvalidAudience):
        Audience(roles=frozenset({"pregnant", "parent"})).toggled(name, value)


def test_stored_form_round_trips_and_garbage_is_refused() -> None:
    audience = Audience(
        roles=frozenset({"pregnant", "parent"}), trimesters=frozenset({1, 3}), ages=frozenset({"2_3"}),
        regions=frozenset({"astana"}), polyclinics=frozenset({"astana_pc1"}), languages=frozenset({"ru", "kk"}),
    )
    assert Audience.from_json(audience.to_json()) == audience
    assert audience.to_json()["languages"] == ["kk", "ru"]
    assert Audience.from_json({**audience.to_json(), "draft": "abc"}) == audience  # other keys are not filters
    with pytest.raises(InvalidAudience):
        Audience.from_json({"trimesters": ["x"]})


# --- scope -----------------------------------------------------------------------------------------

def test_a_national_admin_reaches_any_region_and_its_polyclinics() -> None:
    assert in_scope(Audience(), NATIONAL, CLINICS, REGIONS)
    assert in_scope(Audience(regions=frozenset({"astana", "abai"})), NATIONAL, CLINICS, REGIONS)
    assert in_scope(Audience(regions=frozenset({"astana"}), polyclinics=frozenset({"astana_pc1"})), NATIONAL, CLINICS, REGIONS)
    assert scoped(Audience(), NATIONAL) == Audience()  # everywhere


def test_a_regional_admin_reaches_her_region_only() -> None:
    assert in_scope(Audience(), ALMATY_ADMIN, CLINICS, REGIONS)
    assert scoped(Audience(), ALMATY_ADMIN).regions == {"almaty_city"}
    assert in_scope(Audience(regions=frozenset({"almaty_city"})), ALMATY_ADMIN, CLINICS, REGIONS)
    assert in_scope(Audience(polyclinics=frozenset({"almaty_pc6"})), ALMATY_ADMIN, CLINICS, REGIONS)
    assert not in_scope(Audience(regions=frozenset({"astana"})), ALMATY_ADMIN, CLINICS, REGIONS)
    assert not in_scope(Audience(regions=frozenset({"almaty_city", "astana"})), ALMATY_ADMIN, CLINICS, REGIONS)
    assert not in_scope(Audience(polyclinics=frozenset({"astana_pc1"})), ALMATY_ADMIN, CLINICS, REGIONS)


def test_unknown_places_and_non_admins_are_refused() -> None:
    assert not in_scope(Audience(regions=frozenset({"atlantis"})), NATIONAL, CLINICS, REGIONS)
    assert not in_scope(Audience(polyclinics=frozenset({"nowhere_pc"})), NATIONAL, CLINICS, REGIONS)
    # A polyclinic outside the chosen region.
    assert not in_scope(Audience(regions=frozenset({"astana"}), polyclinics=frozenset({"almaty_pc1"})), NATIONAL, CLINICS, REGIONS)
    assert not in_scope(Audience(), NURSE, CLINICS, REGIONS)


def test_selection_is_what_the_database_is_asked() -> None:
    chosen = selection(Audience(roles=frozenset({"pregnant"}), trimesters=frozenset({3}), languages=frozenset({"ru"})), TODAY)
    assert chosen.languages == ("ru",) and not chosen.everyone and chosen.children is None and not chosen.planning
    assert chosen.pregnant is not None and chosen.pregnant[0].until == TODAY + timedelta(days=280 - 7 * 28)


def test_telegram_counts_utf16_units() -> None:
    assert telegram_length("Сәлем") == 5
    assert telegram_length("👶") == 2


def test_a_filter_pressed_twice_stays_as_asked() -> None:
    """Each value's button says chosen or not: a press handled a second time changes nothing more."""
    chosen = Audience().toggled("language", "kk", on=True)
    assert chosen.toggled("language", "kk", on=True).languages == {"kk"}
    assert chosen.toggled("language", "kk", on=False).toggled("language", "kk", on=False).languages == set()
    in_one = Audience().toggled("region", "almaty_city", on=True).toggled("polyclinic", "almaty_pc1", on=True)
    assert in_one.toggled("region", "almaty_city", on=True).polyclinics == {"almaty_pc1"}  # not started again
    assert Audience().toggled("language", "ru").toggled("language", "ru").languages == set()  # without `on`

"""After a birth: gestational age and birth weight, read from what she types, and what they mean."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.birth import (
    BirthFacts,
    asks_birth_facts,
    fits_pregnancy,
    parse_birth_weight,
    parse_gestation_weeks,
)
from bot.domain.flow import Step, child_complete, next_step


@pytest.mark.parametrize(("text", "grams"), [
    ("1800", 1800), ("1 800", 1800), ("1800 g", 1800), ("1800 г", 1800), ("3,2 kg", 3200), ("3.2", 3200),
    ("3,2 кг", 3200), ("abc", None), ("12000", None), ("0.2", None), ("", None), ("2500 lbs", None),
    ("1800 грамм", 1800), ("1800 граммов", 1800), ("1800 гр", 1800), ("3 кг 200", 3200), ("3kg 200 g", 3200),
])
def test_birth_weight_in_grams_or_kilograms(text: str, grams: int | None) -> None:
    assert parse_birth_weight(text) == grams


@pytest.mark.parametrize(("text", "weeks"), [
    ("33", 33), ("33 weeks", 33), ("33 апта", 33), ("38,5", 38), ("2", None), ("50", None), ("soon", None),
    ("36+5", 36), ("36 недель 5 дней", 36), ("36 12", None),
])
def test_gestation_in_completed_weeks(text: str, weeks: int | None) -> None:
    assert parse_gestation_weeks(text) == weeks


@pytest.mark.parametrize(("weeks", "grams", "early_or_small", "rop"), [
    (39, 3400, False, False),
    (36, 3000, True, False),  # preterm: < 37 weeks
    (39, 2499, True, False),  # low birth weight: < 2,500 g
    (39, 2500, False, False),
    (33, 1800, True, True),  # the example: nurse told, ROP planned
    (34, 2100, True, False),
    (35, 1999, True, True),
    (None, 1999, True, True),
    (33, None, True, True),
    (None, None, False, False),  # "I don't know" twice: nothing assumed
])
def test_early_or_small_and_eye_screening(weeks: int | None, grams: int | None, early_or_small: bool, rop: bool) -> None:
    facts = BirthFacts(weeks, grams)
    assert (facts.early_or_small, facts.rop_risk) == (early_or_small, rop)


def test_only_a_baby_under_one_is_asked() -> None:
    today = date(2026, 12, 6)
    assert asks_birth_facts(today, today) and asks_birth_facts(today - timedelta(days=364), today)
    assert not asks_birth_facts(today - timedelta(days=365), today)


def test_a_child_born_after_the_pregnancy_began_does_not_fit() -> None:
    """Week 12 with a 4-week-old baby: her pregnancy began 12 weeks ago, the baby was born 4 weeks ago."""
    today = date(2026, 12, 6)
    began = today - timedelta(weeks=12)
    assert not fits_pregnancy(today - timedelta(weeks=4), began)
    assert not fits_pregnancy(began - timedelta(days=13), began)
    assert fits_pregnancy(began - timedelta(days=14), began)
    assert fits_pregnancy(today - timedelta(days=800), began)


def test_the_flow_asks_weeks_then_weight_for_an_infant_and_accepts_i_dont_know() -> None:
    base = {"mode": "profile", "target": "add_child"}
    child = {"name": "Aru", "birth": "2026-11-30", "sex": "girl", "infant": True}
    assert next_step({**base, "child": child}) is Step.CHILD_GESTATION
    assert next_step({**base, "child": {**child, "weeks": 33}}) is Step.CHILD_WEIGHT
    assert next_step({**base, "child": {**child, "weeks": None, "grams": None}}) is Step.APPLY
    assert not child_complete(child) and child_complete({**child, "infant": False})

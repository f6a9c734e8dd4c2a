from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.children import BirthDateError, ChildAge, Sex, child_age, validate_birth_date

TODAY = date(2026, 3, 15)


def test_sex_values() -> None:
    assert Sex("girl") is Sex.GIRL
    assert Sex("boy") is Sex.BOY


@pytest.mark.parametrize(
    ("birth", "today", "expected"),
    [
        (date(2026, 3, 15), date(2026, 3, 15), ChildAge(0, 0, 0, 0, 0)),
        (date(2026, 3, 1), date(2026, 3, 15), ChildAge(0, 0, 14, 14, 0)),
        (date(2026, 1, 15), date(2026, 2, 15), ChildAge(0, 1, 0, 31, 1)),
        (date(2026, 1, 15), date(2026, 2, 14), ChildAge(0, 0, 30, 30, 0)),
        # Born 31 Jan: February has no 31st, so the first month is completed on 1 March.
        (date(2026, 1, 31), date(2026, 2, 28), ChildAge(0, 0, 28, 28, 0)),
        (date(2026, 1, 31), date(2026, 3, 1), ChildAge(0, 1, 0, 29, 1)),
        (date(2026, 1, 31), date(2026, 3, 30), ChildAge(0, 1, 29, 58, 1)),
        (date(2026, 1, 31), date(2026, 3, 31), ChildAge(0, 2, 0, 59, 2)),
        # Leap year: born 31 Jan 2024, February has 29 days.
        (date(2024, 1, 31), date(2024, 2, 29), ChildAge(0, 0, 29, 29, 0)),
        (date(2024, 1, 31), date(2024, 3, 1), ChildAge(0, 1, 0, 30, 1)),
        # Born on a leap day.
        (date(2024, 2, 29), date(2024, 3, 29), ChildAge(0, 1, 0, 29, 1)),
        (date(2024, 2, 29), date(2025, 2, 28), ChildAge(0, 11, 30, 365, 11)),
        (date(2024, 2, 29), date(2025, 3, 1), ChildAge(1, 0, 0, 366, 12)),
        (date(2024, 2, 29), date(2028, 2, 29), ChildAge(4, 0, 0, 1461, 48)),
        # Year boundaries.
        (date(2025, 12, 31), date(2026, 1, 1), ChildAge(0, 0, 1, 1, 0)),
        (date(2025, 12, 15), date(2026, 1, 15), ChildAge(0, 1, 0, 31, 1)),
        (date(2024, 3, 15), date(2026, 3, 15), ChildAge(2, 0, 0, 730, 24)),
        (date(2023, 7, 20), date(2026, 3, 15), ChildAge(2, 7, 23, 969, 31)),
    ],
)
def test_child_age(birth: date, today: date, expected: ChildAge) -> None:
    assert child_age(birth, today) == expected


def test_child_age_rejects_future_birth() -> None:
    with pytest.raises(ValueError):
        child_age(TODAY + timedelta(days=1), TODAY)


def test_validate_birth_date() -> None:
    assert validate_birth_date(TODAY, TODAY) is None
    assert validate_birth_date(TODAY + timedelta(days=1), TODAY) is BirthDateError.IN_FUTURE
    assert validate_birth_date(date(2020, 3, 16), TODAY) is None  # 5 years 11 months 27 days
    assert validate_birth_date(date(2020, 3, 15), TODAY) is BirthDateError.TOO_OLD  # exactly 6
    assert validate_birth_date(date(2001, 1, 1), TODAY) is BirthDateError.TOO_OLD


def test_validate_birth_date_leap_day_sixth_birthday() -> None:
    birth = date(2020, 2, 29)
    assert validate_birth_date(birth, date(2026, 2, 28)) is None
    assert validate_birth_date(birth, date(2026, 3, 1)) is BirthDateError.TOO_OLD


births = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


@given(births, st.integers(min_value=0, max_value=3000))
def test_age_is_consistent(birth: date, span: int) -> None:
    today = birth + timedelta(days=span)
    age = child_age(birth, today)
    assert age.total_days == span
    assert 0 <= age.months <= 11
    assert 0 <= age.days <= 30
    assert age.total_months == age.years * 12 + age.months


@given(births, st.integers(min_value=0, max_value=3000))
def test_age_moves_one_day_at_a_time(birth: date, span: int) -> None:
    today = birth + timedelta(days=span)
    before, after = child_age(birth, today), child_age(birth, today + timedelta(days=1))
    if after.total_months == before.total_months:
        assert after.days == before.days + 1
    else:
        assert after.total_months == before.total_months + 1
        assert after.days == 0

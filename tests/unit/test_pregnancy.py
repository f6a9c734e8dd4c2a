from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.pregnancy import (
    DatingError,
    DatingMethod,
    DatingValidationError,
    PregnancyDating,
    date_from_due,
    date_from_lmp,
    date_from_week,
    parse_week,
)

TODAY = date(2026, 3, 15)
days = timedelta


def _error(exc: pytest.ExceptionInfo[DatingValidationError]) -> DatingError:
    return exc.value.error


# --- gestational age -----------------------------------------------------------------------


def test_gestational_age_from_due_date() -> None:
    dating = PregnancyDating(due_date=TODAY + days(280), method=DatingMethod.DUE_DATE, lmp_date=None)
    assert dating.gestational_days(TODAY) == 0
    assert dating.week(TODAY) == 0
    assert dating.day_of_week(TODAY) == 0
    later = TODAY + days(12 * 7 + 3)
    assert dating.gestational_days(later) == 87
    assert dating.week(later) == 12
    assert dating.day_of_week(later) == 3
    assert dating.week(dating.due_date) == 40
    assert dating.day_of_week(dating.due_date) == 0


def test_week_is_never_negative() -> None:
    dating = PregnancyDating(due_date=TODAY + days(290), method=DatingMethod.DUE_DATE, lmp_date=None)
    assert dating.gestational_days(TODAY) == -10
    assert dating.week(TODAY) == 0
    assert dating.day_of_week(TODAY) == 0
    assert dating.trimester(TODAY) == 1


@pytest.mark.parametrize(
    ("ga_days", "trimester"),
    [(0, 1), (13 * 7 + 6, 1), (14 * 7, 2), (27 * 7 + 6, 2), (28 * 7, 3), (40 * 7, 3), (42 * 7, 3)],
)
def test_trimester_boundaries(ga_days: int, trimester: int) -> None:
    dating = PregnancyDating(due_date=TODAY + days(280 - ga_days), method=DatingMethod.DUE_DATE, lmp_date=None)
    assert dating.trimester(TODAY) == trimester


# --- due date ------------------------------------------------------------------------------


def test_due_date_basic() -> None:
    due = TODAY + days(100)
    dating = date_from_due(due, TODAY)
    assert dating == PregnancyDating(due_date=due, method=DatingMethod.DUE_DATE, lmp_date=None)
    assert dating.gestational_days(TODAY) == 180


def test_due_exactly_two_weeks_ago_allowed() -> None:
    dating = date_from_due(TODAY - days(14), TODAY)
    assert dating.week(TODAY) == 42


def test_due_today_allowed() -> None:
    assert date_from_due(TODAY, TODAY).week(TODAY) == 40


def test_due_two_weeks_and_a_day_ago_rejected() -> None:
    with pytest.raises(DatingValidationError) as exc:
        date_from_due(TODAY - days(15), TODAY)
    assert _error(exc) is DatingError.DUE_TOO_FAR_IN_PAST


def test_due_at_week_4_allowed_and_earlier_too_early() -> None:
    """A due date 36 weeks ahead is week 4; anything further ahead (up to 42 weeks) is too early to date."""
    assert date_from_due(TODAY + days(36 * 7), TODAY).week(TODAY) == 4
    with pytest.raises(DatingValidationError) as exc:
        date_from_due(TODAY + days(36 * 7 + 1), TODAY)
    assert _error(exc) is DatingError.TOO_EARLY


def test_due_more_than_42_weeks_ahead_rejected() -> None:
    with pytest.raises(DatingValidationError) as exc:
        date_from_due(TODAY + days(42 * 7 + 1), TODAY)
    assert _error(exc) is DatingError.DUE_TOO_FAR_AHEAD


# --- LMP -----------------------------------------------------------------------------------


def test_lmp_basic() -> None:
    lmp = TODAY - days(10 * 7 + 2)
    dating = date_from_lmp(lmp, TODAY)
    assert dating.method is DatingMethod.LMP
    assert dating.lmp_date == lmp
    assert dating.due_date == lmp + days(280)
    assert (dating.week(TODAY), dating.day_of_week(TODAY)) == (10, 2)


def test_lmp_four_weeks_ago_allowed_and_later_too_early() -> None:
    dating = date_from_lmp(TODAY - days(28), TODAY)
    assert dating.week(TODAY) == 4
    assert dating.due_date == TODAY + days(252)
    for ago in (0, 13, 27):
        with pytest.raises(DatingValidationError) as exc:
            date_from_lmp(TODAY - days(ago), TODAY)
        assert _error(exc) is DatingError.TOO_EARLY


def test_lmp_tomorrow_rejected() -> None:
    with pytest.raises(DatingValidationError) as exc:
        date_from_lmp(TODAY + days(1), TODAY)
    assert _error(exc) is DatingError.LMP_IN_FUTURE


def test_lmp_exactly_44_weeks_ago_allowed() -> None:
    assert date_from_lmp(TODAY - days(44 * 7), TODAY).week(TODAY) == 44


def test_lmp_more_than_44_weeks_ago_rejected() -> None:
    with pytest.raises(DatingValidationError) as exc:
        date_from_lmp(TODAY - days(44 * 7 + 1), TODAY)
    assert _error(exc) is DatingError.LMP_TOO_LONG_AGO


def test_lmp_across_leap_day() -> None:
    dating = date_from_lmp(date(2024, 2, 1), date(2024, 3, 1))
    assert dating.gestational_days(date(2024, 3, 1)) == 29
    assert dating.due_date == date(2024, 11, 7)


# --- week ----------------------------------------------------------------------------------


@pytest.mark.parametrize("week", [4, 12, 42])
def test_week_allowed(week: int) -> None:
    dating = date_from_week(week, TODAY)
    assert dating.method is DatingMethod.WEEK
    assert dating.lmp_date is None
    assert dating.due_date == TODAY - days(7 * week) + days(280)
    assert dating.week(TODAY) == week
    assert dating.day_of_week(TODAY) == 0


@pytest.mark.parametrize("week", [1, 2, 3])
def test_weeks_before_4_are_too_early(week: int) -> None:
    """ "Week 2" is accepted from week 4 only: too early to confirm or date a pregnancy (issue, Step 6 D)."""
    with pytest.raises(DatingValidationError) as exc:
        date_from_week(week, TODAY)
    assert _error(exc) is DatingError.TOO_EARLY


@pytest.mark.parametrize("week", [0, 43, -1, 100])
def test_week_out_of_range(week: int) -> None:
    with pytest.raises(DatingValidationError) as exc:
        date_from_week(week, TODAY)
    assert _error(exc) is DatingError.WEEK_OUT_OF_RANGE


def test_error_is_a_value_error_with_the_code() -> None:
    with pytest.raises(ValueError, match="week_out_of_range"):
        date_from_week(0, TODAY)


def test_enum_values() -> None:
    assert [m.value for m in DatingMethod] == ["due_date", "lmp", "week"]
    assert {e.value for e in DatingError} == {
        "due_too_far_in_past",
        "due_too_far_ahead",
        "lmp_in_future",
        "lmp_too_long_ago",
        "week_out_of_range",
        "too_early",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("7", 7),
        ("0", 0),
        ("43", 43),
        ("12 weeks", 12),
        ("12 Weeks", 12),
        ("1 week", 1),
        ("12w", 12),
        ("12 wk", 12),
        ("12 апта", 12),
        ("12-апта", 12),
        ("12 аптада", 12),
        ("12 недель", 12),
        ("12 Недель", 12),
        ("22 недели", 22),
        ("21 неделя", 21),
        ("12 нед", 12),
        ("12 нед.", 12),
        ("12нед", 12),
    ],
)
def test_parse_week(text: str, expected: int) -> None:
    assert parse_week(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "twelve", "-5", "12.5", "12,5", "12 months", "12 айлық", "week", "1 2", "12 weeks ago", "1234", "٣"],
)
def test_parse_week_rejects(text: str) -> None:
    assert parse_week(text) is None


# --- properties ----------------------------------------------------------------------------

todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(st.integers(min_value=4, max_value=42), todays)
def test_week_round_trip(week: int, today: date) -> None:
    assert date_from_week(week, today).week(today) == week


@given(st.integers(min_value=28, max_value=44 * 7), todays)
def test_lmp_gestational_days_equal_days_since_lmp(ago: int, today: date) -> None:
    dating = date_from_lmp(today - days(ago), today)
    assert dating.gestational_days(today) == ago
    assert dating.week(today) * 7 + dating.day_of_week(today) == ago


@given(st.integers(min_value=-14, max_value=36 * 7), todays)
def test_due_accepted_range(ahead: int, today: date) -> None:
    dating = date_from_due(today + days(ahead), today)
    assert dating.gestational_days(today) == 280 - ahead
    assert dating.trimester(today) in (1, 2, 3)

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import format_date, parse_date

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.03.2026", date(2026, 3, 12)),
        ("1.3.2026", date(2026, 3, 1)),
        ("01.03.2026", date(2026, 3, 1)),
        ("1.3.26", date(2026, 3, 1)),
        ("12.03.26", date(2026, 3, 12)),
        ("2026-03-12", date(2026, 3, 12)),
        ("2026-3-5", date(2026, 3, 5)),
        ("2026.03.12", date(2026, 3, 12)),
        ("12/03/2026", date(2026, 3, 12)),
        ("12-03-2026", date(2026, 3, 12)),
        ("12 03 2026", date(2026, 3, 12)),
        ("12   03    2026", date(2026, 3, 12)),
        ("12. 03. 2026", date(2026, 3, 12)),
        ("12.03/2026", date(2026, 3, 12)),
        ("12 - 3 - 26", date(2026, 3, 12)),
        ("  12.03.2026  ", date(2026, 3, 12)),
        ("\t12.03.2026\n", date(2026, 3, 12)),
        ("03.12.2026", date(2026, 12, 3)),  # day first, never US order
        ("29.02.2024", date(2024, 2, 29)),
        ("2024-02-29", date(2024, 2, 29)),
        ("31.12.1999", date(1999, 12, 31)),
    ],
)
def test_parse_accepted_forms(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12.03",  # no year
        "12/03",
        "12 03",
        "31.02.2026",
        "30.02.2024",
        "29.02.2026",  # not a leap year
        "29.02.2100",  # not a leap year either
        "00.03.2026",
        "12.00.2026",
        "12.13.2026",
        "32.01.2026",
        "12.03.026",  # three-digit year
        "12.03.20266",
        "2026-02-30",
        "2026-13-01",
        "0000-01-01",
        "123.03.2026",
        "12.03.2026.",
        ".12.03.2026",
        "12,03,2026",
        "12032026",
        "tomorrow",
        "12 марта 2026",
        "12.03.2026 12:00",
        "١٢.٠٣.٢٠٢٦",  # Arabic-Indic digits
        "12.03.2026" + " " * 100,
    ],
)
def test_parse_rejected(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("today", "text", "expected_year"),
    [
        (date(2026, 3, 15), "01.01.26", 2026),
        (date(2026, 3, 15), "01.01.27", 2027),  # exactly one year after today's year: still 20yy
        (date(2026, 3, 15), "01.01.28", 1928),  # more than one year after: 19yy
        (date(2026, 3, 15), "01.01.99", 1999),
        (date(2026, 3, 15), "01.01.00", 2000),
        (date(2026, 12, 31), "01.01.27", 2027),
        (date(2027, 1, 1), "01.01.28", 2028),
        (date(2025, 6, 1), "01.01.27", 1927),
    ],
)
def test_two_digit_years(today: date, text: str, expected_year: int) -> None:
    result = parse_date(text, today)
    assert result is not None
    assert result.year == expected_year


def test_two_digit_leap_day() -> None:
    assert parse_date("29.2.24", TODAY) == date(2024, 2, 29)
    assert parse_date("29.2.25", TODAY) is None


def test_format_date() -> None:
    assert format_date(date(2026, 3, 1)) == "01.03.2026"
    assert format_date(date(1999, 12, 31)) == "31.12.1999"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_format_parse_round_trip(d: date) -> None:
    assert parse_date(format_date(d), TODAY) == d


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_round_trip(d: date) -> None:
    assert parse_date(d.isoformat(), TODAY) == d


@given(st.text(max_size=30))
def test_parse_never_raises(text: str) -> None:
    result = parse_date(text, TODAY)
    assert result is None or isinstance(result, date)

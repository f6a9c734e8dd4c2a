from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.delivery_time import in_window, next_delivery_time

ALMATY = ZoneInfo("Asia/Almaty")
WINDOW = (time(9), time(21))


def at(hour: int, minute: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def test_inside_the_window_nothing_moves() -> None:
    assert next_delivery_time(at(10), ALMATY, WINDOW, 7) == at(10)
    assert next_delivery_time(at(9), ALMATY, WINDOW, 7) == at(9)


def test_night_waits_for_the_morning_of_the_same_or_next_day() -> None:
    early = next_delivery_time(at(3), ALMATY, WINDOW, 7).astimezone(ALMATY)
    assert early.date().day == 24 and early.hour == 9
    late = next_delivery_time(at(21), ALMATY, WINDOW, 7).astimezone(ALMATY)
    assert late.date().day == 25 and late.hour == 9


def test_the_morning_is_spread_over_an_hour() -> None:
    moments = {next_delivery_time(at(23), ALMATY, WINDOW, key) for key in range(1000)}
    assert len(moments) > 500
    assert all(at(9, day=25) <= m < at(10, day=25) for m in moments)


@given(
    moment=st.datetimes(min_value=datetime(2024, 3, 2), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
    key=st.integers(min_value=0, max_value=10**12),
)
def test_result_is_always_inside_the_window_and_never_earlier(moment: datetime, key: int) -> None:
    result = next_delivery_time(moment, ALMATY, WINDOW, key)
    assert in_window(result, ALMATY, WINDOW)
    assert moment <= result < moment + timedelta(days=1)

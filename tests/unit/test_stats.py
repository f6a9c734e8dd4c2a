"""Statistics' pure parts: local-day periods, adding figures up, medians, durations, the message's
length limit and the chart."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.domain.stats import Figures, middle_median, periods, split_duration, total
from bot.i18n import make_i18n
from bot.services.stats import Report
from bot.views.charts import ChartLabels, daily_chart
from bot.views.reports import overview_text

ALMATY = ZoneInfo("Asia/Almaty")


def test_periods_are_local_days_ending_today() -> None:
    span = periods(date(2026, 11, 24), ALMATY)
    assert span.days[0] == date(2026, 10, 26) and span.days[-1] == date(2026, 11, 24) and len(span.days) == 30
    assert span.long_since == datetime(2026, 10, 25, 19, 0, tzinfo=UTC)  # 00:00 in Almaty (UTC+5)
    assert span.short_since == datetime(2026, 11, 17, 19, 0, tzinfo=UTC)  # today and the 6 days before
    assert span.day_starts[-1] == datetime(2026, 11, 24, 19, 0, tzinfo=UTC)  # tomorrow
    assert len(span.day_starts) == 31


def test_periods_follow_a_clock_change() -> None:
    """Where clocks move (not Kazakhstan since 2024, but the zone is a setting), days are 23 or 25 hours."""
    span = periods(date(2026, 11, 5), ZoneInfo("Europe/Berlin"))
    lengths = {b - a for a, b in pairwise(span.day_starts)}
    assert lengths == {timedelta(hours=24), timedelta(hours=25)}


def test_figures_add_up_and_active_is_what_is_left() -> None:
    a = Figures(registered=5, paused=1, unreachable=2, asked=3)
    b = Figures(registered=2, unreachable=1, answered=1)
    assert a + b == Figures(registered=7, paused=1, unreachable=3, asked=3, answered=1)
    assert total([a, b]).active == 3
    assert total([]) == Figures()


def test_median_from_the_middle_values() -> None:
    assert middle_median([]) is None
    assert middle_median([600.0]) == 600.0
    assert middle_median([3600.0, 7200.0]) == 5400.0


@pytest.mark.parametrize(
    ("seconds", "parts"),
    [(5, (0, 0, 1)), (89, (0, 0, 1)), (5400, (0, 1, 30)), (86400 + 7200 + 59, (1, 2, 1)), (3 * 86400, (3, 0, 0))],
)
def test_durations_round_to_the_minute(seconds: float, parts: tuple[int, int, int]) -> None:
    duration = split_duration(seconds)
    assert (duration.days, duration.hours, duration.minutes) == parts


def test_a_very_long_list_of_places_still_fits_one_message() -> None:
    many = {f"region_{n:03d}": Figures(registered=n + 1) for n in range(400)}
    report = Report(
        region=None, as_of=datetime(2026, 11, 24, 5, tzinfo=UTC), periods=periods(date(2026, 11, 24), ALMATY),
        total=total(many.values()), regions=many, polyclinics={}, languages={"kk": 1}, announcements_short=0,
        announcements_long=0, median_seconds=None,
    )
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        text = overview_text(report, "en", ALMATY)
    assert len(text) <= 4096
    assert "region_399: 400" in text  # the busiest first
    assert text.count("region_") < 400 and "… the full list is in the CSV" in text
    assert text.rstrip().endswith("no answered questions yet")  # the end of the message is kept


def test_the_chart_is_a_png() -> None:
    days = [date(2026, 10, 26) + timedelta(days=n) for n in range(30)]
    labels = ChartLabels("Жаңа тіркелу: Астана", "Тіркелу", "Хабарлар", "Күні", "Саны", "Саны")
    picture = daily_chart(days, list(range(30)), [n * 100 for n in range(30)], labels)
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and len(picture) > 5_000


@pytest.mark.slow  # a fresh interpreter imports the bot: ~5–9 s
def test_importing_the_bot_does_not_import_matplotlib() -> None:
    code = "import sys, bot.views.charts, bot.views.reports, handlers.stats; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_an_empty_chart_panel_says_nothing_yet_and_has_no_negative_axis() -> None:
    """Step 7: with no deliveries, matplotlib drew an axis from -0.05; now 0 upwards, and a word."""
    from datetime import date, timedelta

    from bot.views.charts import ChartLabels, chart_figure

    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(30)]
    labels = ChartLabels("t", "r", "d", "x", "yr", "yd", empty="Nothing yet")
    top, bottom = chart_figure(days, [1] * 30, [0] * 30, labels).axes
    assert bottom.get_ylim()[0] == 0 and [t.get_text() for t in bottom.texts] == ["Nothing yet"]
    assert len(top.texts) == 0 and top.get_ylim()[0] == 0

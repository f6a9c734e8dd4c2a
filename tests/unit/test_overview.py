"""The overview's pure parts: median and 90th percentile, shares, week buckets, how counts add up,
and the SVG charts (an image with a name, escaped text, no inline style or script)."""

from __future__ import annotations

import re
from datetime import date

from bot.domain.overview import (
    AlertBandFigures,
    Coverage,
    PlaceCounts,
    SelfCheckFigures,
    alert_figures,
    by_region,
    median,
    median_ranks,
    percent,
    percentile,
    percentile_rank,
    share,
    total,
    week_starts,
)
from console import svg


def test_median_of_odd_and_even_counts_and_of_nothing() -> None:
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None
    assert median_ranks(3) == (2, 2) and median_ranks(4) == (2, 3) and median_ranks(1) == (1, 1)


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    assert percentile(list(range(1, 11)), 0.9) == 9  # rank ⌈9⌉ = 9
    assert percentile(list(range(1, 12)), 0.9) == 10  # rank ⌈9.9⌉ = 10
    assert percentile([7], 0.9) == 7
    assert percentile([20, 5, 10], 0.9) == 20
    assert percentile([], 0.9) is None
    assert [percentile_rank(n, 0.9) for n in (0, 1, 2, 3, 10, 11, 20)] == [0, 1, 2, 3, 9, 10, 18]
    # The database's rank for q = 0.9, (9n + 9) // 10, is the same for every count.
    assert all((9 * n + 9) // 10 == percentile_rank(n, 0.9) for n in range(1, 500))


def test_shares_and_percentages() -> None:
    assert share(1, 4) == 0.25 and share(3, 0) is None
    assert percent(1, 3) == 33 and percent(2, 3) == 67 and percent(1, 8) == 13 and percent(0, 0) is None
    assert AlertBandFigures("urgent", last_long=4, within_limit=2).within_percent == 50
    check = SelfCheckFigures("phq2", started=4, completed=3, positive=1)
    assert (check.completion_percent, check.positive_percent) == (75, 33)
    assert SelfCheckFigures("phq2").positive_percent is None
    assert Coverage(due=15, covered=5, recorded=7).percent == 33


def test_weeks_start_on_monday_and_end_after_this_week() -> None:
    weeks = week_starts(date(2026, 11, 24))  # a Tuesday
    assert len(weeks) == 27
    assert weeks[0] == date(2026, 6, 1) and weeks[-2] == date(2026, 11, 23) and weeks[-1] == date(2026, 11, 30)
    assert all(day.weekday() == 0 for day in weeks)
    assert week_starts(date(2026, 11, 23), 2) == (date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30))


def test_counts_add_up_by_region_and_in_total() -> None:
    places = {
        ("almaty_city", "almaty_pc1"): PlaceCounts(registered=3, pregnant=2, without_nurse=1),
        ("almaty_city", None): PlaceCounts(registered=2, paused=1, unreachable=1),
        ("astana", "astana_pc1"): PlaceCounts(registered=1, parents=1),
    }
    regions = by_region(places)
    assert regions["almaty_city"] == PlaceCounts(registered=5, pregnant=2, paused=1, unreachable=1, without_nurse=1)
    assert regions["almaty_city"].active == 3
    assert total(places.values()) == PlaceCounts(registered=6, pregnant=2, parents=1, paused=1, unreachable=1, without_nurse=1)


def test_alert_figures_always_have_both_bands_in_order() -> None:
    urgent, high = alert_figures({"high": {"last_long": 2, "within_limit": 1}}, {"high": [240.0, 300.0]}, {"high": 300.0})
    assert (urgent.band, urgent.last_long, urgent.median_seconds, urgent.p90_seconds) == ("urgent", 0, None, None)
    assert (high.band, high.last_long, high.median_seconds, high.p90_seconds) == ("high", 2, 270.0, 300.0)


def test_a_bar_chart_is_a_named_image_with_a_title_per_bar() -> None:
    chart = str(svg.bar_chart("weekly", "Alerts <per> week", "3 in all", ["01.06", "08.06", "15.06"], [0, 1, 2], label_every=2))
    assert chart.startswith('<svg class="chart"') and 'role="img"' in chart
    assert 'aria-labelledby="weekly-title weekly-desc"' in chart
    assert '<title id="weekly-title">Alerts &lt;per&gt; week</title>' in chart and '<desc id="weekly-desc">3 in all</desc>' in chart
    assert re.findall(r"<rect[^>]*><title>([^<]*)</title>", chart) == ["01.06: 0", "08.06: 1", "15.06: 2"]
    heights = [float(h) for h in re.findall(r'<rect[^>]*height="([0-9.]+)"', chart)]
    assert heights[0] == 0 and heights[2] == 2 * heights[1]
    assert "style=" not in chart and "<script" not in chart
    # Every second label, counted from the last (this week is always named).
    assert re.findall(r'<text[^>]*text-anchor="middle"[^>]*>([^<]*)</text>', chart) == ["01.06", "15.06"]


def test_a_line_chart_draws_each_series_with_a_legend() -> None:
    chart = str(svg.line_chart("t", "Trend", "two lines", ["a", "b"], [svg.Series("New", (1, 3)), svg.Series("Alerts", (0, 2))]))
    assert chart.count("<polyline") == 2 and chart.count("<circle") == 4
    assert "<title>New, b: 3</title>" in chart and ">Alerts</text>" in chart


def test_the_y_axis_ends_on_a_round_number() -> None:
    assert [svg.nice_ceiling(v) for v in (0, 1, 3, 7, 10, 11, 38, 120, 999)] == [1, 1, 5, 10, 10, 20, 50, 200, 1000]

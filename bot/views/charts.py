"""A small PNG chart for admins: registrations and messages delivered per day.

matplotlib is imported inside the function, with the Agg backend (no display): start-up does not
pay for it, only the first chart does. Figures are built with the object API (no pyplot state),
so a chart can be drawn in a worker thread while the bot goes on answering.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Already translated: the chart draws in whatever thread it runs in."""

    title: str
    registrations: str
    delivered: str
    x_axis: str
    y_registrations: str
    y_delivered: str
    empty: str = "—"  # written across a panel with nothing to show ("no deliveries yet")


def daily_chart(days: Sequence[date], registrations: Sequence[int], delivered: Sequence[int], labels: ChartLabels) -> bytes:
    """Two bar charts, one above the other (the counts differ by orders of magnitude), as PNG bytes."""
    figure = chart_figure(days, registrations, delivered, labels)
    picture = io.BytesIO()
    figure.savefig(picture, format="png")
    return picture.getvalue()


def chart_figure(days: Sequence[date], registrations: Sequence[int], delivered: Sequence[int], labels: ChartLabels) -> Any:
    """The matplotlib Figure of ``daily_chart`` (tests read its axes)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 5.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True)
    positions = range(len(days))
    for axes, values, title, y_label, colour in (
        (top, registrations, labels.registrations, labels.y_registrations, "#2e7d32"),
        (bottom, delivered, labels.delivered, labels.y_delivered, "#1565c0"),
    ):
        axes.bar(positions, values, color=colour)
        axes.set_ylim(0, max(1, max(values, default=0)) * 1.1)  # counts: never a negative axis
        if not any(values):
            axes.text(0.5, 0.5, labels.empty, transform=axes.transAxes, ha="center", va="center", color="#666")
        axes.set_title(title, fontsize=11)
        axes.set_ylabel(y_label)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", alpha=0.3)
    step = max(1, len(days) // 10)
    bottom.set_xticks(list(positions)[::step], [f"{day.day:02d}.{day.month:02d}" for day in days][::step])
    bottom.set_xlabel(labels.x_axis)
    figure.suptitle(labels.title, fontsize=13)
    return figure

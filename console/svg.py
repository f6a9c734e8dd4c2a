"""Small charts drawn on the server as SVG: no script, no inline style (the console's CSP allows
neither), only presentation attributes. Each chart is an image with a name: role="img" and a
<title> and <desc> it is labelled by; every bar or point carries its own <title> (a tooltip, and
what a screen reader finds). The page shows the same numbers in a table next to it (the fallback).

Every text is escaped here: the result is markup the template may insert as it is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 28  # margins: the y axis' labels, the x axis' labels
INK, GRID, MUTED = "#1b1f24", "#d5dae1", "#4a5360"
COLOURS = ("#0b5cad", "#a30d1b", "#17602c")  # 4.5:1 or more on white


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[int, ...]


def nice_ceiling(value: float) -> int:
    """The y axis' top: 1, 2 or 5 times a power of ten, at least the largest value (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def _ticks(top: int) -> list[int]:
    return [0, top // 2, top] if top >= 2 and top % 2 == 0 else [0, top]


def _frame(chart_id: str, title: str, description: str, labels: Sequence[str], top: int, label_every: int) -> list[str]:
    """The opening tag, the name, the grid with the y values and the x labels."""
    cid = escape(chart_id)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]
    inner = HEIGHT - TOP - BOTTOM
    for tick in _ticks(top):
        y = TOP + inner - inner * tick / top
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    step = _step(len(labels))
    for index, label in enumerate(labels):
        if (len(labels) - 1 - index) % max(label_every, 1) == 0:  # counted from the last, always labelled
            x = LEFT + step * (index + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
    return parts


def _step(count: int) -> float:
    return (WIDTH - LEFT - RIGHT) / max(count, 1)


def bar_chart(chart_id: str, title: str, description: str, labels: Sequence[str], values: Sequence[int], *, label_every: int = 4) -> Markup:
    """One bar per label (weeks, days …); each bar's <title> is "label: value"."""
    top = nice_ceiling(max(values, default=0))
    parts = _frame(chart_id, title, description, labels, top, label_every)
    inner, step = HEIGHT - TOP - BOTTOM, _step(len(labels))
    width = max(step * 0.7, 1.0)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = inner * value / top
        x = LEFT + step * index + (step - width) / 2
        y = TOP + inner - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{COLOURS[0]}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # every text above went through escape()


def line_chart(
    chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series], *, label_every: int = 4
) -> Markup:
    """One line per series (up to three, each its own colour, with a legend), a point per label."""
    top = nice_ceiling(max((v for one in series for v in one.values), default=0))
    parts = _frame(chart_id, title, description, labels, top, label_every)
    inner, step = HEIGHT - TOP - BOTTOM, _step(len(labels))
    for number, one in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = [(LEFT + step * (i + 0.5), TOP + inner - inner * v / top) for i, v in enumerate(one.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), label, value in zip(points, labels, one.values, strict=True):
            name = f"{escape(one.name)}, {escape(label)}: {value}"
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{name}</title></circle>')
        legend_x = LEFT + 8 + number * 170
        parts.append(f'<rect x="{legend_x}" y="{TOP}" width="12" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{TOP + 6}" fill="{INK}">{escape(one.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

"""Dates as people type them in a chat, and how the bot writes them back.

Day first always (as everyone writes dates in Kazakhstan), except the ISO form that starts with
a four-digit year. A year is always required: "12.03" alone is ambiguous around New Year.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

__all__ = ["format_date", "parse_date"]

# One or more of: dot, slash, hyphen, any whitespace, in any mix ("12. 03. 2026", "12 - 3 - 26").
_SEP = r"[./\-\s]+"
_DAY_FIRST = re.compile(rf"([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}}|[0-9]{{2}})")
_YEAR_FIRST = re.compile(rf"([0-9]{{4}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})")

# Nobody types a date longer than this; refuse pasted essays before touching the regex.
_MAX_INPUT = 40


def _expand_two_digit_year(yy: int, today: date) -> int:
    """20yy, unless that is more than one year after today's year; then 19yy."""
    year = 2000 + yy
    if year > today.year + 1:
        year -= 100
    return year


def parse_date(text: str, today: date) -> date | None:
    """A date typed by a person, or None if it is not a real, complete date.

    Accepted: ``DD.MM.YYYY``, ``D.M.YYYY``, ``DD.MM.YY``, ``D.M.YY`` and ``YYYY-MM-DD``, with
    ``.``, ``/``, ``-`` or spaces (one or more, mixed) as separators and any surrounding
    whitespace. Two-digit years mean 20yy unless that is more than one year after ``today``'s
    year, then 19yy. ``today`` is used only for that.
    """
    if len(text) > _MAX_INPUT:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    match = _YEAR_FIRST.fullmatch(stripped)
    if match is not None:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DAY_FIRST.fullmatch(stripped)
        if match is None:
            return None
        day_s, month_s, year_s = match.groups()
        day, month = int(day_s), int(month_s)
        year = int(year_s) if len(year_s) == 4 else _expand_two_digit_year(int(year_s), today)
    try:
        return date(year, month, day)
    except ValueError:  # 31.02, month 13, day 0, year 0000
        return None


def format_date(d: date) -> str:
    """``DD.MM.YYYY``, the way dates are written in Kazakhstan."""
    return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"


def format_moment(moment: datetime, tz: tzinfo) -> str:
    """A moment as staff read it, in the programme's time zone: "24.11.2026 10:05"."""
    local = moment.astimezone(tz)
    return f"{format_date(local.date())} {local:%H:%M}"

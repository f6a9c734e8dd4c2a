"""The care calendar and her own appointments, as she reads them."""

from __future__ import annotations

from datetime import date

from aiogram import html

from bot.domain.dates import format_date


def appointment_line(on_date: date, at_time: str | None, what: str, place: str | None) -> str:
    """One appointment as she reads it (HTML): "15.03.2027, 14:30: ultrasound — polyclinic No. 5"."""
    when = format_date(on_date) + (f", {at_time}" if at_time else "")
    return f"{when}: {html.quote(what)}" + (f" — {html.quote(place)}" if place else "")

"""The care calendar and her own appointments, as she reads them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.domain.caseload import Standing
from bot.domain.dates import format_date
from bot.services.care import CalendarEntry
from db.care import AppointmentRecord


def entry_title(entry: CalendarEntry, lang: str) -> str:
    """"Aruzhan: Vaccination at 2 months" (HTML), or just the item for her own pregnancy."""
    whom = f"{html.quote(entry.whom)}: " if entry.whom else ""
    return whom + html.quote(entry.item.title(lang))


def appointment_line(on_date: date, at_time: str | None, what: str, place: str | None) -> str:
    """One appointment as she reads it (HTML): "15.03.2027, 14:30: ultrasound — polyclinic No. 5"."""
    when = format_date(on_date) + (f", {at_time}" if at_time else "")
    return f"{when}: {html.quote(what)}" + (f" — {html.quote(place)}" if place else "")


def calendar_text(entries: Sequence[CalendarEntry], appointments: Sequence[AppointmentRecord], lang: str) -> str:
    """/calendar: what is coming (with dates, said as guidance where not official) and what is done."""
    upcoming: list[tuple[date, str]] = []
    done: list[str] = []
    for entry in entries:
        title = entry_title(entry, lang)
        if entry.standing is Standing.DONE:
            done.append(f"✅ {title}")
        elif entry.standing is Standing.UPCOMING:
            span = f"{format_date(entry.opens)} – {format_date(entry.closes)}"
            mark = "" if entry.item.is_official else " *"
            upcoming.append((entry.opens, f"• {span}: {title}{mark}"))
    lines = [_("<b>Your care calendar</b>"), ""]
    if appointments:
        lines.append(_("<b>Your appointments</b>"))
        lines += [f"• {appointment_line(a.on_date, a.at_time, a.what, None)}" for a in appointments]
        lines.append("")
    lines.append(_("<b>Coming up</b>"))
    shown = [line for _opens, line in sorted(upcoming)[:8]]
    lines += shown or [_("Nothing in the next months.")]
    if any(line.endswith(" *") for line in shown):
        lines += ["", _("* Usual timing, not an official date: please check with your polyclinic.")]
    if done:
        lines += ["", _("<b>Done</b>"), *done[-8:]]
    lines += ["", _("Add your own appointment: /appointments")]
    return "\n".join(lines)


def appointments_text(upcoming: Sequence[AppointmentRecord]) -> str:
    """/appointments: hers from today on (the buttons under it change or cancel each)."""
    if not upcoming:
        return _("You have no appointments saved. Add one, and I will remind you the day before and two hours before.")
    lines = [_("<b>Your appointments</b>"), ""]
    lines += [f"• {appointment_line(a.on_date, a.at_time, a.what, a.place)}" for a in upcoming]
    return "\n".join(lines)


def snoozed_text(days: int) -> str:
    return ngettext(
        "All right, I will remind you again in {days} day.", "All right, I will remind you again in {days} days.", days
    ).format(days=days)


def place_question(current: str | None) -> str:
    if current:
        return _("Now the place is «{place}». Where is it? For example: polyclinic No. 5, room 12.").format(
            place=html.quote(current)
        )
    return _("Where is it? For example: polyclinic No. 5, room 12.")


def too_long_text(limit: int) -> str:
    return _("This is a bit long for me. Please keep it to {limit} characters or fewer.").format(limit=limit)


def appointment_changed_text(on_date: date, at_time: str | None, what: str, place: str | None) -> str:
    return _(
        "Changed. Your appointment now:\n{appointment}\n\n"
        "I will remind you the day before at 18:00 and, if it has a time, two hours before."
    ).format(appointment=appointment_line(on_date, at_time, what, place))


def appointment_saved_text(on_date: date, at_time: str | None, what: str) -> str:
    return _(
        "Saved: {what}, {when}. I will remind you the day before at 18:00 and, if you gave a time, two hours before."
    ).format(what=html.quote(what), when=format_date(on_date) + (f", {at_time}" if at_time else ""))

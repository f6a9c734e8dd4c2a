"""A nurse's day as text for Telegram (/today): a short summary, each section with its count, the first
few families and one detail each, and the command with the whole list. HTML; names and whatever
anyone typed are escaped; times in the programme's time zone. It always fits one message."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.domain.caseload import Section, fit_card
from bot.domain.dates import format_date, format_moment
from bot.keyboards import Keyboard
from bot.keyboards.nurse import FamilyAction, FamilyCb
from bot.services.today import NurseDay
from bot.views.calendar import entry_title
from bot.views.caseload import more_line
from bot.views.durations import duration
from bot.views.screening import missed_title

SHOWN = 5  # families per section in Telegram; the console shows more
BUTTONS = 8  # "open her card" buttons under the summary


def answer_text(response: str | None) -> str:
    if response == "coming":
        return _("✅ she will come")
    if response == "other_time":
        return _("🔁 she needs another time")
    return _("⏳ no answer yet")


def _line(name: str, detail: str) -> str:
    return f"• <b>{html.quote(name)}</b> — {detail}"




def today_text(day: NurseDay, tz: tzinfo, lang: str = "en") -> str:
    head = [_("<b>Your day, {date}</b>").format(date=format_date(day.on))]
    if day.quiet:
        head += ["", _("Nothing is waiting for you today: no open alerts, questions, visits due or appointments. Have a good day! 🌿")]
        return "\n".join(head)

    sections: list[Section] = []

    def add(heading: str, total: int, lines: list[str]) -> None:
        if total:
            shown = lines[:SHOWN]
            sections.append(Section(heading, tuple(shown), 1, max(0, total - len(shown))))

    add(
        _("🚨 <b>Open alerts: {count}</b> · /alerts").format(count=day.open_alerts.total),
        day.open_alerts.total,
        [
            _line(a.name, (_("taken by you, no outcome yet") if a.taken else _("nobody has taken it yet"))
                  + " · " + (_("urgent") if a.band == "urgent" else _("high")) + " · " + format_moment(a.created_at, tz))
            for a in day.open_alerts.entries
        ],
    )
    add(
        _("💬 <b>Questions waiting: {count}</b> · /questions").format(count=day.questions.total),
        day.questions.total,
        [_line(q.name, _("waiting {time}").format(time=duration(q.waited))) for q in day.questions.entries],
    )
    add(
        _("📅 <b>Appointments today: {count}</b>").format(count=day.appointments.total),
        day.appointments.total,
        [
            _line(a.name, f"{a.at_time or _('no set time')} · {html.quote(a.what)}"
                  + (f" ({html.quote(a.place)})" if a.place else "") + " · " + answer_text(a.response))
            for a in day.appointments.entries
        ],
    )
    add(
        _("👶 <b>Newborns to visit this week: {count}</b>").format(count=day.newborns.total),
        day.newborns.total,
        [
            _line(n.name, _("{child}, born {date}").format(child=html.quote(n.child), date=format_date(n.born)) + " · " + (
                _("home visit {opens} – {closes}").format(opens=format_date(n.visit.opens), closes=format_date(n.visit.closes))
                if n.visit else _("no home visit due yet")
            ))
            for n in day.newborns.entries
        ],
    )
    add(
        _("🏠 <b>Overdue visits: {count}</b>").format(count=day.overdue_visits.total),
        day.overdue_visits.total,
        [
            _line(v.name, _("{visit}, window closed {date}").format(visit=entry_title(v.entry, lang), date=format_date(v.entry.closes)))
            for v in day.overdue_visits.entries
        ],
    )
    add(
        _("🔕 <b>Did not answer a check: {count}</b>").format(count=day.missed_checks.total),
        day.missed_checks.total,
        [
            _line(m.name, _("{check}, asked {date}").format(check=html.quote(missed_title(m.questionnaire, lang)),
                                                           date=format_date(m.asked_on)))
            for m in day.missed_checks.entries
        ],
    )
    head += ["", _("Tap a name below to open her card; /families for all your families.")]
    return fit_card(head, sections, more_line)


def today_keyboard(day: NurseDay) -> InlineKeyboardMarkup | None:
    """A button to each family named in her day (the first few), opening her card."""
    named = day.families()[:BUTTONS]
    if not named:
        return None
    keyboard = Keyboard()
    for family_id, name in named:
        keyboard.button(text=name, callback_data=FamilyCb(action=FamilyAction.OPEN, family_id=family_id))
    return keyboard.adjust(2).as_markup()

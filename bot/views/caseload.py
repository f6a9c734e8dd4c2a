"""Texts of the nurse's day built from records: the family list, the family card, the support plan
(for staff and for her), a home visit. HTML for parse_mode=HTML; whatever anyone typed is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, tzinfo

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.domain.birth import BirthFacts
from bot.domain.caseload import ASSESSED, RiskLevel, Section, Standing, fit_card, known
from bot.domain.dates import format_date
from bot.domain.phone import format_phone
from bot.domain.questions import preview
from bot.services.care import CalendarEntry
from bot.services.caseload import FamilyCard, FamilyList, ListEntry, NextUp
from bot.services.families import dating_of
from bot.views.calendar import entry_title
from bot.views.profile import child_line, place_label, pregnancy_line, stage_label
from bot.views.screening import missed_title, staff_result_line
from db.caseload import GoalRecord, SetAppointmentRecord, VisitRecord
from db.records import ChildRecord

SHOWN = 6  # items of a list on the card before "and N more"


def risk_mark(level: RiskLevel) -> str:
    return " 🟠" if level is RiskLevel.PROGRESSIVE else ""


def risk_text(level: RiskLevel) -> str:
    if level is RiskLevel.PROGRESSIVE:
        return _("🟠 Progressive patronage: more frequent check-ins and visits")
    return _("Universal patronage")


def risk_explanation(name: str, level: RiskLevel) -> str:
    return "\n".join(
        [
            _("<b>Risk level of {name}</b>").format(name=html.quote(name)),
            "",
            _("Now: {level}").format(level=risk_text(level)),
            "",
            _(
                "Universal patronage is for every family. Progressive means more frequent check-ins and visits, "
                "for a family where you see a risk. The family does not see this."
            ),
        ]
    )


def when(on_date: date, at_time: str | None) -> str:
    return format_date(on_date) + (f", {at_time}" if at_time else "")


def next_up_text(next_up: NextUp | None, lang: str, today: date) -> str:
    if next_up is None:
        return _("nothing planned")
    if next_up.appointment is not None:
        appointment = next_up.appointment
        return f"📅 {when(appointment.on_date, appointment.at_time)}: {html.quote(appointment.what)}"
    entry = next_up.entry
    assert entry is not None
    if entry.opens <= today:
        return _("{item}: now, by {date}").format(item=entry_title(entry, lang), date=format_date(entry.closes))
    return _("{item}: from {date}").format(item=entry_title(entry, lang), date=format_date(entry.opens))


def family_line(entry: ListEntry, lang: str, today: date) -> str:
    return "\n".join(
        [
            f"<b>{html.quote(entry.family.user.name)}</b>{risk_mark(entry.risk)} · {stage_label(entry.family, today)}",
            "   ⏭ " + next_up_text(entry.next_up, lang, today),
        ]
    )


def family_list_text(listing: FamilyList, lang: str, today: date, *, nurse: bool) -> str:
    if nurse:
        title = _("<b>My families</b>: {count}").format(count=listing.total)
    else:
        title = _("<b>Families in your area</b>: {count}").format(count=listing.total)
    if listing.pages > 1:
        title += " " + _("(page {page} of {pages})").format(page=listing.page + 1, pages=listing.pages)
    if not listing.entries:
        if nurse:
            empty = _(
                "You have no families yet. A family who registers at your polyclinic is given to a nurse there "
                "automatically; your coordinator can also assign one to you."
            )
        else:
            empty = _("No families in your area yet. Families appear here as soon as they register.")
        return f"{title}\n\n{empty}"
    lines = [title, ""] + [family_line(e, lang, today) for e in listing.entries]
    lines += ["", _("🟠 progressive patronage. Open a family below, or search by name or phone.")]
    return "\n".join(lines)


ECHO_LIMIT = 60  # characters of someone's own input repeated back to her


def search_results_text(listing: FamilyList, query: str, lang: str, today: date) -> str:
    if not listing.entries:
        shown, cut = preview(query, ECHO_LIMIT)  # what she typed comes back cut: never past Telegram's limit
        return _(
            "Nobody found for «{query}». Type part of her name, or some digits of her phone number, for example 701 123."
        ).format(query=html.quote(shown + ("…" if cut else "")))
    lines = [_("<b>Found</b>: {count}").format(count=listing.total), ""]
    lines += [family_line(e, lang, today) for e in listing.entries]
    if listing.total > len(listing.entries):
        lines += ["", _("Showing the first {n}: type more of the name or number to narrow it down.").format(n=len(listing.entries))]
    return "\n".join(lines)


# --- the card ------------------------------------------------------------------------------------

def more_line(n: int) -> str:
    return ngettext("… and {n} more", "… and {n} more", n).format(n=n)


def _codes(codes: Sequence[str], label: Callable[[str], str]) -> str:
    return ", ".join(label(code) for code in codes)


def visit_line(visit: VisitRecord | None, count: int) -> str:
    if visit is None:
        return _("🏠 No home visit recorded yet")
    line = ngettext(
        "🏠 {count} home visit, the last on {date}", "🏠 {count} home visits, the last on {date}", count
    ).format(count=count, date=format_date(visit.visited_on))
    details = []
    if visit.assessed:
        details.append(_("assessed: {what}").format(what=_codes(visit.assessed, assessed_label)))
    if visit.risks:
        details.append(_("risks named: {what}").format(what=_codes(visit.risks, risk_label)))
    return line + (f" ({'; '.join(details)})" if details else "")


def response_text(appointment: SetAppointmentRecord) -> str:
    if appointment.set_by is None:
        return ""
    if appointment.response == "coming":
        return " · " + _("✅ she will come")
    if appointment.response == "other_time":
        return " · " + _("🔁 she needs another time")
    return " · " + _("⏳ no answer yet")


def appointment_line(appointment: SetAppointmentRecord) -> str:
    place = f" — {html.quote(appointment.place)}" if appointment.place else ""
    return f"• {when(appointment.on_date, appointment.at_time)}: {html.quote(appointment.what)}{place}{response_text(appointment)}"


def _entry_line(entry: CalendarEntry, lang: str) -> str:
    return f"• {format_date(entry.opens)} – {format_date(entry.closes)}: {entry_title(entry, lang)}"


def _life_event_line(kind: str, on: date) -> str:
    if kind == "pregnancy_lost":
        return _("💔 Pregnancy ended on {date}").format(date=format_date(on))
    return _("👶 Baby born on {date}").format(date=format_date(on))


def birth_facts_line(weeks: int | None, grams: int | None) -> str:
    """"Born at 33 weeks, 1 800 g", with "?" for what she did not know."""
    return _("Born at {weeks} weeks, {grams} g").format(
        weeks=weeks if weeks is not None else "?",
        grams=f"{grams:,}".replace(",", "\u202f") if grams is not None else "?",
    )


def _early_or_small_line(child: ChildRecord) -> str | None:
    if not BirthFacts(child.gestation_weeks, child.birth_weight_g).early_or_small:
        return None
    return "🍼 " + _("{name}: {facts} — consider progressive patronage").format(
        name=html.quote(child.name), facts=birth_facts_line(child.gestation_weeks, child.birth_weight_g))


def card_text(card: FamilyCard, lang: str, today: date, tz: tzinfo) -> str:
    family = card.family
    user = family.user
    region, clinic = place_label(user.region, user.polyclinic, lang)
    head = [
        f"👪 <b>{html.quote(user.name)}</b>{risk_mark(card.risk)}",
        f"📞 {html.quote(format_phone(user.phone))}",
        f"📍 {html.quote(region)}, {html.quote(clinic)}",
    ]
    if family.pregnancy is not None:
        head.append("🤰 " + _("Pregnancy: {details}").format(details=pregnancy_line(dating_of(family.pregnancy), today)))
    if user.planning and family.pregnancy is None:
        head.append("🌱 " + _("Planning a pregnancy"))
    head += [_life_event_line(event.kind, event.occurred_on) for event in card.life_events[-3:]]
    head += [line for child in family.children if (line := _early_or_small_line(child))]
    nurse = html.quote(card.nurse.name) if card.nurse is not None else _("nobody yet")
    head += [
        _("👩‍⚕️ Nurse: {name}").format(name=nurse),
        "",
        risk_text(card.risk),
        visit_line(card.last_visit, card.visits),
        _("📋 Support plan: {done} of {total} goals done").format(done=card.plan.done, total=card.plan.total)
        if card.plan.total
        else _("📋 No support plan yet"),
    ]
    if card.questions:
        head.append(_("💬 Questions waiting for an answer: {count}").format(count=card.questions))
    if card.open_alerts:
        head.append(_("🚨 Alerts nobody has taken yet: {count} (/alerts)").format(count=card.open_alerts))
    if user.paused:
        head.append(_("⏸ She has paused messages from the bot."))

    upcoming = sorted((e for e in card.calendar if e.standing is Standing.UPCOMING), key=lambda e: (e.opens, e.closes))
    # Missed while the bot followed her: a window that closed on or before the (local) day she registered
    # was never hers to miss.
    registered = user.created_at.astimezone(tz).date()
    missed = sorted(
        (e for e in card.calendar if e.standing is Standing.MISSED and e.closes > registered), key=lambda e: e.closes, reverse=True
    )
    done = [e for e in card.calendar if e.standing is Standing.DONE]

    def listed(heading: str, lines: list[str], keep: int = 1) -> Section:
        return Section(heading, tuple(lines[:SHOWN]), keep, max(0, len(lines) - SHOWN))

    kids = [child_line(c.name, c.birth_date, c.sex, today) for c in family.children]
    sections = [
        listed(_("<b>Children</b>"), [f"• {line}" for line in kids], keep=3),
        Section(_("<b>Note</b>"), (f"<i>{html.quote(card.note)}</i>",) if card.note else ()),
        listed(_("<b>Appointments</b>"), [appointment_line(a) for a in card.appointments]),
        listed(_("<b>Self-checks</b>"), [staff_result_line(r, lang, tz, user.language) for r in card.checks]),
        listed(_("<b>Did not answer</b>"), [
            "• " + _("{date}: {title}").format(date=format_date(asked_on), title=html.quote(missed_title(qid, lang)))
            for qid, asked_on in card.missed_checks
        ]),
        listed(_("<b>Coming up</b>"), [_entry_line(e, lang) for e in upcoming]),
        listed(_("<b>Missed</b> (window closed since she registered, not done)"), [_entry_line(e, lang) for e in missed]),
        listed(_("<b>Done</b>"), [f"✅ {entry_title(e, lang)}" for e in reversed(done)]),
    ]
    return fit_card(head, sections, more_line)


def note_prompt(name: str, note: str | None, limit: int) -> str:
    """Asking for the private note on her card (which only staff see), with the one there is."""
    lines = [_("<b>Note on {name}</b>").format(name=html.quote(name))]
    if note:
        lines += [_("Now:"), f"<i>{html.quote(note)}</i>", ""]
    lines.append(
        _("Type the note (up to {limit} characters); it replaces the one there is. Only staff see it, never the family.").format(
            limit=limit
        )
    )
    return "\n".join(lines)


def note_problem_text(problem: str, length: int, limit: int) -> str:
    """Why a typed note cannot be saved (see bot.domain.caseload.text_problem)."""
    if problem == "too_long":
        return _(
            "This note is {length} characters, and a note can hold up to {limit}. "
            "Could you shorten it a little, to the main points? Nothing is saved yet."
        ).format(length=length, limit=limit)
    return _("Please type the note as text.")


def visit_saved_text(item_title: str | None, suggest_progressive: bool) -> str:
    lines = [_("Saved: the home visit is recorded.")]
    if item_title:
        lines.append(_("In her calendar it counts as: {item} ✅").format(item=item_title))
    else:
        lines.append(_("No patronage visit of her calendar was due around this date, so it counts as an extra visit."))
    if suggest_progressive:
        lines += [
            "",
            _(
                "You named a risk. Switch this family to progressive patronage "
                "(more frequent check-ins and visits)?"
            ),
        ]
    return "\n".join(lines)


def chosen_text(codes: Sequence[str], allowed: Sequence[str]) -> str:
    """What she chose in a visit's multi-select, as the answer under the question."""
    label = assessed_label if allowed is ASSESSED else risk_label
    return _codes(known(codes, allowed), label) or _("none")


# --- the support plan ----------------------------------------------------------------------------

def goal_text(number: int | None, goal: GoalRecord) -> str:
    mark = "✅" if goal.done else "⬜"
    return "\n".join(
        [
            (f"{number}. " if number is not None else "") + f"{mark} <b>{html.quote(goal.goal)}</b>",
            "    " + _("Next step: {step}").format(step=html.quote(goal.next_step)),
            "    " + _("By: {date}").format(date=format_date(goal.due_on)),
        ]
    )


def staff_plan_text(name: str, goals: Sequence[GoalRecord]) -> str:
    lines = [_("<b>Support plan of {name}</b>").format(name=html.quote(name))]
    if goals:
        done = sum(1 for goal in goals if goal.done)
        lines += [_("{done} of {total} goals done").format(done=done, total=len(goals)), ""]
        lines += [goal_text(number, goal) for number, goal in enumerate(goals, start=1)]
    else:
        lines += [
            "",
            _("No goals yet. After a home visit, agree with her on a few realistic goals, each with a next step and a date."),
        ]
    return "\n".join(lines)


def mother_plan_text(goals: Sequence[GoalRecord]) -> str:
    if not goals:
        return _(
            "You have no support plan yet. Your patronage nurse draws it up with you after a home visit: "
            "a few small goals, each with a next step and a date."
        )
    lines = [_("<b>📋 Your support plan</b>"), _("What you agreed with your nurse, step by step."), ""]
    lines += [goal_text(number, goal) for number, goal in enumerate(goals, start=1)]
    if any(not goal.done for goal in goals):
        lines += ["", _("When you have done a goal, press its button below.")]
    else:
        lines += ["", _("All done. Well done!")]
    return "\n".join(lines)


def assessed_label(code: str) -> str:
    return {
        "mother": _("Mother's health"),
        "baby": _("Baby's health"),
        "feeding": _("Feeding"),
        "development": _("Growth and development"),
        "safety": _("Home safety"),
        "mood": _("Mood and wellbeing"),
        "family": _("Family and support"),
        "parenting": _("Care and parenting skills"),
    }.get(code, code)


def risk_label(code: str) -> str:
    return {
        "social": _("Social (housing, income, isolation)"),
        "depression": _("Depression"),
        "violence": _("Violence"),
        "habits": _("Smoking or alcohol"),
        "care": _("Child care"),
        "child_dev": _("Child development"),
    }.get(code, code)


def appointment_kind_label(code: str) -> str:
    return {
        "antenatal": _("Antenatal visit"),
        "ultrasound": _("Ultrasound"),
        "lab": _("Lab test"),
        "vaccination": _("Vaccination"),
        "home_visit": _("Home visit"),
        "other": _("Something else"),
    }.get(code, code)

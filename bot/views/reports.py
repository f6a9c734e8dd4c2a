"""How statistics look to an admin: the /stats message, the CSV export and the chart's labels.

Counts only, never a name or a phone. Dates and times in the programme's time zone.

The CSV (UTF-8 with a BOM, so Excel shows Cyrillic; ";" between fields, as Excel expects where
the comma is the decimal mark, as in Kazakh and Russian; whole numbers only) holds two tables
separated by one empty line, each starting with its header row:

1. One row per place: first the total (national admins only), then each region in scope followed
   by each of its polyclinics (every listed polyclinic, also those with no family yet, and "-" for
   families whose polyclinic is not in the list). Columns: region code, polyclinic code, region,
   polyclinic, then the figures (see CSV_FIGURES); the median time to answer is in whole minutes,
   empty when no question was answered.
2. The last 30 days, oldest first: date (YYYY-MM-DD), new registrations, messages delivered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content import polyclinic as find_polyclinic
from bot.content import polyclinics as polyclinics_of
from bot.content import region as find_region
from bot.content import regions as all_regions
from bot.domain.dates import format_date
from bot.domain.stats import Figures, split_duration
from bot.services.stats import DayCounts, Report
from bot.views.charts import ChartLabels
from bot.views.profile import LANGUAGE_NAMES

MESSAGE_LIMIT = 4096
UNLISTED = "-"  # the polyclinic code column for families whose polyclinic is not in the list


def scope_name(region: str | None, lang: str) -> str:
    if region is None:
        return _("all regions")
    found = find_region(region)
    return found.name(lang) if found else region


def _polyclinic_name(code: str | None, lang: str) -> str:
    if code is None:
        return _("polyclinic not in the list")
    found = find_polyclinic(code)
    return found.name(lang) if found else code


def _local(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{format_date(local.date())} {local:%H:%M}"


def duration_text(seconds: float) -> str:
    parts = split_duration(seconds)
    if parts.days:
        return _("{days} d {hours} h").format(days=parts.days, hours=parts.hours)
    if parts.hours:
        return _("{hours} h {minutes} min").format(hours=parts.hours, minutes=parts.minutes)
    return _("{minutes} min").format(minutes=parts.minutes)


# --- the message -------------------------------------------------------------------------------

def _breakdown(report: Report, lang: str) -> tuple[str, list[str]]:
    """National: one line per region; regional: one per polyclinic of hers. Busiest first."""
    if report.region is None:
        places = [(scope_name(code, lang), figures.registered) for code, figures in report.regions.items()]
        title = _("<b>By region</b>")
    else:
        places = [(_polyclinic_name(polyclinic, lang), figures.registered) for (_r, polyclinic), figures in report.polyclinics.items()]
        title = _("<b>By polyclinic</b>")
    places.sort(key=lambda place: (-place[1], place[0]))
    return title, [f"{html.quote(name)}: {count}" for name, count in places if count]


def overview_text(report: Report, lang: str, tz: tzinfo) -> str:
    t = report.total
    median = (
        _("Median time to answer: {time}").format(time=duration_text(report.median_seconds))
        if report.median_seconds is not None
        else _("Median time to answer: no answered questions yet")
    )
    order = [*LANGUAGE_NAMES, *sorted(set(report.languages) - set(LANGUAGE_NAMES))]
    languages = " · ".join(f"{LANGUAGE_NAMES.get(code, code)}: {report.languages[code]}" for code in order if code in report.languages)
    head = [
        _("📊 <b>Statistics: {scope}</b>").format(scope=html.quote(scope_name(report.region, lang))),
        _("as of {moment}").format(moment=_local(report.as_of, tz)),
        "",
        _("<b>Registered: {count}</b>").format(count=t.registered),
        _("🤰 pregnant: {count}").format(count=t.pregnant),
        _("🌱 planning: {count}").format(count=t.planning),
        _("👶 parents: {count}").format(count=t.parents),
        _("(a family can be in more than one group)"),
        _("✅ active: {active} · ⏸ paused: {paused} · 🚫 unreachable: {unreachable}").format(
            active=t.active, paused=t.paused, unreachable=t.unreachable
        ),
        _("🕓 without a nurse: {count}").format(count=t.without_nurse),
        "",
        _("<b>By language</b>"),
        languages or "—",
        "",
    ]
    title, places = _breakdown(report, lang)
    tail = [
        "",
        _("<b>Last 7 days · 30 days</b>"),
        _("New registrations: {short} · {long}").format(short=t.new_short, long=t.new_long),
        _("Reminders sent: {short} · {long}").format(short=t.reminders_short, long=t.reminders_long),
        _("Marked done: {short} · {long}").format(short=t.done_short, long=t.done_long),
        _("Tips sent: {short} · {long}").format(short=t.tips_short, long=t.tips_long),
        _("Announcements: {short} · {long} (messages delivered: {messages_short} · {messages_long})").format(
            short=report.announcements_short, long=report.announcements_long,
            messages_short=t.announcements_short, messages_long=t.announcements_long,
        ),
        _("All messages delivered: {short} · {long}").format(short=t.delivered_short, long=t.delivered_long),
        "",
        _("<b>Questions, last 30 days</b>"),
        _("Asked: {asked} · answered: {answered}").format(asked=t.asked, answered=t.answered),
        median,
    ]
    return _fit(head, title, places or ["—"], tail)


def _fit(head: list[str], title: str, places: list[str], tail: list[str]) -> str:
    """One message: if the list of places is too long, its end gives way to a pointer to the CSV."""
    text = "\n".join([*head, title, *places, *tail])
    while len(text) > MESSAGE_LIMIT and places:
        places = places[:-1]
        text = "\n".join([*head, title, *places, _("… the full list is in the CSV"), *tail])
    return text


# --- the CSV -----------------------------------------------------------------------------------

# (header, value) per figure, in column order.
CSV_FIGURES: tuple[tuple[Callable[[], str], Callable[[Figures], int]], ...] = (
    (lambda: _("Registered"), lambda f: f.registered),
    (lambda: _("Pregnant"), lambda f: f.pregnant),
    (lambda: _("Planning"), lambda f: f.planning),
    (lambda: _("Parents"), lambda f: f.parents),
    (lambda: _("Active"), lambda f: f.active),
    (lambda: _("Paused"), lambda f: f.paused),
    (lambda: _("Unreachable"), lambda f: f.unreachable),
    (lambda: _("Without a nurse"), lambda f: f.without_nurse),
    (lambda: _("New, 7 days"), lambda f: f.new_short),
    (lambda: _("New, 30 days"), lambda f: f.new_long),
    (lambda: _("Reminders sent, 7 days"), lambda f: f.reminders_short),
    (lambda: _("Reminders sent, 30 days"), lambda f: f.reminders_long),
    (lambda: _("Marked done, 7 days"), lambda f: f.done_short),
    (lambda: _("Marked done, 30 days"), lambda f: f.done_long),
    (lambda: _("Tips sent, 7 days"), lambda f: f.tips_short),
    (lambda: _("Tips sent, 30 days"), lambda f: f.tips_long),
    (lambda: _("Announcement messages, 7 days"), lambda f: f.announcements_short),
    (lambda: _("Announcement messages, 30 days"), lambda f: f.announcements_long),
    (lambda: _("Messages delivered, 7 days"), lambda f: f.delivered_short),
    (lambda: _("Messages delivered, 30 days"), lambda f: f.delivered_long),
    (lambda: _("Questions, 30 days"), lambda f: f.asked),
    (lambda: _("Answered, 30 days"), lambda f: f.answered),
)


def csv_header() -> list[str]:
    return [
        _("Region code"), _("Polyclinic code"), _("Region"), _("Polyclinic"),
        *(header() for header, _value in CSV_FIGURES),
        _("Median time to answer, minutes"),
    ]


def daily_header() -> list[str]:
    return [_("Date"), _("New registrations"), _("Messages delivered")]


def _row(codes: tuple[str, str], names: tuple[str, str], figures: Figures, median: float | None) -> list[str]:
    return [*codes, *names, *(str(value(figures)) for _header, value in CSV_FIGURES), "" if median is None else str(round(median / 60))]


def _place_rows(report: Report, lang: str) -> Iterator[list[str]]:
    if report.region is None:
        yield _row(("", ""), (_("all regions"), ""), report.total, report.median_seconds)
    codes = [r.code for r in all_regions() if report.region in (None, r.code)]
    codes += sorted(code for code in report.regions if code not in codes)  # a region no longer listed
    for code in codes:
        name = scope_name(code, lang)
        yield _row((code, ""), (name, ""), report.regions.get(code, Figures()), report.region_medians.get(code))
        clinics: list[str | None] = [clinic.code for clinic in polyclinics_of(code)]
        clinics += sorted(c for (r, c) in report.polyclinics if r == code and c is not None and c not in clinics)
        clinics.append(None)
        for clinic in clinics:
            figures = report.polyclinics.get((code, clinic))
            if clinic is None and figures is None:
                continue  # nobody unlisted here: no row
            yield _row(
                (code, clinic or UNLISTED), (name, _polyclinic_name(clinic, lang)),
                figures or Figures(), report.polyclinic_medians.get((code, clinic)),
            )


def _daily_rows(days: tuple[DayCounts, ...]) -> Iterator[list[str]]:
    for day in days:
        yield [day.day.isoformat(), str(day.registrations), str(day.delivered)]


def csv_bytes(report: Report, lang: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_header())
    writer.writerows(_place_rows(report, lang))
    writer.writerow([])
    writer.writerow(daily_header())
    writer.writerows(_daily_rows(report.days))
    return buffer.getvalue().encode("utf-8-sig")


def file_name(report_region: str | None, as_of: datetime, tz: tzinfo, extension: str) -> str:
    scope = report_region or "kz"
    return f"anabala-stats-{scope}-{as_of.astimezone(tz).date().isoformat()}.{extension}"


# --- the chart ---------------------------------------------------------------------------------

def chart_labels(region: str | None, lang: str) -> ChartLabels:
    return ChartLabels(
        title=_("AnaBala, last 30 days: {scope}").format(scope=scope_name(region, lang)),
        registrations=_("New registrations per day"),
        delivered=_("Messages delivered per day"),
        x_axis=_("Date"),
        y_registrations=_("Registrations"),
        y_delivered=_("Messages"),
        empty=_("Nothing yet"),
    )

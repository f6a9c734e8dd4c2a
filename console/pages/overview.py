"""The overview (Step 9): the figures of her scope for a polyclinic head and for admins (a nurse gets
403). The figures are at most a minute old (bot/services/overview.py keeps them per scope); the page
says when they were computed. Trends are server-side SVG with the same numbers in a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.content.questionnaires import questionnaire
from bot.domain.access import Actor
from bot.domain.overview import AGE_BAND_NAMES, TRIMESTER_NUMBERS, Overview, PlaceCounts, by_region
from bot.services import overview as service
from bot.views.broadcasts import age_label, trimester_label
from console import svg
from console.keys import CONTEXT
from console.render import page, polyclinic_name, region_name
from console.viewer import Screen, require

routes = web.RouteTableDef()


@dataclass(frozen=True, slots=True)
class PlaceRow:
    name: str
    counts: PlaceCounts


@routes.get("/overview")
async def overview_page(request: web.Request) -> web.Response:
    who = require(request, Screen.OVERVIEW)
    app = request.app[CONTEXT]
    figures = await service.overview(app, who.actor)
    if figures is None:
        raise web.HTTPForbidden(text="forbidden")
    limits = {
        "urgent": timedelta(minutes=app.settings.alert_wait_urgent_minutes),
        "high": timedelta(minutes=app.settings.alert_wait_high_minutes),
    }
    return page(request, "overview.html", _values(figures, who.actor, who.lang, app.settings.tz, limits))


def _values(figures: Overview, actor: Actor, lang: str, tz: tzinfo, limits: dict[str, timedelta]) -> dict[str, Any]:
    return {
        "o": figures,
        "as_of": figures.as_of.astimezone(tz).strftime("%H:%M"),
        "scope_name": _scope_name(actor, lang),
        "by_region": actor.is_national,
        "places": _place_rows(figures, actor, lang),
        "stages": _stages(figures),
        "limits": limits,
        "take": {
            band.band: (
                timedelta(seconds=band.median_seconds) if band.median_seconds is not None else None,
                timedelta(seconds=band.p90_seconds) if band.p90_seconds is not None else None,
            )
            for band in figures.alerts
        },
        "tier_names": [_("her nurse"), _("the polyclinic's nurses"), _("the region's admins"), _("national admins")],
        "checks": [(_questionnaire_name(c.questionnaire, lang), c) for c in figures.self_checks],
        "weeks": [f"{day:%d.%m}" for day in figures.trend.weeks],
        "charts": _charts(figures),
        "number": _number,
    }


def _scope_name(actor: Actor, lang: str) -> str:
    if actor.is_head:
        return polyclinic_name(actor.polyclinic, lang)
    if actor.region is not None:
        return region_name(actor.region, lang)
    return _("All regions")


def _place_rows(figures: Overview, actor: Actor, lang: str) -> list[PlaceRow]:
    """A national admin: one row per region; a regional admin or a head: one per polyclinic."""
    if actor.is_national:
        rows = [PlaceRow(region_name(code, lang), counts) for code, counts in by_region(figures.places).items()]
    else:
        rows = [PlaceRow(polyclinic_name(clinic, lang), counts) for (_region, clinic), counts in figures.places.items()]
    return sorted(rows, key=lambda row: row.name)


def _stages(figures: Overview) -> list[tuple[str, int]]:
    return [
        *((_("Pregnant, {trimester}").format(trimester=trimester_label(t)), figures.trimesters.get(t, 0)) for t in TRIMESTER_NUMBERS),
        (_("Planning a pregnancy"), figures.total.planning),
        *((_("Children, {ages}").format(ages=age_label(band)), figures.ages.get(band, 0)) for band in AGE_BAND_NAMES),
    ]


def _questionnaire_name(code: str, lang: str) -> str:
    found = questionnaire(code)
    return found.title(lang) if found else code


def _charts(figures: Overview) -> list[tuple[str, Any]]:
    trend = figures.trend
    labels = [f"{day:%d.%m}" for day in trend.weeks]
    shown = [
        ("trend-registrations", _("New registrations per week"), trend.registrations),
        ("trend-alerts", _("Alerts per week"), trend.alerts),
        ("trend-checks", _("Self-checks completed per week"), trend.checks),
    ]
    return [
        (
            title,
            svg.bar_chart(
                chart_id,
                title,
                _("{total} in the last 26 weeks; at most {most} in one week.").format(total=sum(values), most=max(values, default=0)),
                labels,
                values,
            ),
        )
        for chart_id, title, values in shown
    ]


def _number(value: int) -> str:
    """1 000 000: thin spaces between thousands, as read in Kazakhstan."""
    return f"{value:,}".replace(",", "\u202f")

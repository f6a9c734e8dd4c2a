"""The templates' environment: Jinja2 through aiohttp-jinja2, autoescaped, with our Babel catalogs
(the same gettext as the bot: the security middleware sets her language for the request) and the
few filters every screen uses (durations, local times, place names)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiogram.utils.i18n import gettext, ngettext
from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.domain.dates import format_date, format_moment
from bot.views.durations import duration
from console.keys import CONTEXT
from console.viewer import LANG, VIEWER, Screen

TEMPLATES = Path(__file__).with_name("templates")


def region_name(code: str | None, lang: str) -> str:
    region = find_region(code) if code else None
    return region.name(lang) if region else (code or "—")


def polyclinic_name(code: str | None, lang: str) -> str:
    clinic = find_polyclinic(code) if code else None
    return clinic.name(lang) if clinic else (code or _("not in the list"))


def screen_titles() -> dict[Screen, str]:
    return {
        Screen.TODAY: _("My day"),
        Screen.ALERTS: _("Live alerts"),
        Screen.OVERVIEW: _("Overview"),
        Screen.NURSES: _("Nurses"),
        Screen.FAMILIES: _("Families"),
    }


def setup(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.filters["duration"] = duration
    env.filters["day"] = format_date


def _page_context(request: web.Request) -> dict[str, Any]:
    """What every template reads (the menu, her language, the formatters)."""
    context = request.app[CONTEXT]
    tz = context.settings.tz
    lang = request.get(LANG, context.settings.default_language)
    who = request.get(VIEWER)
    return {
        "lang": lang,
        "viewer": who,
        "titles": screen_titles(),
        "moment": lambda at: format_moment(at, tz) if isinstance(at, datetime) else "—",
        "region_name": lambda code: region_name(code, lang),
        "polyclinic_name": lambda code: polyclinic_name(code, lang),
        "path": request.path,
    }


def page(request: web.Request, template: str, values: Mapping[str, Any], status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, {**_page_context(request), **values}, status=status)

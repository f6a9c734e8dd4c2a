"""The families screen (Step 9): the line list of the families in her scope (filters, search, pages
of 50), a family's page (her card as Telegram shows it, read-only) and the export of the list (CSV or
XLSX, after she types why). Every value from the address or a form is checked (bot/domain/line_list.py);
a family outside her scope and an unknown id get the same "not found" page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.domain.line_list import (
    COUNT_CAP,
    EXPORT_CAP,
    REASON_MAX,
    REASON_MIN,
    ExportFormat,
    LineFilters,
    clean_reason,
    parse_filters,
    parse_format,
    parse_page,
)
from bot.services import line_list
from bot.views.caseload import card_text
from console import exports
from console.keys import CONTEXT
from console.render import page
from console.viewer import Screen, require

routes = web.RouteTableDef()
MAX_ID = 2**63 - 1


def _link(path: str, filters: LineFilters, **extra: str | int) -> str:
    pairs: list[tuple[str, str | int]] = [*filters.params(), *extra.items()]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _form_values(data: Mapping[str, Any]) -> dict[str, str]:
    return {name: value for name, value in data.items() if isinstance(value, str)}


@routes.get("/families")
async def families_page(request: web.Request) -> web.Response:
    who = require(request, Screen.FAMILIES)
    filters = parse_filters(request.query)
    listing = await line_list.families_page(request.app[CONTEXT], who.actor, filters, parse_page(request.query))
    return page(request, "families.html", {
        "listing": listing, "filters": filters, "cap": COUNT_CAP,
        "page_link": lambda number: _link("/families", filters, page=number),
        "export_link": lambda fmt: _link("/families/export", filters, format=fmt),
    })


def _export_form(request: web.Request, filters: LineFilters, fmt: ExportFormat, problem: str | None = None,
                 status: int = 200) -> web.Response:
    return page(request, "export.html", {
        "filters": filters, "format": fmt, "problem": problem, "cap": EXPORT_CAP,
        "reason_min": REASON_MIN, "reason_max": REASON_MAX, "back": _link("/families", filters),
    }, status=status)


@routes.get("/families/export")
async def export_form(request: web.Request) -> web.Response:
    require(request, Screen.FAMILIES)
    return _export_form(request, parse_filters(request.query), parse_format(request.query) or ExportFormat.CSV)


@routes.post("/families/export")
async def export_file(request: web.Request) -> web.StreamResponse:
    who = require(request, Screen.FAMILIES)
    form = _form_values(await request.post())
    filters = parse_filters(form)
    fmt = parse_format(form)
    if fmt is None:
        return _export_form(request, filters, ExportFormat.CSV, "format", status=422)
    reason = clean_reason(form.get("reason", ""))
    if reason is None:
        return _export_form(request, filters, fmt, "reason", status=422)
    app = request.app[CONTEXT]
    rows = await line_list.export_rows(app, who.actor, filters, fmt, reason)
    body = exports.build(fmt, rows, who.lang)
    name = exports.file_name(fmt, app.today())
    return web.Response(body=body, headers={
        "Content-Type": exports.CONTENT_TYPES[fmt],
        "Content-Disposition": f'attachment; filename="{name}"',
    })


@routes.get("/families/{family_id}")
async def family_page(request: web.Request) -> web.Response:
    who = require(request, Screen.FAMILIES)
    typed = request.match_info["family_id"]
    family_id = int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 19 else 0
    app = request.app[CONTEXT]
    card = await line_list.family_card(app, who.actor, family_id) if 0 < family_id <= MAX_ID else None
    if card is None:
        return page(request, "family.html", {"card": None, "text": ""}, status=404)
    text = card_text(card, who.lang, app.today(), app.settings.tz)
    return page(request, "family.html", {"card": card, "text": text})

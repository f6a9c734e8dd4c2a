"""The nurses screen (Step 9): every active nurse in her scope (a polyclinic head's polyclinic, a
regional admin's region, everyone for a national admin) with her caseload and how quickly alerts and
questions are taken; sortable by any column (`?sort=<column>&dir=asc|desc`, checked against the list)."""

from __future__ import annotations

from aiohttp import web

from bot.domain.line_list import NURSE_WINDOW, NurseColumn, parse_sort
from bot.services import line_list
from console.keys import CONTEXT
from console.render import page
from console.viewer import Screen, require

routes = web.RouteTableDef()


@routes.get("/nurses")
async def nurses_page(request: web.Request) -> web.Response:
    who = require(request, Screen.NURSES)
    sort = parse_sort(request.query)
    lines, at = await line_list.nurses_with_moment(request.app[CONTEXT], who.actor, sort)
    return page(request, "nurses.html", {
        "lines": lines, "sort": sort, "columns": NurseColumn, "window_days": NURSE_WINDOW.days, "as_of": at,
    })

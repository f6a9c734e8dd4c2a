"""The live board: open alerts in her scope, oldest first; the table refreshes itself every few seconds
(console/static/live.js asks /alerts/rows), each refresh costing the open alerts, not the families."""

from __future__ import annotations

from aiohttp import web

from bot.services import board
from console.keys import CONTEXT
from console.render import page
from console.viewer import Screen, require

routes = web.RouteTableDef()
REFRESH_SECONDS = 3


@routes.get("/alerts")
async def alerts_page(request: web.Request) -> web.Response:
    who = require(request, Screen.ALERTS)
    found = await board.open_alerts(request.app[CONTEXT], who.actor)
    return page(request, "alerts.html", {"board": found, "refresh": REFRESH_SECONDS})


@routes.get("/alerts/rows")
async def alerts_rows(request: web.Request) -> web.Response:
    who = require(request, Screen.ALERTS)
    found = await board.open_alerts(request.app[CONTEXT], who.actor)
    return page(request, "alerts_rows.html", {"board": found})

"""A nurse's day (Step 9): what she must act on today, for her own families only — the same sections
as /today in Telegram (bot.services.today), as figures and lists. Only a nurse has this screen;
`require` checks her role from the database on every request."""

from __future__ import annotations

from aiohttp import web

from bot.domain import today as rules
from bot.services import today
from bot.views.screening import missed_title
from bot.views.today import answer_text
from console.keys import CONTEXT
from console.render import page
from console.viewer import LANG, Screen, require

routes = web.RouteTableDef()


@routes.get("/today")
async def today_page(request: web.Request) -> web.Response:
    who = require(request, Screen.TODAY)
    context = request.app[CONTEXT]
    lang = request.get(LANG, who.lang)
    day = await today.nurse_day(context, who.actor)
    return page(
        request,
        "today.html",
        {
            "day": day,
            "check_title": lambda questionnaire: missed_title(questionnaire, lang),
            "answer_text": answer_text,
            "rules": rules,
        },
    )

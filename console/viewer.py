"""Who is looking: the signed-in staff member of this request, read from the database by the security
middleware (console/security.py), and what she may open."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aiohttp import web

from bot.domain.access import Actor
from db.records import StaffRecord


class Screen(StrEnum):
    ALERTS = "alerts"
    OVERVIEW = "overview"
    NURSES = "nurses"
    FAMILIES = "families"
    TODAY = "today"


COORDINATOR_SCREENS = (Screen.ALERTS, Screen.OVERVIEW, Screen.NURSES, Screen.FAMILIES)
NURSE_SCREENS = (Screen.TODAY, Screen.ALERTS, Screen.FAMILIES)


@dataclass(frozen=True, slots=True)
class Viewer:
    member: StaffRecord
    actor: Actor
    csrf: str
    lang: str
    session_code: str

    @property
    def screens(self) -> tuple[Screen, ...]:
        return NURSE_SCREENS if self.actor.is_nurse else COORDINATOR_SCREENS

    def may_open(self, screen: Screen) -> bool:
        return screen in self.screens


VIEWER: web.RequestKey[Viewer] = web.RequestKey("viewer", Viewer)
LANG: web.RequestKey[str] = web.RequestKey("lang", str)


def viewer(request: web.Request) -> Viewer:
    return request[VIEWER]


def require(request: web.Request, screen: Screen) -> Viewer:
    """The viewer, if this screen is hers; a 403 page otherwise."""
    who = request[VIEWER]
    if not who.may_open(screen):
        raise web.HTTPForbidden(text="forbidden")
    return who

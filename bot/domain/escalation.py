"""Where an alert from a risky answer goes, and when it goes further. Pure rules.

Tiers, nearest first (bot.domain.questions.Tier): her nurse, the other nurses of her polyclinic,
her region's admins, the national admins. An alert goes to the nearest tier that has anyone
(no nurse assigned: straight to the next); nobody acknowledges within the band's wait (urgent 15
minutes, high 4 hours, configurable) and it goes to the next tier that has anyone, keeping those
it already reached; at the top it goes round the national admins again, until someone takes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from bot.domain.questions import Tier, first_tier
from bot.domain.screening import Band

__all__ = ["AlertOutcome", "first_tier", "next_tier", "wait_for"]

T = TypeVar("T")


class AlertOutcome(StrEnum):
    """What the staff member who took an alert did (alerts.outcome)."""

    CALLED = "called"
    VISIT = "visit"  # a home visit is planned
    REFERRED = "referred"
    UNREACHED = "unreached"  # an attempt, not an outcome: the alert stays open (or opens again) and goes further
    RESOLVED = "resolved"


def wait_for(band: str, urgent_wait: timedelta, high_wait: timedelta) -> timedelta:
    return urgent_wait if band == Band.URGENT else high_wait


def next_tier(current: Tier, tiers: Sequence[Sequence[T]]) -> Tier | None:
    """The next tier above `current` with anyone in it; at the top (or with nobody above) the
    highest tier with anyone again, so the alert keeps being repeated to someone. None: nobody
    anywhere (no staff yet): it waits, and tries again after the next wait."""
    above = next((Tier(i) for i in range(current + 1, len(tiers)) if tiers[i]), None)
    if above is not None:
        return above
    return next((Tier(i) for i in range(len(tiers) - 1, -1, -1) if tiers[i]), None)

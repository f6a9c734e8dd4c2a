"""Where an alert goes first and next (bot/domain/escalation.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.escalation import first_tier, next_tier, wait_for
from bot.domain.questions import Tier

NURSE_ONLY = [["n"], [], [], []]
EVERYONE = [["n"], ["c1", "c2"], ["r"], ["x"]]


def test_first_tier_is_her_nurse_and_without_one_the_next_with_anyone() -> None:
    assert first_tier(EVERYONE) is Tier.NURSE
    assert first_tier([[], ["c"], ["r"], ["x"]]) is Tier.POLYCLINIC
    assert first_tier([[], [], ["r"], ["x"]]) is Tier.REGION
    assert first_tier([[], [], [], ["x"]]) is Tier.NATIONAL
    assert first_tier([[], [], [], []]) is None


@pytest.mark.parametrize(
    ("current", "tiers", "expected"),
    [
        (Tier.NURSE, EVERYONE, Tier.POLYCLINIC),
        (Tier.POLYCLINIC, EVERYONE, Tier.REGION),
        (Tier.REGION, EVERYONE, Tier.NATIONAL),
        (Tier.NATIONAL, EVERYONE, Tier.NATIONAL),  # at the top: repeated until someone takes it
        (Tier.NURSE, [["n"], [], [], ["x"]], Tier.NATIONAL),  # empty tiers are skipped
        (Tier.NURSE, NURSE_ONLY, Tier.NURSE),  # nobody above: her nurse again
        (Tier.NATIONAL, [[], [], [], []], None),
    ],
)
def test_next_tier(current: Tier, tiers: list[list[str]], expected: Tier | None) -> None:
    assert next_tier(current, tiers) is expected


def test_urgent_waits_its_own_time_and_everything_else_the_high_wait() -> None:
    urgent, high = timedelta(minutes=15), timedelta(hours=4)
    assert wait_for("urgent", urgent, high) == urgent
    assert wait_for("high", urgent, high) == high

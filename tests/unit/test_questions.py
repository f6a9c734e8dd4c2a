"""The follow-up of unanswered questions, who they go to, and who may answer them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.access import Actor, FamilyPlace, StaffRole
from bot.domain.questions import (
    ESCALATE_AFTER,
    REMIND_AFTER,
    FollowUp,
    QuestionTimes,
    Tier,
    can_answer,
    escalate_cutoffs,
    escalation_due_at,
    escalation_tier,
    first_tier,
    follow_up_step,
    preview,
    remind_cutoff,
    utf16_len,
)

ASKED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def times(reminded: datetime | None = None, escalated: datetime | None = None, answered: datetime | None = None) -> QuestionTimes:
    return QuestionTimes(ASKED, answered, reminded, escalated)


def test_the_thresholds_are_a_day_and_two_days() -> None:
    assert (timedelta(hours=24), timedelta(hours=48)) == (REMIND_AFTER, ESCALATE_AFTER)


@pytest.mark.parametrize(
    ("after", "expected"),
    [(timedelta(0), None), (REMIND_AFTER - timedelta(seconds=1), None), (REMIND_AFTER, FollowUp.REMIND), (timedelta(days=9), FollowUp.REMIND)],
)
def test_a_question_is_reminded_after_24_hours(after: timedelta, expected: FollowUp | None) -> None:
    assert follow_up_step(times(), ASKED + after) is expected


def test_a_reminded_question_escalates_48_hours_after_it_was_asked() -> None:
    reminded = ASKED + REMIND_AFTER
    assert follow_up_step(times(reminded), ASKED + ESCALATE_AFTER - timedelta(seconds=1)) is None
    assert follow_up_step(times(reminded), ASKED + ESCALATE_AFTER) is FollowUp.ESCALATE


def test_a_late_reminder_still_leaves_a_day_before_escalating() -> None:
    reminded = ASKED + 40 * HOUR  # the bot was down
    assert escalation_due_at(ASKED, reminded) == reminded + timedelta(hours=24)
    assert follow_up_step(times(reminded), ASKED + 50 * HOUR) is None
    assert follow_up_step(times(reminded), reminded + timedelta(hours=24)) is FollowUp.ESCALATE


def test_a_question_is_never_escalated_without_a_reminder_first() -> None:
    assert follow_up_step(times(), ASKED + timedelta(days=5)) is FollowUp.REMIND


def test_each_step_once_and_nothing_once_answered() -> None:
    late = ASKED + timedelta(days=10)
    assert follow_up_step(times(ASKED + REMIND_AFTER, ASKED + ESCALATE_AFTER), late) is None
    assert follow_up_step(times(answered=ASKED + HOUR), late) is None
    assert follow_up_step(times(ASKED + REMIND_AFTER, answered=ASKED + 30 * HOUR), late) is None


def test_the_query_bounds_match_the_rule() -> None:
    now = ASKED + timedelta(days=3)
    assert remind_cutoff(now) == now - REMIND_AFTER
    asked_before, reminded_before = escalate_cutoffs(now)
    reminded = reminded_before
    assert follow_up_step(times(reminded), now) is FollowUp.ESCALATE
    assert follow_up_step(times(reminded + timedelta(seconds=1)), now) is None
    assert asked_before == now - ESCALATE_AFTER


def test_the_first_tier_with_anyone_and_the_next_one_after_it() -> None:
    assert first_tier([["nurse"], ["colleague"], ["regional"], ["national"]]) is Tier.NURSE
    assert escalation_tier([["nurse"], ["colleague"], ["regional"], ["national"]]) is Tier.POLYCLINIC
    # No other nurse: her region's admins; none there either: the national admins.
    assert escalation_tier([["nurse"], [], ["regional"], ["national"]]) is Tier.REGION
    assert escalation_tier([["nurse"], [], [], ["national"]]) is Tier.NATIONAL
    # No nurse: the question goes to the region's admins first, then on to the national ones.
    assert first_tier([[], [], ["regional"], ["national"]]) is Tier.REGION
    assert escalation_tier([[], [], ["regional"], ["national"]]) is Tier.NATIONAL
    assert escalation_tier([[], [], [], ["national"]]) is None
    assert first_tier([[], [], [], []]) is None and escalation_tier([[], [], [], []]) is None


def nurse(staff_id: int, polyclinic: str = "almaty_pc1") -> Actor:
    return Actor(staff_id, 7000 + staff_id, StaffRole.NURSE, "almaty_city", polyclinic)


def admin(region: str | None) -> Actor:
    return Actor(90, 9000, StaffRole.ADMIN, region, None)


FAMILY = FamilyPlace(5001, "almaty_city", "almaty_pc1", nurse_id=1)


def test_her_nurse_and_admins_in_scope_may_answer() -> None:
    assert can_answer(nurse(1), FAMILY, escalated=False, replies_to_actor=False)
    assert can_answer(admin("almaty_city"), FAMILY, escalated=False, replies_to_actor=False)
    assert can_answer(admin(None), FAMILY, escalated=False, replies_to_actor=False)
    assert not can_answer(admin("astana"), FAMILY, escalated=True, replies_to_actor=True)


def test_a_colleague_only_once_it_went_on_to_her_or_the_family_has_no_nurse_or_it_answers_her() -> None:
    colleague = nurse(2)
    assert not can_answer(colleague, FAMILY, escalated=False, replies_to_actor=False)
    assert can_answer(colleague, FAMILY, escalated=True, replies_to_actor=False)
    assert can_answer(colleague, FamilyPlace(5001, "almaty_city", "almaty_pc1", None), escalated=False, replies_to_actor=False)
    assert can_answer(colleague, FAMILY, escalated=False, replies_to_actor=True)


def test_a_nurse_of_another_polyclinic_never() -> None:
    other = nurse(3, "almaty_pc6")
    assert not can_answer(other, FAMILY, escalated=True, replies_to_actor=True)
    assert not can_answer(nurse(4, None), FamilyPlace(5001, "almaty_city", None, None), escalated=True, replies_to_actor=True)  # type: ignore[arg-type]


def test_lengths_are_counted_as_telegram_does() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("👶") == 2
    assert preview("short", 10) == ("short", False)
    assert preview("👶👶👶", 5) == ("👶👶", True)  # never half an emoji
    assert preview("one two three", 8) == ("one two", True)

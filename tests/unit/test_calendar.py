"""The care calendar's rules, without Telegram or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.calendar import (
    Appointment,
    Check,
    Item,
    ItemState,
    TrackRef,
    add_months,
    plan_family,
)

ALMATY = ZoneInfo("Asia/Almaty")
WINDOW = (time(9), time(21))
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
SCREENING = Item("us_first_trimester", "pregnancy", 77, 97)  # 11+0 … 13+6 weeks
VACCINE_2M = Item("vac_2m", "child", 61, 75)


def plan(refs, items=(SCREENING,), states=None, appointments=(), now=NOW, weeks=(), months=(), horizon=timedelta(days=3)):  # type: ignore[no-untyped-def]
    return plan_family(
        refs=refs, items=items, states=states or {}, appointments=appointments, pregnancy_weeks=weeks,
        child_months=months, now=now, tz=ALMATY, window=WINDOW, horizon=horizon, spread_key=42,
    )


def pregnant_at(week: int, day: date = TODAY) -> TrackRef:
    return TrackRef("pregnancy", 1, day - timedelta(weeks=week))


def local(moment: datetime) -> datetime:
    return moment.astimezone(ALMATY)


def test_week_9_gets_the_screening_heads_up_three_days_before_the_window() -> None:
    ref = pregnant_at(9)
    heads_up_day = ref.anchor + timedelta(days=77 - 3)
    now, sweeps = NOW, 0
    while not (result := plan([ref], now=now)).messages:  # the planner comes back as the plan says
        assert result.next_plan_at > now
        now, sweeps = result.next_plan_at, sweeps + 1
    assert sweeps <= 3  # a sparse calendar costs few sweeps
    assert now <= datetime.combine(heads_up_day, time(10), tzinfo=ALMATY)
    (message,) = result.messages
    assert message.message_key == "care.heads_up" and message.key == "care:p1:us_first_trimester:soon"
    assert local(message.due).date() == heads_up_day and 10 <= local(message.due).hour < 11


def test_inside_the_window_she_gets_a_nudge_not_a_stale_heads_up() -> None:
    ref = pregnant_at(12)  # the window opened a week ago
    messages = plan([ref], horizon=timedelta(days=8)).messages
    assert [m.message_key for m in messages] == ["care.nudge"]


def test_done_or_not_for_me_or_an_appointment_stops_the_generic_reminders() -> None:
    ref = pregnant_at(12)
    for status in ("done", "not_for_me", "appointment"):
        states = {("pregnancy", 1, "us_first_trimester"): ItemState(status)}
        assert plan([ref], states=states, horizon=timedelta(days=30)).messages == []


def test_remind_me_later_comes_back_once_at_the_chosen_moment() -> None:
    ref = pregnant_at(12)
    until = NOW + timedelta(days=3)
    states = {("pregnancy", 1, "us_first_trimester"): ItemState("snoozed", until)}
    (message,) = plan([ref], states=states, horizon=timedelta(days=4)).messages
    assert message.due == until and message.key.endswith(":later:2026-11-27")


def test_nothing_after_the_window_closed() -> None:
    assert plan([pregnant_at(20)], horizon=timedelta(days=60)).messages == []


def test_a_night_time_moment_waits_for_the_morning() -> None:
    ref = pregnant_at(12)
    night = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)  # 00:00 in Almaty
    (message,) = plan([ref], now=night, horizon=timedelta(days=8)).messages
    assert 9 <= local(message.due).hour < 21 and message.due > night


def test_planning_twice_gives_the_same_keys() -> None:
    ref = pregnant_at(12)
    first = {m.key for m in plan([ref], horizon=timedelta(days=8), weeks=range(4, 43)).messages}
    second = {m.key for m in plan([ref], horizon=timedelta(days=8), weeks=range(4, 43)).messages}
    assert first == second and first


def test_this_weeks_guidance_goes_now_and_next_weeks_later() -> None:
    ref = pregnant_at(9)
    keys = [m.key for m in plan([ref], items=(), weeks=range(4, 43), horizon=timedelta(days=8)).messages]
    assert keys == ["guide:p1:w9", "guide:p1:w10"]


def test_child_vaccination_and_monthly_guidance() -> None:
    born = TODAY - timedelta(days=60)
    ref = TrackRef("child", 5, born)
    messages = plan([ref], items=(VACCINE_2M,), months=range(1, 25), horizon=timedelta(days=3)).messages
    assert {m.message_key for m in messages} == {"care.heads_up", "guidance.child"}
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_appointment_reminders_the_evening_before_and_two_hours_before() -> None:
    visit = Appointment(id=9, on_date=TODAY + timedelta(days=2), at_time=time(14, 30))
    messages = plan([], items=(), appointments=[visit], horizon=timedelta(days=3)).messages
    by_key = {m.message_key: local(m.due) for m in messages}
    assert by_key["appointment.eve"] == datetime.combine(TODAY + timedelta(days=1), time(18), tzinfo=ALMATY)
    assert by_key["appointment.soon"] == datetime.combine(TODAY + timedelta(days=2), time(12, 30), tzinfo=ALMATY)
    early = Appointment(id=10, on_date=TODAY + timedelta(days=2), at_time=time(8, 0))
    assert [m.message_key for m in plan([], items=(), appointments=[early]).messages] == ["appointment.eve"]


# --- self-check invitations (Step 6: one message a day, never two of one questionnaire waiting) ----------

def _check(q: str, code: str, due: date, occ: str) -> Check:
    return Check(f"check:{code}:{q}:{occ}", due, {"q": q, "code": code, "occ": occ, "track": "child", "ref": 7})


def _plan_checks(checks, now=NOW, horizon=timedelta(days=20)):  # type: ignore[no-untyped-def]
    return plan_family(
        refs=[], items=(), states={}, appointments=(), pregnancy_weeks=(), child_months=(), now=now, tz=ALMATY,
        window=WINDOW, horizon=horizon, spread_key=42, checks=checks,
    ).messages


def test_checks_due_the_same_day_arrive_as_one_invitation_listing_them() -> None:
    day = TODAY + timedelta(days=1)
    checks = [_check("danger_newborn", "c7", day, "d14"), _check("danger_post", "m7", day, "d14"),
              _check("phq2", "m7", day, "d14")]
    invites = [m for m in _plan_checks(checks) if m.message_key == "check.invite"]
    nudges = [m for m in _plan_checks(checks) if m.message_key == "check.nudge"]
    assert len(invites) == 1 and len(nudges) == 1
    (invite,) = invites
    assert invite.key == f"checks:42:{day.isoformat()}:ask"
    assert [c["q"] for c in invite.params["checks"]] == ["danger_newborn", "danger_post", "phq2"]  # file order kept
    assert local(invite.due).date() == day and nudges[0].params["checks"][0]["due"] == day.isoformat()


def test_no_nudge_when_the_same_questionnaire_comes_again_first() -> None:
    """Day 3 and day 5 of the same check: the day-3 one gets no nudge (day 5), so two never wait at once."""
    first, second = TODAY + timedelta(days=1), TODAY + timedelta(days=3)
    messages = _plan_checks([_check("danger_newborn", "c7", first, "d3"), _check("danger_newborn", "c7", second, "d5")])
    nudged = [c["occ"] for m in messages if m.message_key == "check.nudge" for c in m.params["checks"]]
    assert nudged == ["d5"]
    assert sorted(c["occ"] for m in messages if m.message_key == "check.invite" for c in m.params["checks"]) == ["d3", "d5"]


def test_an_item_with_a_condition_is_planned_only_for_a_child_that_has_it() -> None:
    rop = Item("screen_rop", "child", 28, 42, only_if="rop_risk")
    born = TODAY - timedelta(days=26)
    plain = plan([TrackRef("child", 7, born)], items=(rop,), horizon=timedelta(days=10)).messages
    early = plan([TrackRef("child", 7, born, frozenset({"rop_risk"}))], items=(rop,), horizon=timedelta(days=10)).messages
    assert plain == [] and [m.key for m in early][0] == "care:c7:screen_rop:soon"


# --- skipping what cannot matter (the sweep's cost): the same plan as computing every moment ----------

@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)),
    gestation=st.one_of(st.none(), st.integers(0, 300)),
    ages=st.lists(st.integers(-3, 5 * 366 + 30), max_size=3),
    horizon_hours=st.sampled_from((24, 72, 72 + 7, 24 * 8, 24 * 21)),
    answered=st.sets(st.integers(0, 60), max_size=5),
    snoozed=st.dictionaries(st.integers(0, 60), st.integers(-20 * 24, 20 * 24), max_size=4),
    spread_key=st.integers(0, 10**10),
)
def test_skipping_far_items_plans_exactly_what_computing_every_moment_does(  # type: ignore[no-untyped-def]
    now, gestation, ages, horizon_hours, answered, snoozed, spread_key
) -> None:
    from bot.domain.calendar import CareStatus
    from bot.services.calendar import _guidance_numbers, _items

    today = now.astimezone(ALMATY).date()
    refs = [TrackRef("pregnancy", 1, today - timedelta(days=gestation))] if gestation is not None else []
    refs += [TrackRef("child", 10 + i, today - timedelta(days=age), frozenset({"rop_risk"} if i % 2 else set()))
             for i, age in enumerate(ages)]
    items = _items()
    states = {}
    for ref in refs:
        for n, item in enumerate(i for i in items if i.track == ref.track):
            if n in answered:
                states[(ref.track, ref.ref_id, item.id)] = ItemState(CareStatus.DONE)
            elif n in snoozed:
                states[(ref.track, ref.ref_id, item.id)] = ItemState(CareStatus.SNOOZED, now + timedelta(hours=snoozed[n]))
    weeks, months = _guidance_numbers()

    def planned(skip_far: bool):  # type: ignore[no-untyped-def]
        return plan_family(
            refs=refs, items=items, states=states, appointments=(), pregnancy_weeks=weeks, child_months=months, now=now,
            tz=ALMATY, window=WINDOW, horizon=timedelta(hours=horizon_hours), spread_key=spread_key, skip_far=skip_far,
        )

    assert planned(True) == planned(False)

"""The care calendar's rules, without Telegram or a database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.domain.calendar import (
    Appointment,
    Item,
    ItemState,
    TrackRef,
    add_months,
    plan_family,
)

ALMATY = ZoneInfo("Asia/Almaty")
WINDOW = (time(9), time(21))
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=timezone.utc)  # 10:00 in Almaty
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
    night = datetime(2026, 11, 24, 19, 0, tzinfo=timezone.utc)  # 00:00 in Almaty
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

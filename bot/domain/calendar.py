"""The care calendar: from a family's tracks and what she said, which messages to plan and when.

Pure rules, no I/O. Every planned message has a unique key, so planning the same family twice
(or after a restart) writes nothing twice; a message whose moment has passed its window is not
planned at all (a late registration gets the nudge, not a stale heads-up).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from bot.domain.delivery_time import in_window, next_delivery_time, spread_offset
from bot.domain.outbox import OutboxKind

HEADS_UP = timedelta(days=3)  # a few days before the window opens
NUDGE_AFTER = timedelta(days=7)  # into the window, if she has not answered
SNOOZE = timedelta(days=3)  # "remind me later"
MORNING = time(10, 0)  # nominal hour of calendar messages (then spread over an hour)
EVENING_BEFORE = time(18, 0)  # the day before an appointment
BEFORE_APPOINTMENT = timedelta(hours=2)
GUIDANCE_VALID = timedelta(days=6)  # a week's message may still go during that week
CHECK_VALID = timedelta(days=2)  # a check's invitation may still go this long after its day
CHECK_NUDGE_AFTER = timedelta(days=2)  # one gentle nudge if she has not begun it
CHECK_NUDGE_VALID = timedelta(days=2)
FULL_TERM = 280
LONGEST_WAIT = timedelta(days=7)  # a family is planned again within a week at the latest


class Track(StrEnum):
    """What the calendar follows (care_states.track, screenings.track, care_plans.toml)."""

    PREGNANCY = "pregnancy"  # anchor: day 0 of gestation
    CHILD = "child"  # anchor: the birth
    PLANNING = "planning"  # anchor: the day she said she is planning a pregnancy


class TrackCode(StrEnum):
    """A track in one letter, in keys and buttons (callback data has 64 bytes): "care:c7:vac_2m" is an
    item of child 7's."""

    PREGNANCY = "p"
    CHILD = "c"
    PLANNING = "l"

    @classmethod
    def of(cls, track: Track) -> TrackCode:
        return cls[Track(track).name]  # a plain "pregnancy" (a record read as text) is a Track too

    @property
    def track(self) -> Track:
        return Track[self.name]


class CareStatus(StrEnum):
    """What she said about a care item (care_states.status)."""

    DONE = "done"
    NOT_FOR_ME = "not_for_me"
    APPOINTMENT = "appointment"  # she has a date for it: her appointment's reminders stand for it
    SNOOZED = "snoozed"  # "remind me later": again at snoozed_until


ANSWERED = frozenset({CareStatus.DONE, CareStatus.NOT_FOR_ME, CareStatus.APPOINTMENT})  # no more reminders


@dataclass(frozen=True, slots=True)
class TrackRef:
    """One thing the calendar follows: a pregnancy (anchor = day 0 of gestation), a child (anchor =
    birth), or a woman planning a pregnancy (anchor = when she said so)."""

    track: Track
    ref_id: int
    anchor: date
    flags: frozenset[str] = frozenset()  # what else is known: "rop_risk" for a baby born very early or small


@dataclass(frozen=True, slots=True)
class Item:
    """What the calendar needs from a care item (bot/content/care_plans.toml)."""

    id: str
    track: Track
    start_day: int
    end_day: int
    only_if: str | None = None  # a condition the track must carry (TrackRef.flags), e.g. "rop_risk"
    for_mother: bool = False  # her own check-up after the birth: once per birth, not once per twin

    def applies_to(self, ref: TrackRef) -> bool:
        if self.for_mother and LATER_TWIN in ref.flags:
            return False
        return self.only_if is None or self.only_if in ref.flags


@dataclass(frozen=True, slots=True)
class ItemState:
    status: CareStatus
    snoozed_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    on_date: date
    at_time: time | None


LATER_TWIN = "later_twin"  # a child track flag: a twin after the first, whose mother's items come once


@dataclass(frozen=True, slots=True)
class Check:
    """A scheduled self-check (bot/content/questionnaires.toml) she has not begun."""

    key: str  # check:<subject>:<questionnaire>:<occurrence>
    due: date
    params: dict[str, Any]


def check_key(subject_code: str, questionnaire_id: str, occurrence: str) -> str:
    """The key base of a scheduled check, kept on her answers too (so it is asked no more)."""
    return f"check:{subject_code}:{questionnaire_id}:{occurrence}"


@dataclass(frozen=True, slots=True)
class Planned:
    key: str
    kind: OutboxKind  # one of PLANNED
    message_key: str
    due: datetime
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    messages: list[Planned]
    next_plan_at: datetime


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def item_window(item: Item, ref: TrackRef) -> tuple[date, date]:
    return ref.anchor + timedelta(days=item.start_day), ref.anchor + timedelta(days=item.end_day)


def state_key(ref: TrackRef, item_id: str) -> tuple[Track, int, str]:
    return (ref.track, ref.ref_id, item_id)


_FIRST_DAY, _LAST_DAY = date(1000, 1, 1), date(9000, 1, 1)  # skip_far=False: nothing is far, nothing over


@dataclass
class _Planner:
    now: datetime
    tz: tzinfo
    window: tuple[time, time]
    horizon: timedelta
    spread_key: int
    skip_far: bool = True
    planned: list[Planned] = field(default_factory=list)
    later: list[datetime] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spread = spread_offset(self.spread_key)
        today = self.now.astimezone(self.tz).date()
        # Days that cannot matter today (a family has dozens of items and guidance messages, nearly all
        # of them months away or long past; this keeps the sweep from computing their moments):
        # a message due on or after `far` is neither planned nor the reason to plan sooner (the next
        # plan comes LONGEST_WAIT from now at the latest); one valid only until before `today` is over.
        self.far = today + self.horizon + LONGEST_WAIT + timedelta(days=2) if self.skip_far else _LAST_DAY
        self.today = today if self.skip_far else _FIRST_DAY
        self.beyond = False

    def matters(self, first_day: date, last_day: date) -> bool:
        """Whether something due no earlier than `first_day` (local) and valid no later than the end of
        `last_day` can be planned, or move the next plan, now."""
        if first_day >= self.far:
            self.beyond = True  # skipped, but it is still to come: see plan_family's next_plan_at
            return False
        return last_day >= self.today

    def at(self, day: date, clock: time, spread: bool = True) -> datetime:
        moment = datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)
        return moment + self.spread if spread else moment

    def offer(self, planned: Planned, valid_until: datetime, *, respect_window: bool = True) -> None:
        """Plan it if its moment comes within the horizon and is still useful; else remember when."""
        due = max(planned.due, self.now)
        if respect_window:
            due = next_delivery_time(due, self.tz, self.window, self.spread_key)
        if due >= valid_until:
            return
        if due <= self.now + self.horizon:
            self.planned.append(Planned(planned.key, planned.kind, planned.message_key, due, planned.params))
        else:
            self.later.append(due)


def plan_family(
    *,
    refs: Sequence[TrackRef],
    items: Iterable[Item],
    states: Mapping[tuple[Track, int, str], ItemState],
    appointments: Sequence[Appointment],
    pregnancy_weeks: Iterable[int],
    child_months: Iterable[int],
    now: datetime,
    tz: tzinfo,
    window: tuple[time, time],
    horizon: timedelta,
    spread_key: int,
    checks: Sequence[Check] = (),
    skip_far: bool = True,
) -> Plan:
    """`skip_far=False` computes every candidate's moment, even those that cannot matter (the same plan,
    slower: the tests compare the two)."""
    planner = _Planner(now, tz, window, horizon, spread_key, skip_far)
    by_track: dict[Track, list[Item]] = {}
    for item in items:
        by_track.setdefault(item.track, []).append(item)
    weeks = sorted(pregnancy_weeks)
    months = sorted(child_months)

    for ref in refs:
        code = f"{TrackCode.of(ref.track)}{ref.ref_id}"
        age = (planner.today - ref.anchor).days
        for item in by_track.get(ref.track, []):
            if item.end_day < age:  # its window closed before today: nothing of it goes (the cheap test first)
                continue
            if item.applies_to(ref):
                _plan_item(planner, ref, code, item, states.get(state_key(ref, item.id)))
        if ref.track == Track.PREGNANCY:
            for week in weeks:  # in order: once one is far, so are the rest
                day = ref.anchor + timedelta(weeks=week)
                if day + GUIDANCE_VALID < planner.today:
                    continue
                if not planner.matters(day, day + GUIDANCE_VALID):
                    break
                start = planner.at(day, MORNING)
                planner.offer(
                    Planned(f"guide:{code}:w{week}", OutboxKind.GUIDANCE, "guidance.pregnancy", start, {"ref": ref.ref_id, "week": week}),
                    start + GUIDANCE_VALID,
                )
        elif ref.track == Track.CHILD:
            long_past = (planner.today - GUIDANCE_VALID - ref.anchor).days  # a month has 31 days at most:
            for month in months:  # in order: once one is far, so are the rest
                if 31 * month < long_past:  # then its day is before today - GUIDANCE_VALID (no add_months needed)
                    continue
                day = add_months(ref.anchor, month)
                if day + GUIDANCE_VALID < planner.today:
                    continue
                if not planner.matters(day, day + GUIDANCE_VALID):
                    break
                start = planner.at(day, MORNING)
                planner.offer(
                    Planned(f"guide:{code}:m{month}", OutboxKind.GUIDANCE, "guidance.child", start, {"ref": ref.ref_id, "month": month}),
                    start + GUIDANCE_VALID,
                )

    for appointment in appointments:
        _plan_appointment(planner, appointment)
    _plan_checks(planner, checks)

    if planner.beyond:  # what was skipped as far comes later than this (so it counts as this, not nothing)
        planner.later.append(now + horizon + LONGEST_WAIT)
    next_plan_at = min(planner.later, default=now + LONGEST_WAIT) - horizon
    next_plan_at = min(max(next_plan_at, now + timedelta(hours=1)), now + LONGEST_WAIT)
    return Plan(messages=planner.planned, next_plan_at=next_plan_at)


def _plan_checks(planner: _Planner, checks: Sequence[Check]) -> None:
    """Self-check invitations: one message a day listing every check due that day (not four messages in
    a minute), and one nudge two days later listing those she has not begun. A check whose questionnaire
    comes again for the same person by its nudge day gets no nudge: she never has two invitations of
    one questionnaire waiting. Keys are per person and day, so a re-plan never sends a day twice."""
    ordered = sorted(checks, key=lambda c: c.due)  # stable: same-day checks keep file order
    asks: dict[date, list[Check]] = {}
    nudges: dict[date, list[Check]] = {}
    for check in ordered:
        asks.setdefault(check.due, []).append(check)
        nudge_day = check.due + CHECK_NUDGE_AFTER
        comes_again = any(
            other.params["q"] == check.params["q"] and other.params["code"] == check.params["code"]
            and check.due < other.due <= nudge_day
            for other in ordered
        )
        if not comes_again:
            nudges.setdefault(nudge_day, []).append(check)
    owner = planner.spread_key
    for day, group in asks.items():
        ask = planner.at(day, MORNING)
        planner.offer(
            Planned(f"checks:{owner}:{day.isoformat()}:ask", OutboxKind.CHECK, "check.invite", ask, _group_params(group)),
            ask + CHECK_VALID,
        )
    for day, group in nudges.items():
        nudge = planner.at(day, MORNING)
        planner.offer(
            Planned(f"checks:{owner}:{day.isoformat()}:nudge", OutboxKind.CHECK, "check.nudge", nudge, _group_params(group)),
            nudge + CHECK_NUDGE_VALID,
        )


def _group_params(group: Sequence[Check]) -> dict[str, Any]:
    return {"checks": [{**check.params, "due": check.due.isoformat()} for check in group]}


def _plan_item(planner: _Planner, ref: TrackRef, code: str, item: Item, state: ItemState | None) -> None:
    if state is not None and state.status in ANSWERED:
        return
    opens, closes = item_window(item, ref)
    snoozed = state is not None and state.status == CareStatus.SNOOZED and state.snoozed_until is not None
    # Its messages go from the heads-up (or her "later") up to the window's close:
    if not snoozed and not planner.matters(opens - HEADS_UP, closes):
        return
    if snoozed and closes < planner.today:
        return
    closes_at = planner.at(closes, planner.window[1], spread=False)
    params = {"track": ref.track, "ref": ref.ref_id, "item": item.id, "opens": opens.isoformat(), "closes": closes.isoformat()}
    key = f"care:{code}:{item.id}"
    if snoozed:
        assert state is not None and state.snoozed_until is not None
        until = state.snoozed_until
        planner.offer(
            Planned(f"{key}:later:{until.date().isoformat()}", OutboxKind.REMINDER, "care.nudge", until, params), closes_at
        )
        return
    opens_at = planner.at(opens, time(0), spread=False)
    planner.offer(Planned(f"{key}:soon", OutboxKind.REMINDER, "care.heads_up", planner.at(opens - HEADS_UP, MORNING), params), opens_at)
    nudge_day = opens + min(NUDGE_AFTER, (closes - opens) / 2)
    planner.offer(Planned(f"{key}:nudge", OutboxKind.REMINDER, "care.nudge", planner.at(nudge_day, MORNING), params), closes_at)


def _plan_appointment(planner: _Planner, appointment: Appointment) -> None:
    starts = planner.at(appointment.on_date, appointment.at_time or time(9, 0), spread=False)
    key = f"appt:{appointment.id}:{appointment.on_date.isoformat()}:{appointment.at_time or ''}"
    params = {"appointment": appointment.id}
    eve = planner.at(appointment.on_date - timedelta(days=1), EVENING_BEFORE, spread=False)
    planner.offer(Planned(f"{key}:eve", OutboxKind.APPOINTMENT, "appointment.eve", eve, params), starts)
    if appointment.at_time is not None:
        soon = starts - BEFORE_APPOINTMENT
        if in_window(soon, planner.tz, planner.window):
            planner.offer(
                Planned(f"{key}:soon", OutboxKind.APPOINTMENT, "appointment.soon", soon, params), starts, respect_window=False
            )

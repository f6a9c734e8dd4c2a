"""A nurse's day: the rules for newborns and overdue visits, and the Telegram text (short, escaped,
in local time, always within one message)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import ManualClock, local_today
from bot.content.care import care_item
from bot.domain import today as rules
from bot.domain.calendar import Track
from bot.domain.caseload import Standing, utf16_len
from bot.i18n import make_i18n
from bot.services.care import CalendarEntry
from bot.services.today import Listed, MissedCheck, Newborn, NurseDay, OverdueVisit, WaitingQuestion
from bot.views.today import today_keyboard, today_text
from db.today import DayAlert, DayAppointment

ALMATY = ZoneInfo("Asia/Almaty")
TODAY = date(2026, 11, 24)
# 00:30 in Almaty is still the 23rd in UTC: "today" is the local date.
HALF_PAST_MIDNIGHT = datetime(2026, 11, 24, 0, 30, tzinfo=ALMATY).astimezone(UTC)


def test_today_is_the_local_date_at_half_past_midnight() -> None:
    assert HALF_PAST_MIDNIGHT.date() == date(2026, 11, 23)
    assert local_today(ManualClock(HALF_PAST_MIDNIGHT), ALMATY) == TODAY


def test_newborns_and_this_week() -> None:
    assert rules.is_newborn(TODAY, TODAY) and rules.is_newborn(TODAY - timedelta(days=28), TODAY)
    assert not rules.is_newborn(TODAY - timedelta(days=29), TODAY)
    assert not rules.is_newborn(TODAY + timedelta(days=1), TODAY)  # a date in the future is not a baby yet
    assert rules.just_born(TODAY - timedelta(days=7), TODAY) and not rules.just_born(TODAY - timedelta(days=8), TODAY)
    # A window overlapping today … today + 6.
    assert rules.due_this_week(TODAY + timedelta(days=6), TODAY + timedelta(days=9), TODAY)
    assert not rules.due_this_week(TODAY + timedelta(days=7), TODAY + timedelta(days=9), TODAY)
    assert rules.due_this_week(TODAY - timedelta(days=3), TODAY, TODAY)
    assert not rules.due_this_week(TODAY - timedelta(days=3), TODAY - timedelta(days=1), TODAY)


def test_overdue_visits_are_recent_and_hers_to_miss() -> None:
    registered = TODAY - timedelta(days=100)
    assert rules.overdue(TODAY - timedelta(days=1), TODAY, registered)
    assert rules.overdue(TODAY - timedelta(days=30), TODAY, registered)
    assert not rules.overdue(TODAY - timedelta(days=31), TODAY, registered)  # history, not today's work
    assert not rules.overdue(TODAY, TODAY, registered)  # closes today: still open
    # Closed on or before the day she registered: never hers to miss.
    assert not rules.overdue(TODAY - timedelta(days=5), TODAY, TODAY - timedelta(days=5))


def _visit(opens: date, closes: date, standing: Standing) -> CalendarEntry:
    item = care_item("patronage_child_2")
    assert item is not None
    return CalendarEntry(Track.CHILD, 1, item, "Alikhan", opens, closes, standing)


def busy_day(n: int, name: str = "Aigerim <b>") -> NurseDay:
    at = HALF_PAST_MIDNIGHT
    visit = _visit(TODAY - timedelta(days=2), TODAY + timedelta(days=1), Standing.UPCOMING)
    late = _visit(TODAY - timedelta(days=9), TODAY - timedelta(days=3), Standing.MISSED)
    return NurseDay(
        on=TODAY,
        at=at,
        open_alerts=Listed(n, tuple(DayAlert(i, 100 + i, f"{name}{i}", "urgent", at - timedelta(minutes=40), i % 2 == 1)
                                    for i in range(min(n, 20)))),
        questions=Listed(n, tuple(WaitingQuestion(i, 200 + i, f"{name}{i}", at - timedelta(hours=26, minutes=5),
                                                  timedelta(hours=26, minutes=5)) for i in range(min(n, 20)))),
        newborns=Listed(n, tuple(Newborn(300 + i, f"{name}{i}", "Ali & <i>", TODAY - timedelta(days=4), visit)
                                 for i in range(min(n, 20)))),
        overdue_visits=Listed(n, tuple(OverdueVisit(400 + i, f"{name}{i}", late) for i in range(min(n, 20)))),
        missed_checks=Listed(n, tuple(MissedCheck(500 + i, f"{name}{i}", "phq2", TODAY - timedelta(days=3))
                                      for i in range(min(n, 20)))),
        appointments=Listed(n, tuple(DayAppointment(i, 600 + i, f"{name}{i}", "Ultrasound <x>", "10:30", None, 1,
                                                    "coming" if i == 0 else None) for i in range(min(n, 20)))),
        # Her own families: all but the first alert's (an alert sent to her about a colleague's family).
        own=frozenset(range(101, 700)),
    )


def test_the_text_of_a_day_escapes_names_and_says_local_times() -> None:
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        text = today_text(busy_day(2), ALMATY, "en")
        keyboard = today_keyboard(busy_day(2))
    assert "<b>Your day, 24.11.2026</b>" in text
    assert "Aigerim &lt;b&gt;0" in text and "Aigerim <b>0" not in text
    assert "Ali &amp; &lt;i&gt;" in text and "Ultrasound &lt;x&gt;" in text
    assert "🚨 <b>Open alerts: 2</b>" in text
    assert "23.11.2026 23:50" in text  # raised 40 minutes before 00:30 local
    assert "nobody has taken it yet" in text and "taken by you, no outcome yet" in text
    assert "waiting 26 h 05 min" in text
    assert "10:30" in text and "✅ she will come" in text and "⏳ no answer yet" in text
    assert "home visit 22.11.2026 – 25.11.2026" in text
    assert "window closed 21.11.2026" in text
    assert keyboard is not None
    names = [button.text for row in keyboard.inline_keyboard for button in row]
    # The first alert's family is a colleague's (sent on to her): named, but no button to a card not hers.
    assert names[:2] == ["Aigerim <b>1", "Aigerim <b>0"] and len(names) <= 8
    datas = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert not any(data is not None and data.startswith("fam:open:100:") for data in datas)


def test_a_huge_day_stays_within_one_telegram_message() -> None:
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        text = today_text(busy_day(5000, name="Айгерим Нұрланқызы Сейітқалиева-" * 2), ALMATY, "en")
    assert utf16_len(text) <= 4000
    assert "… and 4995 more" in text and "… and 4996 more" in text
    assert "Open alerts: 5000" in text and "Did not answer a check: 5000" in text


def test_an_empty_day_says_so_kindly() -> None:
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        day = NurseDay(TODAY, HALF_PAST_MIDNIGHT)
        text = today_text(day, ALMATY, "en")
        assert day.quiet and today_keyboard(day) is None
    assert "Nothing is waiting for you today" in text and "Have a good day" in text

"""The mother's side, pure parts: the registration states follow the Step list (and keep the names
stored flows carry), and /calendar's text is built from the calendar's data alone."""

from __future__ import annotations

from datetime import date

from bot.content.care import care_item
from bot.domain.calendar import Track, TrackCode
from bot.domain.caseload import Standing
from bot.domain.flow import Step
from bot.i18n import make_i18n
from bot.services.care import CalendarEntry
from bot.views.calendar import calendar_text
from db.care import AppointmentRecord
from handlers.steps import Flow, state_for, step_of


def test_one_state_per_question_named_as_stored_flows_are() -> None:
    questions = [step for step in Step if step is not Step.APPLY]
    assert Flow.__state_names__ == tuple(f"Flow:{step.value}" for step in questions)
    for step in questions:
        assert state_for(step).state == f"Flow:{step.value}"
        assert step_of(state_for(step).state) is step
    assert step_of(None) is None and step_of("AppointmentFlow:what") is None


def test_a_track_and_its_letter_go_both_ways() -> None:
    assert [TrackCode.of(code.track) for code in TrackCode] == list(TrackCode)
    assert [str(TrackCode.of(track)) for track in Track] == ["p", "c", "l"]


def _entry(item_id: str, standing: Standing, opens: date, closes: date) -> CalendarEntry:
    item = care_item(item_id)
    assert item is not None and item.track is Track.PREGNANCY
    return CalendarEntry("pregnancy", 1, item, None, opens, closes, standing)


def test_calendar_text_from_entries_and_appointments() -> None:
    entries = [
        _entry("anc_12w", Standing.DONE, date(2026, 3, 1), date(2026, 3, 20)),
        _entry("us_first_trimester", Standing.UPCOMING, date(2026, 5, 1), date(2026, 5, 20)),  # guidance, not official
        _entry("anc_20w", Standing.SKIPPED, date(2026, 6, 1), date(2026, 6, 10)),
    ]
    appointments = [AppointmentRecord(1, 7, "Ultrasound <3D>", date(2026, 4, 2), "14:30", "Room 5", None)]
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        text = calendar_text(entries, appointments, "en")
        title = entries[1].item.title("en")
    lines = text.split("\n")
    assert lines[:2] == ["<b>Your care calendar</b>", ""]
    assert "• 02.04.2026, 14:30: Ultrasound &lt;3D&gt;" in lines  # the place is not shown here
    assert f"• 01.05.2026 – 20.05.2026: {title} *" in lines
    assert "* Usual timing, not an official date: please check with your polyclinic." in lines
    assert lines[lines.index("<b>Done</b>") + 1].startswith("✅ ")
    assert lines[-1] == "Add your own appointment: /appointments"


def test_an_empty_calendar_says_so() -> None:
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        text = calendar_text([], [], "en")
    assert "Nothing in the next months." in text
    assert "<b>Your appointments</b>" not in text and "<b>Done</b>" not in text


def test_a_role_pressed_twice_stays_as_she_asked() -> None:
    """The roles' buttons say ticked or not: a press handled twice (after a worker was killed) changes nothing more."""
    from bot.domain.flow import Role, toggle_role

    once = toggle_role([], Role.PLANNING, on=True)
    assert once == ["planning"]
    assert toggle_role(once, Role.PLANNING, on=True) == ["planning"]
    assert toggle_role(["planning", "parent"], Role.PREGNANT, on=True) == ["pregnant", "parent"]  # still exclusive
    assert toggle_role(["parent"], Role.PLANNING, on=False) == ["parent"]
    assert toggle_role(["planning"], Role.PLANNING) == []  # without `on`: the other way round

"""The nurse's day's rules, without Telegram or a database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.caseload import (
    ASSESSED,
    RISKS,
    Section,
    Standing,
    VisitSlot,
    fit_card,
    known,
    name_variants,
    phone_fragment,
    progress,
    standing,
    text_problem,
    toggle,
    utf16_len,
    visit_slot,
)

TODAY = date(2026, 11, 24)


def more(n: int) -> str:
    return f"… and {n} more"


# --- multi-select --------------------------------------------------------------------------------

def test_toggle_adds_and_removes_and_keeps_the_buttons_order() -> None:
    chosen = toggle([], "mood", ASSESSED)
    chosen = toggle(chosen, "mother", ASSESSED)
    assert chosen == ["mother", "mood"]
    assert toggle(chosen, "mood", ASSESSED) == ["mother"]


def test_a_press_that_says_ticked_or_not_can_come_twice() -> None:
    """A worker killed before it noted the press done: the press is handled again, and changes nothing more."""
    chosen = toggle(["mother"], "mood", ASSESSED, on=True)
    assert toggle(chosen, "mood", ASSESSED, on=True) == ["mother", "mood"]
    assert toggle(toggle(chosen, "mother", ASSESSED, on=False), "mother", ASSESSED, on=False) == ["mood"]


def test_an_unknown_or_forged_code_changes_nothing() -> None:
    assert toggle(["social"], "made_up", RISKS) == ["social"]
    assert toggle(["made_up", "social"], "depression", RISKS) == ["social", "depression"]
    assert known(["violence", "violence", "x", "social"], RISKS) == ["social", "violence"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("   ", "empty"), ("/start", "command"), (" /plan", "command"), ("x" * 201, "too_long"), ("x" * 200, None)],
)
def test_what_a_typed_text_may_be(text: str, problem: str | None) -> None:
    assert text_problem(text, 200) == problem


# --- where an item stands ------------------------------------------------------------------------

def test_standing_of_an_item() -> None:
    assert standing("done", TODAY - timedelta(days=30), TODAY) is Standing.DONE
    assert standing("not_for_me", TODAY + timedelta(days=3), TODAY) is Standing.SKIPPED
    assert standing(None, TODAY, TODAY) is Standing.UPCOMING  # its last day is still today
    assert standing("snoozed", TODAY - timedelta(days=1), TODAY) is Standing.MISSED
    assert standing("appointment", TODAY + timedelta(days=1), TODAY) is Standing.UPCOMING


# --- which patronage visit a home visit stands for -----------------------------------------------

def slot(key: str, opens: int, closes: int) -> VisitSlot[str]:
    return VisitSlot(key, TODAY + timedelta(days=opens), TODAY + timedelta(days=closes))


def test_a_visit_inside_a_window_counts_for_the_earliest_open_one() -> None:
    slots = [slot("second", -2, 10), slot("first", -5, 1), slot("later", 20, 30)]
    assert visit_slot(slots, TODAY).key == "first"  # type: ignore[union-attr]


def test_a_late_visit_counts_for_the_visit_that_closed_last() -> None:
    slots = [slot("long_ago", -90, -60), slot("just_missed", -20, -3), slot("far_ahead", 40, 50)]
    assert visit_slot(slots, TODAY).key == "just_missed"  # type: ignore[union-attr]


def test_an_early_visit_counts_for_one_opening_within_two_weeks_if_nearer_than_a_missed_one() -> None:
    assert visit_slot([slot("soon", 5, 10), slot("missed", -40, -30)], TODAY).key == "soon"  # type: ignore[union-attr]
    assert visit_slot([slot("soon", 10, 12), slot("missed", -5, -2)], TODAY).key == "missed"  # type: ignore[union-attr]
    assert visit_slot([slot("too_far", 15, 20)], TODAY) is None  # an extra visit
    assert visit_slot([], TODAY) is None


# --- finding a family by phone -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("+7 701 123 45 67", "7011234567"),
        ("87011234567", "7011234567"),
        ("77011234567", "7011234567"),
        ("8 (701) 123-45-67", "7011234567"),
        ("+7 701", "701"),
        ("8701 12", "70112"),
        ("701 123", "701123"),
        ("45 67", "4567"),
        ("123", "123"),
    ],
)
def test_phone_digits_ignore_spaces_and_the_plus_7_and_8_prefixes(typed: str, digits: str) -> None:
    assert phone_fragment(typed) == digits


@pytest.mark.parametrize("typed", ["12", "+7", "Aigerim", "701a", "", "1" * 70])
def test_too_few_digits_or_letters_are_not_a_phone_search(typed: str) -> None:
    assert phone_fragment(typed) is None


def test_name_search_looks_for_the_usual_cases_of_a_cyrillic_name() -> None:
    forms = name_variants("  айгерим  ")
    assert "айгерим" in forms and "Айгерим" in forms and "АЙГЕРИМ" in forms
    assert len(forms) == len(set(forms))
    assert name_variants("   ") == ()


def test_progress_counts_done_goals() -> None:
    assert progress([True, False, True]) == progress(iter([False, True, True]))
    assert (progress([True, False]).done, progress([True, False]).total) == (1, 2)
    assert (progress([]).done, progress([]).total) == (0, 0)


# --- fitting a card ------------------------------------------------------------------------------

def test_a_short_card_is_left_as_it_is() -> None:
    text = fit_card(["Head"], [Section("<b>List</b>", ("• a", "• b")), Section("Empty", ())], more)
    assert text == "Head\n\n<b>List</b>\n• a\n• b"


def test_a_list_shown_in_part_says_how_many_more() -> None:
    text = fit_card(["Head"], [Section("L", ("• a", "• b"), hidden=3)], more)
    assert text.endswith("• b\n… and 3 more")


def test_the_longest_list_is_cut_first_and_each_keeps_its_minimum() -> None:
    long = Section("Long", tuple(f"• item {n:02d} " + "x" * 80 for n in range(30)))
    short = Section("Short", tuple(f"• s{n}" for n in range(3)), keep=3)
    text = fit_card(["Head"], [short, long], more, limit=1000)
    assert utf16_len(text) <= 1000
    assert "• s0\n• s1\n• s2" in text  # kept whole
    shown = [line for line in text.split("\n") if line.startswith("• item")]
    assert 1 <= len(shown) < 30 and text.endswith(more(30 - len(shown)))


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    note = Section("Note", ("🙂" * 600,))
    items = Section("Items", tuple(f"• {n}" for n in range(100)))
    text = fit_card(["Head"], [note, items], more, limit=1500)
    assert "🙂" * 600 in text and utf16_len(text) == len(text) + 600  # each emoji weighs two
    assert 1450 < utf16_len(text) <= 1500  # cut to fit by Telegram's count, not by characters


def test_when_nothing_can_be_cut_whole_lines_go_from_the_end() -> None:
    text = fit_card(["Head", "x" * 50, "y" * 50], [], more, limit=60)
    assert text == "Head\n" + "x" * 50

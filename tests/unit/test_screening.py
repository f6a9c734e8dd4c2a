"""Scoring, answering and scheduling rules for the self-screening questionnaires, against the reference."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.care import Track
from bot.content.common import LANGUAGES
from bot.content.questionnaires import Condition, Questionnaire, ScheduleEntry, parse_questionnaires, questionnaire
from bot.domain.screening import (
    Answers,
    Band,
    Result,
    ScheduledCheck,
    advice,
    fits,
    is_positive,
    next_question,
    previous_question,
    progress,
    scheduled_checks,
    score,
    toggle_option,
    validate_answer,
)
from tests.unit.questionnaire_sample import TINY  # a small valid file, to vary

DANGER = ("danger_preg", "danger_post", "danger_newborn", "danger_child")
DEV = ("dev_2m", "dev_4m", "dev_6m", "dev_9m", "dev_12m", "dev_18m", "dev_24m", "dev_36m", "dev_48m")


def _q(questionnaire_id: str) -> Questionnaire:
    found = questionnaire(questionnaire_id)
    assert found is not None, questionnaire_id
    return found


def _totalling(q: Questionnaire, total: int, *, spare_last: bool = False) -> dict[str, tuple[str, ...]]:
    """Answers (0–3 each) adding up to ``total``, filling the counted questions in order; ``spare_last``
    keeps the safety items at 0 (PHQ-9 item 9 and the question about harming the baby)."""
    answers: dict[str, tuple[str, ...]] = {}
    left = total
    safety = {question.id for question in q.questions if any(o.self_harm or o.harm_baby for o in question.options)}
    fillable = [question for question in q.questions if question.in_total and not (spare_last and question.id in safety)]
    for question in q.questions:
        value = min(3, left) if question in fillable else 0
        left -= value
        answers[question.id] = (str(value),)
    assert left == 0, "total out of reach"
    return answers


def _all(q: Questionnaire, option_id: str) -> dict[str, tuple[str, ...]]:
    return {question.id: (option_id,) for question in q.questions}


# --- PHQ and GAD ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "label"),
    [
        (0, Band.NONE, "minimal"), (4, Band.NONE, "minimal"),
        (5, Band.MODERATE, "mild"), (9, Band.MODERATE, "mild"),
        (10, Band.HIGH, "moderate"), (14, Band.HIGH, "moderate"),
        (15, Band.HIGH, "mod_severe"), (19, Band.HIGH, "mod_severe"),
        (20, Band.HIGH, "severe"), (24, Band.HIGH, "severe"),
    ],
)
def test_phq9_band_edges(total: int, band: Band, label: str) -> None:
    result = score(_q("phq9"), _totalling(_q("phq9"), total, spare_last=True))
    assert (result.total, result.band, result.label) == (total, band, label)
    assert not result.self_harm and result.triggers == () and result.step_to is None
    assert not result.share_needs_consent


def test_phq9_item9_is_urgent_whatever_the_total() -> None:
    phq9 = _q("phq9")
    answers = _all(phq9, "0") | {"phq_9": ("1",)}
    result = score(phq9, answers)
    assert result == Result(
        questionnaire_id="phq9", band=Band.URGENT, total=1, label="minimal", triggers=(("phq_9", "1"),),
        self_harm=True, harm_baby=False, step_to=None, share_needs_consent=False,
    )
    highest = score(phq9, _all(phq9, "3"))
    assert (highest.total, highest.band, highest.label, highest.self_harm) == (27, Band.URGENT, "severe", True)
    # She is shown the supportive text with crisis numbers only: no score, no band text.
    for lang in LANGUAGES:
        (text,) = advice(phq9, result, lang)
        assert text == phq9.self_harm_advice(lang)
        assert "112" in text and "1/27" not in text


def test_phq2_steps_to_phq9_at_3() -> None:
    phq2 = _q("phq2")
    safe = {"phq_9": ("0",), "harm_baby": ("0",)}  # Step 6: every mood check asks them
    below = score(phq2, {"phq_1": ("1",), "phq_2": ("1",)} | safe)
    at = score(phq2, {"phq_1": ("0",), "phq_2": ("3",)} | safe)
    assert (below.total, below.band, below.step_to, below.label) == (2, Band.NONE, None, "negative")
    assert (at.total, at.band, at.step_to, at.label) == (3, Band.NONE, "phq9", "positive")
    assert not is_positive(below) and is_positive(at)


def test_stepping_keeps_the_answers_given() -> None:
    phq9 = _q("phq9")
    given = {"phq_1": ("2",), "phq_2": ("1",), "phq_9": ("0",), "harm_baby": ("0",)}
    question = next_question(phq9, given)
    assert question is not None and question.id == "phq_3"
    assert progress(phq9, given) == (3, 10)


@pytest.mark.parametrize(
    ("total", "band", "label"),
    [
        (4, Band.NONE, "minimal"), (5, Band.MODERATE, "mild"), (9, Band.MODERATE, "mild"),
        (10, Band.HIGH, "moderate"), (14, Band.HIGH, "moderate"), (15, Band.HIGH, "severe"),
        (21, Band.HIGH, "severe"),
    ],
)
def test_gad7_band_edges(total: int, band: Band, label: str) -> None:
    result = score(_q("gad7"), _totalling(_q("gad7"), total))
    assert (result.total, result.band, result.label, result.self_harm) == (total, band, label, False)


def test_gad2_steps_to_gad7_at_3() -> None:
    gad2 = _q("gad2")
    assert score(gad2, _totalling(gad2, 2)).step_to is None
    assert score(gad2, _totalling(gad2, 3)).step_to == "gad7"
    assert score(gad2, _totalling(gad2, 6)).band is Band.NONE


def test_sum_advice_by_band() -> None:
    gad7 = _q("gad7")
    for total, band in ((0, Band.NONE), (7, Band.MODERATE), (12, Band.HIGH)):
        result = score(gad7, _totalling(gad7, total))
        assert advice(gad7, result, "en") == (gad7.advice(band, "en"),)
    # Step 6: the data says no "your nurse will contact you"; the bot adds who was really told.
    assert "nurse will contact you" not in gad7.advice(Band.HIGH, "en")
    assert "health workers who look after your family" in gad7.advice(Band.MODERATE, "en")


# --- danger checklists ----------------------------------------------------------------------


@pytest.mark.parametrize("qid", DANGER)
def test_danger_none_is_none(qid: str) -> None:
    result = score(_q(qid), {"signs": ("none",)})
    assert (result.band, result.triggers, result.total, result.label, result.self_harm) == (
        Band.NONE, (), None, None, False)


@pytest.mark.parametrize("qid", DANGER)
def test_danger_any_single_sign_is_urgent(qid: str) -> None:
    q = _q(qid)
    signs = [o for o in q.questions[0].options if not o.exclusive]
    assert len(signs) >= 5
    for sign in signs:
        result = score(q, {"signs": (sign.id,)})
        assert result.band is Band.URGENT, (qid, sign.id)
        assert result.triggers == (("signs", sign.id),), (qid, sign.id)
        assert result.self_harm is (sign.id == "harm"), (qid, sign.id)
        assert not result.share_needs_consent


def test_danger_several_signs_in_option_order_and_advice() -> None:
    q = _q("danger_preg")
    result = score(q, {"signs": ("harm", "fever", "bleed")})
    assert result.triggers == (("signs", "bleed"), ("signs", "fever"), ("signs", "harm"))
    assert result.band is Band.URGENT and result.self_harm
    # A physical danger sign comes first (act now), then the self-harm support.
    assert advice(q, result, "ru") == (q.advice(Band.URGENT, "ru"), q.self_harm_advice("ru"))
    only_harm = score(q, {"signs": ("harm",)})
    assert advice(q, only_harm, "kk") == (q.self_harm_advice("kk"),)
    only_bleed = score(q, {"signs": ("bleed",)})
    assert advice(q, only_bleed, "en") == (q.advice(Band.URGENT, "en"),)


# --- safety, habits, development ------------------------------------------------------------


def test_safety_needs_consent_only_when_positive() -> None:
    safety = _q("safety")
    clear = score(safety, _all(safety, "no"))
    assert (clear.band, clear.share_needs_consent) == (Band.NONE, False)
    declined = score(safety, _all(safety, "skip"))
    assert (declined.band, declined.share_needs_consent) == (Band.NONE, False)
    afraid = score(safety, _all(safety, "no") | {"afraid": ("yes",)})
    assert (afraid.band, afraid.share_needs_consent, afraid.triggers) == (Band.HIGH, True, (("afraid", "yes"),))
    assert "111" in advice(safety, afraid, "kk")[0]


def test_habits_moderate_with_consent() -> None:
    habits = _q("habits")
    assert score(habits, _all(habits, "no")).band is Band.NONE
    result = score(habits, _all(habits, "no") | {"smoke_home": ("yes",), "alcohol": ("yes",)})
    assert (result.band, result.share_needs_consent) == (Band.MODERATE, True)
    assert result.triggers == (("smoke_home", "yes"), ("alcohol", "yes"))


@pytest.mark.parametrize("qid", DEV)
def test_development_red_flags(qid: str) -> None:
    q = _q(qid)
    typical = {question.id: ("yes" if question.id != "lost" else "no",) for question in q.questions}
    assert score(q, typical).band is Band.NONE
    for question in q.questions:
        flagged = next(o.id for o in question.options if o.positive)
        result = score(q, typical | {question.id: (flagged,)})
        # Step 6: one missed milestone alone is moderate (the card), a lost skill is high (the nurse).
        expected = Band.HIGH if any(o.serious for o in question.options) else Band.MODERATE
        assert (result.band, result.triggers) == (expected, ((question.id, flagged),)), (qid, question.id)
        assert not result.share_needs_consent and not result.self_harm
        if expected is Band.HIGH:
            assert "early intervention centre" in advice(q, result, "en")[0]


def test_development_questions_read_no_as_the_red_flag() -> None:
    q = _q("dev_2m")
    milestones = [question for question in q.questions if question.id != "lost"]
    missed = {question.id: ("no",) for question in milestones} | {"lost": ("no",)}
    assert score(q, missed).triggers == tuple((question.id, "no") for question in milestones)
    reached = {question.id: ("yes",) for question in milestones} | {"lost": ("no",)}
    assert score(q, reached).band is Band.NONE  # "lost skills" reads yes as the red flag


# --- answering: the gate for callback data --------------------------------------------------


def test_validate_answer_rejects_forged_and_malformed() -> None:
    preg, phq9 = _q("danger_preg"), _q("phq9")
    assert validate_answer(preg, "signs", ("bleed",))
    assert validate_answer(preg, "signs", ("bleed", "fever"))
    assert validate_answer(preg, "signs", ("none",))
    assert not validate_answer(preg, "signs", ("none", "bleed"))  # "none of these" stands alone
    assert not validate_answer(preg, "signs", ("bleed", "bleed"))
    assert not validate_answer(preg, "signs", ("bleed", "forged"))
    assert not validate_answer(preg, "signs", ())
    assert not validate_answer(preg, "nosuch", ("bleed",))
    assert not validate_answer(preg, "signs", "bleed")  # a string is not a tuple of ids
    assert validate_answer(phq9, "phq_9", ("0",))
    assert not validate_answer(phq9, "phq_9", ("0", "1"))  # multi on single
    assert not validate_answer(phq9, "phq_9", ("4",))
    assert not validate_answer(phq9, "signs", ("0",))


def test_toggle_option_keeps_none_exclusive() -> None:
    preg = _q("danger_preg")
    assert toggle_option(preg, "signs", (), "fever") == ("fever",)
    assert toggle_option(preg, "signs", ("fever",), "bleed") == ("bleed", "fever")  # option order
    assert toggle_option(preg, "signs", ("bleed", "fever"), "fever") == ("bleed",)
    assert toggle_option(preg, "signs", ("bleed", "fever"), "none") == ("none",)
    assert toggle_option(preg, "signs", ("none",), "dizzy") == ("dizzy",)
    assert toggle_option(_q("phq9"), "phq_1", ("1",), "2") == ("2",)
    with pytest.raises(ValueError):
        toggle_option(preg, "signs", (), "forged")


def test_a_tap_handled_twice_leaves_the_box_as_she_asked() -> None:
    """A worker killed after the tap was saved but before it noted the update done: the tap comes again."""
    preg = _q("danger_preg")
    ticked = toggle_option(preg, "signs", (), "fever", on=True)
    assert toggle_option(preg, "signs", ticked, "fever", on=True) == ("fever",)  # not taken away again
    unticked = toggle_option(preg, "signs", ("bleed", "fever"), "fever", on=False)
    assert toggle_option(preg, "signs", unticked, "fever", on=False) == ("bleed",)
    assert toggle_option(preg, "signs", ("none",), "fever", on=True) == ("fever",)  # signs and "none" still exclusive


def test_score_refuses_incomplete_or_invalid_answers() -> None:
    phq9 = _q("phq9")
    with pytest.raises(ValueError, match="phq_9"):
        score(phq9, {k: v for k, v in _all(phq9, "0").items() if k != "phq_9"})
    with pytest.raises(ValueError, match="signs"):
        score(_q("danger_preg"), {"signs": ("none", "bleed")})
    with pytest.raises(ValueError):
        score(phq9, {})
    # Answers to other questionnaires' questions are ignored.
    assert score(_q("phq2"), {"phq_1": ("0",), "phq_2": ("0",), "phq_9": ("0",), "harm_baby": ("0",),
                              "gad_1": ("3",)}).total == 0


def test_next_previous_progress() -> None:
    gad7 = _q("gad7")
    ids = [question.id for question in gad7.questions]
    empty: Answers = {}
    first = next_question(gad7, empty)
    assert first is not None and first.id == "gad_1" and progress(gad7, empty) == (1, 7)
    three = {"gad_1": ("0",), "gad_2": ("1",), "gad_3": ("2",)}
    current = next_question(gad7, three)
    assert current is not None and current.id == "gad_4" and progress(gad7, three) == (4, 7)
    # An invalid stored answer counts as unanswered.
    assert next_question(gad7, three | {"gad_1": ("9",)}).id == "gad_1"  # type: ignore[union-attr]
    back = previous_question(gad7, three, "gad_4")
    assert back is not None and back.id == "gad_3"
    assert previous_question(gad7, three, None).id == "gad_3"  # type: ignore[union-attr]
    assert previous_question(gad7, three, "gad_1") is None
    done = _all(gad7, "0")
    assert next_question(gad7, done) is None and progress(gad7, done) == (7, 7)
    assert previous_question(gad7, done, None).id == ids[-1]  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        previous_question(gad7, three, "forged")


# --- /check: which questionnaires fit now ---------------------------------------------------


def _fits(qid: str, *, preg: int | None = None, child: int | None = None, post: int | None = None) -> bool:
    return fits(_q(qid), pregnancy_day=preg, child_age_days=child, postpartum_day=post)


def test_fits_windows() -> None:
    assert _fits("danger_preg", preg=0) and _fits("danger_preg", preg=280)
    assert not _fits("danger_preg", post=3, child=3)
    assert _fits("danger_post", post=0) and _fits("danger_post", post=42) and not _fits("danger_post", post=43)
    assert not _fits("danger_post", child=10)  # about the mother: her postpartum day counts
    assert _fits("danger_newborn", child=59) and not _fits("danger_newborn", child=60)
    assert _fits("danger_child", child=60) and _fits("danger_child", child=1826)
    assert not _fits("danger_child", child=59)
    assert _fits("phq9", preg=100) and _fits("phq9", post=365) and not _fits("phq9", post=366)
    assert _fits("dev_2m", child=61) and _fits("dev_2m", child=121) and not _fits("dev_2m", child=60)
    assert not _fits("dev_2m", child=122) and _fits("dev_4m", child=122)
    assert _fits("dev_12m", child=365) and not _fits("dev_12m", child=426)
    assert _fits("safety", preg=10) and _fits("safety", post=1000)
    for qid in ("danger_preg", "phq2", "safety", "dev_12m"):
        assert not _fits(qid)  # nothing applies


# --- the schedule ---------------------------------------------------------------------------

ANCHOR = date(2026, 1, 1)


def _days(checks: list[ScheduledCheck], qid: str) -> list[int]:
    return [(c.due - ANCHOR).days for c in checks if c.questionnaire_id == qid]


def test_pregnancy_schedule() -> None:
    checks = scheduled_checks("pregnancy", ANCHOR)
    # Step 6: early pregnancy too (miscarriage, ectopic): week 8, then every 4 weeks, then weekly from 28.
    assert _days(checks, "danger_preg") == [56, 84, 112, 140, 168, 196, 203, 210, 217, 224, 231, 238, 245, 252,
                                            259, 266, 273, 280, 287, 294]
    assert _days(checks, "phq2") == [196] and _days(checks, "gad2") == [196]
    assert {c.questionnaire_id for c in checks} == {"danger_preg", "phq2", "gad2"}
    # Week 28: danger signs first, then mood, then anxiety; labels are stable day codes.
    assert [c for c in checks if c.due >= ANCHOR + timedelta(days=196)][:3] == [
        ScheduledCheck("danger_preg", "d196", ANCHOR + timedelta(days=196)),
        ScheduledCheck("phq2", "d196", ANCHOR + timedelta(days=196)),
        ScheduledCheck("gad2", "d196", ANCHOR + timedelta(days=196)),
    ]
    assert scheduled_checks("pregnancy", ANCHOR, mood_positive=True) == checks  # monthly mood is after birth


def test_child_schedule() -> None:
    birth = ANCHOR
    checks = scheduled_checks("child", birth)
    assert _days(checks, "danger_newborn") == [3, 7, 14, 28]
    assert _days(checks, "danger_post") == [7, 14, 21, 28, 35, 42]
    assert _days(checks, "phq2") == [14, 42]
    assert _days(checks, "gad2") == [42]
    assert [(c.questionnaire_id, (c.due - birth).days) for c in checks if c.questionnaire_id.startswith("dev")] == [
        ("dev_2m", 61), ("dev_4m", 122), ("dev_6m", 182), ("dev_9m", 274), ("dev_12m", 365), ("dev_18m", 547),
        ("dev_24m", 730), ("dev_36m", 1094), ("dev_48m", 1459),
    ]
    assert [c.due for c in checks] == sorted(c.due for c in checks)
    labels = [(c.questionnaire_id, c.occurrence) for c in checks]
    assert len(set(labels)) == len(labels) and ("danger_newborn", "d3") in labels


def test_monthly_mood_only_after_a_positive_result() -> None:
    assert _days(scheduled_checks("child", ANCHOR), "phq2") == [14, 42]
    positive = scheduled_checks("child", ANCHOR, mood_positive=True)
    assert _days(positive, "phq2") == [14, 42, 61, 91, 122, 152, 182]
    assert ("phq2", "d61") in [(c.questionnaire_id, c.occurrence) for c in positive]


def test_schedule_from_given_entries_and_other_tracks() -> None:
    entries = [
        ScheduleEntry("phq2", Track.CHILD, (30,), Condition.MOOD_POSITIVE),
        ScheduleEntry("danger_newborn", Track.CHILD, (30, 5), Condition.ALWAYS),
        ScheduleEntry("danger_preg", Track.PREGNANCY, (200,), Condition.ALWAYS),
    ]
    assert scheduled_checks("child", ANCHOR, schedule=entries) == [
        ScheduledCheck("danger_newborn", "d5", ANCHOR + timedelta(days=5)),
        ScheduledCheck("danger_newborn", "d30", ANCHOR + timedelta(days=30)),
    ]
    with_mood = scheduled_checks("child", ANCHOR, mood_positive=True, schedule=entries)
    assert [c.questionnaire_id for c in with_mood] == ["danger_newborn", "phq2", "danger_newborn"]
    assert scheduled_checks("planning", ANCHOR) == []
    with pytest.raises(ValueError):
        scheduled_checks("pregnant", ANCHOR)


def test_is_positive() -> None:
    phq9 = _q("phq9")
    assert not is_positive(score(phq9, _totalling(phq9, 4, spare_last=True)))
    assert is_positive(score(phq9, _totalling(phq9, 5, spare_last=True)))
    assert is_positive(score(phq9, _all(phq9, "0") | {"phq_9": ("1",)}))


def test_self_harm_reaches_the_nurse_even_in_a_private_questionnaire() -> None:
    private = parse_questionnaires(
        TINY.replace('positive_band = "urgent"', 'positive_band = "urgent"\nconsent_to_share = true')
    )
    tiny = private.get("tiny")
    assert tiny is not None and tiny.consent_to_share
    assert score(tiny, {"signs": ("bleed",)}).share_needs_consent
    harm = score(tiny, {"signs": ("harm",)})
    assert (harm.band, harm.self_harm, harm.share_needs_consent) == (Band.URGENT, True, False)
    assert not score(tiny, {"signs": ("none",)}).share_needs_consent


@settings(max_examples=200, deadline=None)
@given(track=st.sampled_from(("pregnancy", "child")), age=st.integers(-30, 6 * 366), mood_positive=st.booleans())
def test_the_planner_finds_the_checks_due_around_today_by_bisection(track: str, age: int, mood_positive: bool) -> None:
    from bot.services.calendar import checks_around

    today = date(2026, 11, 24)
    anchor = today - timedelta(days=age)
    expected = [
        (check.questionnaire_id, check.occurrence, check.due)
        for check in scheduled_checks(track, anchor, mood_positive=mood_positive)
        if today - timedelta(days=4) <= check.due <= today + timedelta(days=7)
    ]
    found = checks_around(track, anchor, today, mood_positive)
    assert [(q, occ, anchor + timedelta(days=day)) for day, q, occ in found] == expected

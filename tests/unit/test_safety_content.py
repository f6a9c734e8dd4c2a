"""Step 6, the clinical safety review, on the questionnaire data: no mother in danger is ever reassured.

Every option that names a danger sign is urgent and her advice names 103 or 112; thoughts of harming the
baby are their own option with their own advice; every mood check asks the self-harm question; one missed
milestone is moderate, a lost skill or two missed milestones high; statuses are honest."""

from __future__ import annotations

import pytest

from bot.content.common import LANGUAGES
from bot.content.questionnaires import Band, Scoring, Status, Topic, load_questionnaires, questionnaire
from bot.domain.screening import advice, next_question, score

CATALOG = load_questionnaires()
DANGER = [q for q in CATALOG if q.topic is Topic.DANGER]
DANGER_OPTIONS = [
    pytest.param(q, question, o, id=f"{q.id}:{o.id}")
    for q in DANGER for question in q.questions for o in question.options if not o.exclusive
]


def _q(qid: str):  # type: ignore[no-untyped-def]
    found = questionnaire(qid)
    assert found is not None
    return found


@pytest.mark.parametrize(("q", "question", "option"), DANGER_OPTIONS)
def test_every_danger_sign_alone_is_urgent_and_her_advice_names_103_or_112(q, question, option) -> None:  # type: ignore[no-untyped-def]
    answers = {qu.id: ((option.id,) if qu.id == question.id else (qu.options[-1].id,)) for qu in q.questions}
    result = score(q, answers)
    assert result.band is Band.URGENT
    for lang in LANGUAGES:
        said = " ".join(advice(q, result, lang))
        assert "103" in said or "112" in said, (q.id, option.id, lang)


def test_no_option_of_any_questionnaire_that_names_a_danger_sign_scores_below_urgent() -> None:
    """Walk every questionnaire: a danger checklist's every finding, any self-harm or harm-to-baby answer."""
    for q in CATALOG:
        for question in q.questions:
            for option in question.options:
                if q.topic is Topic.DANGER and not option.exclusive:
                    assert option.urgent or (option.positive and q.positive_band is Band.URGENT), (q.id, option.id)
                if option.self_harm or option.harm_baby:
                    assert option.urgent


@pytest.mark.parametrize(("qid", "added"), [
    ("danger_post", 5),  # fits, belly pain, dizziness/fainting, swelling of face or hands, harm to the baby
    ("danger_newborn", 3),  # yellow skin, the cord, blue lips or grunting
    ("danger_child", 5),  # fever under 3 months, stridor/indrawing, dehydration, stiff neck, rash
])
def test_the_checklists_gained_the_review_s_signs(qid: str, added: int) -> None:
    before = {"danger_post": 8, "danger_newborn": 8, "danger_child": 6}[qid]  # options incl. "none", Step 4
    assert len(_q(qid).questions[0].options) >= before + added


def test_preterm_labour_and_harm_to_the_baby_in_pregnancy() -> None:
    q = _q("danger_preg")
    ids = {o.id for o in q.questions[0].options}
    assert "harmbaby" in ids and len(ids) >= 14
    harm = q.questions[0].option("harm")
    assert harm is not None and harm.self_harm and not harm.harm_baby
    assert q.status is Status.SECONDARY


@pytest.mark.parametrize("qid", ["danger_preg", "danger_post"])
def test_thoughts_of_harming_the_baby_get_their_own_advice(qid: str) -> None:
    q = _q(qid)
    result = score(q, {"signs": ("harmbaby",)})
    assert result.band is Band.URGENT and result.harm_baby and not result.self_harm
    for lang in LANGUAGES:
        (text,) = advice(q, result, lang)
        assert text == q.harm_baby_advice(lang) and ("103" in text or "112" in text)


def test_every_mood_check_asks_the_self_harm_question_even_below_3() -> None:
    phq2 = _q("phq2")
    assert [question.id for question in phq2.questions][:3] == ["phq_1", "phq_2", "phq_9"]
    negative = {"phq_1": ("0",), "phq_2": ("0",), "phq_9": ("1",), "harm_baby": ("0",)}
    result = score(phq2, negative)
    assert result.band is Band.URGENT and result.self_harm
    assert result.step_to is None  # act now; no more questions first
    calm = score(phq2, {**negative, "phq_9": ("0",)})
    assert calm.band is Band.NONE and calm.total == 0 and phq2.max_total == 6  # PHQ-2's own total
    stepping = score(phq2, {**negative, "phq_1": ("2",), "phq_2": ("1",), "phq_9": ("0",)})
    assert stepping.step_to == "phq9"
    # Her answers carry into PHQ-9: it goes on with phq_3.
    phq9 = _q("phq9")
    carried = {k: v for k, v in {**negative, "phq_1": ("2",), "phq_2": ("1",), "phq_9": ("0",)}.items()}
    question = next_question(phq9, carried)
    assert question is not None and question.id == "phq_3" and phq9.max_total == 27


def test_harming_the_baby_in_a_mood_check_is_urgent() -> None:
    result = score(_q("phq2"), {"phq_1": ("0",), "phq_2": ("0",), "phq_9": ("0",), "harm_baby": ("2",)})
    assert result.band is Band.URGENT and result.harm_baby


DEVELOPMENT = [q for q in CATALOG if q.topic is Topic.DEVELOPMENT]


@pytest.mark.parametrize("q", DEVELOPMENT, ids=lambda q: q.id)
def test_one_missed_milestone_is_moderate_two_or_a_lost_skill_are_high(q) -> None:  # type: ignore[no-untyped-def]
    lost = q.question("lost")
    assert lost is not None, f"{q.id} must ask about lost skills"
    milestones = [question for question in q.questions if question.id != "lost"]

    def answers(missed: int, lost_skill: bool) -> dict[str, tuple[str, ...]]:
        picked = {question.id: ("no",) if i < missed else ("yes",) for i, question in enumerate(milestones)}
        return {**picked, "lost": ("yes",) if lost_skill else ("no",)}

    assert score(q, answers(0, False)).band is Band.NONE
    first = milestones[0].option("no")
    assert score(q, answers(1, False)).band is (Band.HIGH if first is not None and first.serious else Band.MODERATE)
    assert score(q, answers(2, False)).band is Band.HIGH
    assert score(q, answers(0, True)).band is Band.HIGH


@pytest.mark.parametrize("qid", ["phq2", "phq9", "gad2", "gad7"])
def test_our_kazakh_and_russian_phq_and_gad_are_marked_unvalidated(qid: str) -> None:
    q = _q(qid)
    assert {"kk", "ru"} <= q.unvalidated and q.scoring is Scoring.SUM


def test_no_advice_claims_who_was_told() -> None:
    """The bot adds the true line itself (her nurse by name, her polyclinic's or region's health workers,
    or nobody): the data must not say "we will let your nurse know"."""
    for q in CATALOG:
        for band in q.advices:
            text = q.advice(band, "en").lower()
            assert "let your nurse know" not in text and "your nurse will contact you" not in text, (q.id, band)
    for q in CATALOG:
        if q.has_self_harm:
            assert "nurse know" not in q.self_harm_advice("en").lower()


@pytest.mark.parametrize(("qid", "given"), [
    ("phq2", {"phq_1": ("0",), "phq_2": ("0",), "phq_9": ("3",)}),  # harm_baby not yet asked
    ("phq9", {"phq_1": ("2",), "phq_2": ("2",), "phq_9": ("1",)}),  # items 3–8 and the baby not yet asked
])
def test_a_self_harm_answer_ends_the_check_there_with_no_total(qid: str, given: dict[str, tuple[str, ...]]) -> None:
    """Outside review: she answered self-harm at question 3 of 4, then stopped, and nobody was told."""
    from bot.domain.screening import urgent_answer_given

    q = _q(qid)
    assert urgent_answer_given(q, given)
    result = score(q, given)
    assert result.band is Band.URGENT and result.self_harm and result.total is None and result.label is None
    with pytest.raises(ValueError):
        score(q, {"phq_1": ("0",)})  # no urgent answer: unfinished is unfinished


@pytest.mark.parametrize(("qid", "question_id"), [("dev_2m", "sounds"), ("dev_2m", "eyes"), ("dev_4m", "eyes"),
                                                   ("dev_9m", "name")])
def test_not_hearing_or_not_following_with_the_eyes_is_high_alone(qid: str, question_id: str) -> None:
    """Outside review: a baby who does not react to loud sounds needs a hearing check, not "practise it in play"."""
    q = _q(qid)
    answers = {question.id: ("yes",) for question in q.questions} | {"lost": ("no",), question_id: ("no",)}
    assert score(q, answers).band is Band.HIGH


def test_a_checklist_shows_only_the_signs_that_fit_her_stage() -> None:
    """Outside review: "baby moves less" offered at week 9, "tightening before 37 weeks" at week 39."""
    from bot.domain.screening import options_for

    signs = _q("danger_preg").questions[0]
    week = {n: n * 7 for n in (9, 20, 39)}
    assert "moves" not in {o.id for o in options_for(signs, week[9])}
    assert {"moves", "preterm"} <= {o.id for o in options_for(signs, week[20])}
    assert "preterm" not in {o.id for o in options_for(signs, week[39])} and "moves" in {o.id for o in options_for(signs, week[39])}
    assert len(options_for(signs, None)) == len(signs.options)  # an unknown stage shows everything
    child = _q("danger_child").questions[0]
    assert "fever3m" in {o.id for o in options_for(child, 70)} and "fever3m" not in {o.id for o in options_for(child, 100)}

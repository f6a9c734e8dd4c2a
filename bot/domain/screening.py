"""Self-screening: answering a questionnaire, scoring it, and when each one is due. Pure rules, no I/O.

The questionnaires are data (``bot/content/questionnaires.toml``); this module only applies them:

- Answers are ``{question id: chosen option ids}``; the next question is derived from them (as in
  registration), so "back", a restart or a carried-over answer all land on the right question.
- ``validate_answer`` is the gate for anything that came from a button: callback data is never trusted.
- Bands: a self-harm or red-flag option makes the result URGENT whatever the total; a flags questionnaire
  (checklists, yes/no red flags) is ``positive_band`` if any positive option is chosen, else NONE; a sum
  questionnaire takes the band of its total from the data.
- A positive short screen (PHQ-2/GAD-2 total ≥ step_at) keeps band NONE and sets ``step_to``: the screen
  itself alerts nobody, the full questionnaire does. Its answers carry over (same question ids). The
  planner still counts it as positive for the monthly mood re-check (``is_positive``), so a mother who
  stops half-way through PHQ-9 is asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import NamedTuple

from bot.content.questionnaires import (
    Audience,
    Band,
    Condition,
    Option,
    Question,
    Questionnaire,
    ScheduleEntry,
    Scoring,
    load_questionnaires,
)
from bot.domain.calendar import Track

__all__ = [
    "Answers",
    "Band",
    "Result",
    "ScheduledCheck",
    "SubjectCode",
    "SubjectKind",
    "advice",
    "fits",
    "is_positive",
    "next_question",
    "options_for",
    "previous_question",
    "progress",
    "schedule_days",
    "scheduled_checks",
    "score",
    "toggle_option",
    "urgent_answer_given",
    "validate_answer",
]

Answers = Mapping[str, tuple[str, ...]]  # question id -> chosen option ids (one for single, several for multi)


class SubjectKind(StrEnum):
    """Whom a self-check is about: the first letter of its subject code."""

    PREGNANCY = "p"  # her pregnancy (ref: the pregnancy's id)
    CHILD = "c"  # a child (ref: the child's id)
    MOTHER = "m"  # herself after a birth (ref: that birth's first child, so twins ask her once)


@dataclass(frozen=True, slots=True)
class SubjectCode:
    """Whom a check is about, as buttons and the planner's keys write it: "p12", "c7", "m7"."""

    kind: SubjectKind
    ref_id: int

    @property
    def track(self) -> Track:
        """The track it is counted on: herself after a birth is counted from the child's birth."""
        return Track.PREGNANCY if self.kind is SubjectKind.PREGNANCY else Track.CHILD

    def __str__(self) -> str:
        return f"{self.kind}{self.ref_id}"

    @classmethod
    def parse(cls, text: str) -> SubjectCode | None:
        """The code a button carried; None for anything else (callback data is never trusted)."""
        letter, digits = text[:1], text[1:]
        if letter not in set(SubjectKind) or not (digits.isascii() and digits.isdigit()):
            return None
        code = cls(SubjectKind(letter), int(digits))
        return code if str(code) == text else None  # one spelling each: "m07" is not m7


@dataclass(frozen=True)
class Result:
    questionnaire_id: str
    band: Band
    total: int | None  # sum-scored instruments; None for checklists and red-flag sets
    label: str | None  # for staff, an English code from the data, e.g. "mod_severe"
    triggers: tuple[tuple[str, str], ...]  # (question id, option id) that raised the band, in order
    self_harm: bool  # the safety pathway: never show her the score
    harm_baby: bool  # thoughts of harming the baby: urgent, with its own advice
    step_to: str | None  # continue with this questionnaire (phq2 → phq9)
    share_needs_consent: bool  # safety/habits: ask her before the nurse sees it (band != none, no self-harm)


def validate_answer(q: Questionnaire, question_id: str, option_ids: Sequence[str]) -> bool:
    """Whether ``option_ids`` is a complete, allowed answer to that question."""
    question = q.question(question_id)
    if question is None or isinstance(option_ids, str) or not option_ids:
        return False
    chosen = [question.option(option_id) for option_id in option_ids]
    if any(option is None for option in chosen) or len(set(option_ids)) != len(option_ids):
        return False
    if not question.multi:
        return len(option_ids) == 1
    # "None of these" stands alone.
    return len(option_ids) == 1 or not any(option is not None and option.exclusive for option in chosen)


def toggle_option(
    q: Questionnaire, question_id: str, selected: Sequence[str], option_id: str, on: bool | None = None
) -> tuple[str, ...]:
    """A checklist tap: add or remove ``option_id``; "none of these" and the signs replace each other.
    ``on``: the tap asks for the box ticked (True) or not (False), so the same tap twice leaves it as
    asked; None: the other way round.

    Returns the new selection in the question's option order. Raises ValueError for an unknown id.
    """
    question = q.question(question_id)
    option = question.option(option_id) if question is not None else None
    if question is None or option is None:
        raise ValueError(f"{q.id}: no option {option_id!r} in question {question_id!r}")
    if on is not None and (option_id in selected) == on:
        return tuple(o.id for o in question.options if o.id in selected)
    if option_id in selected:
        kept = set(selected) - {option_id}
    elif option.exclusive or not question.multi:
        kept = {option_id}
    else:
        exclusive = {o.id for o in question.options if o.exclusive}
        kept = (set(selected) - exclusive) | {option_id}
    return tuple(o.id for o in question.options if o.id in kept)


def options_for(question: Question, day: int | None) -> tuple[Option, ...]:
    """The options to show on this day of her subject (gestation day, or the child's age in days): a sign
    that cannot be yet or any more ("baby moves less" at week 9) is left out. Unknown day: all of them."""
    return tuple(
        option for option in question.options
        if option.days is None or day is None or option.days[0] <= day <= option.days[1]
    )


def _answered(q: Questionnaire, answers: Answers, question: Question) -> bool:
    chosen = answers.get(question.id)
    return chosen is not None and validate_answer(q, question.id, chosen)


def next_question(q: Questionnaire, answers: Answers) -> Question | None:
    """The first question without a valid answer, in order; None when she has answered them all."""
    return next((question for question in q.questions if not _answered(q, answers, question)), None)


def progress(q: Questionnaire, answers: Answers) -> tuple[int, int]:
    """(number of the current question, total), e.g. (3, 9); (total, total) once all are answered."""
    total = len(q.questions)
    current = next_question(q, answers)
    return (total if current is None else q.questions.index(current) + 1), total


def previous_question(q: Questionnaire, answers: Answers, current_id: str | None) -> Question | None:
    """The question before ``current_id`` (for "back"); None on the first one.

    ``current_id`` None means the current one is the next unanswered (the last one when all are answered,
    e.g. from a confirmation screen: "back" then reopens the last question).
    """
    if current_id is None:
        current = next_question(q, answers)
        if current is None:
            return q.questions[-1]
        current_id = current.id
    question = q.question(current_id)
    if question is None:
        raise ValueError(f"{q.id}: no question {current_id!r}")
    index = q.questions.index(question)
    return q.questions[index - 1] if index > 0 else None


def urgent_answer_given(q: Questionnaire, answers: Answers) -> bool:
    """Whether an answer already given is urgent whatever comes after (self-harm, harming the baby, a red
    flag): the questionnaire ends there and her help comes now, not after the remaining questions."""
    return any(
        option.urgent
        for question in q.questions
        if _answered(q, answers, question)
        for option in question.options
        if option.id in answers[question.id]
    )


def score(q: Questionnaire, answers: Answers) -> Result:
    """The result of a fully answered questionnaire — or of one ended early by an urgent answer
    (``urgent_answer_given``): then the questions after it stay unanswered, and there is no total.
    Raises ValueError if a question is unanswered otherwise.

    Answers to questions not in ``q`` are ignored. Triggers list, in question and option order: for a
    flags questionnaire every chosen positive, red-flag or self-harm option; for a sum questionnaire only
    the red-flag and self-harm ones (the total explains the rest).
    """
    missing = [question.id for question in q.questions if not _answered(q, answers, question)]
    ended_early = bool(missing) and urgent_answer_given(q, answers)
    if missing and not ended_early:
        raise ValueError(f"{q.id}: unanswered or invalid: {', '.join(missing)}")
    chosen = [
        (question, option)
        for question in q.questions
        if _answered(q, answers, question)
        for option in question.options
        if option.id in answers[question.id]
    ]
    self_harm = any(option.self_harm for _, option in chosen)
    harm_baby = any(option.harm_baby for _, option in chosen)
    total: int | None = None
    label: str | None = None
    step_to: str | None = None
    if q.scoring is Scoring.SUM:
        total = sum(option.score for question, option in chosen if question.in_total)
        rule = next(rule for rule in q.bands if rule.low <= total <= rule.high)  # bands cover 0..max_total
        band, label = rule.band, rule.label
        if q.step_at is not None and total >= q.step_at:
            step_to = q.step_to
        raising = [(qu, o) for qu, o in chosen if o.urgent]
    else:
        raising = [(qu, o) for qu, o in chosen if o.alerts]
        band = _flags_band(q, [o for _, o in raising if o.positive])
    if any(option.urgent for _, option in chosen):
        # Act now; the nurse assesses in person. Carrying on with PHQ-9 would only delay her alert.
        band, step_to = Band.URGENT, None
    if ended_early:
        total, label = None, None  # a part of the questions: no total to show anyone
    return Result(
        questionnaire_id=q.id,
        band=band,
        total=total,
        label=label,
        triggers=tuple((question.id, option.id) for question, option in raising),
        self_harm=self_harm,
        harm_baby=harm_baby,
        step_to=step_to,
        # Harm always reaches the nurse; other findings of a private questionnaire only if she agrees.
        share_needs_consent=q.consent_to_share and band is not Band.NONE and not (self_harm or harm_baby),
    )


def _flags_band(q: Questionnaire, findings: Sequence[Option]) -> Band:
    """A checklist's band: none; `positive_band` for a finding; `serious_band` for a serious one or for
    `serious_count` findings together (one missed milestone is moderate, a lost skill or two are high)."""
    if not findings or q.positive_band is None:
        return Band.NONE
    if q.serious_band is not None and (
        any(o.serious for o in findings) or (q.serious_count is not None and len(findings) >= q.serious_count)
    ):
        return q.serious_band
    return q.positive_band


def advice(q: Questionnaire, result: Result, lang: str) -> tuple[str, ...]:
    """What to tell her, in order. A self-harm answer gets the supportive text with crisis numbers (and
    never a score), thoughts of harming the baby their own text; if she also ticked another danger sign,
    the band's "act now" text comes first."""
    if not (result.self_harm or result.harm_baby):
        return (q.advice(result.band, lang),)
    others = [
        option_id
        for question_id, option_id in result.triggers
        if (option := _option(q, question_id, option_id)) is not None
        and not (option.self_harm or option.harm_baby)
    ]
    texts: list[str] = []
    if others and result.band in q.advices:
        texts.append(q.advice(result.band, lang))
    if result.harm_baby:
        texts.append(q.harm_baby_advice(lang))
    if result.self_harm:
        texts.append(q.self_harm_advice(lang))
    return tuple(texts)


def _option(q: Questionnaire, question_id: str, option_id: str) -> Option | None:
    question = q.question(question_id)
    return None if question is None else question.option(option_id)


def is_positive(result: Result) -> bool:
    """A result that keeps the monthly mood re-check going: any band above none, a step to the full
    questionnaire (even if she never finished it), or a self-harm answer."""
    return result.band is not Band.NONE or result.step_to is not None or result.self_harm or result.harm_baby


def fits(
    q: Questionnaire,
    *,
    pregnancy_day: int | None,
    child_age_days: int | None,
    postpartum_day: int | None,
) -> bool:
    """Whether /check may offer ``q`` now. Pass None for what does not apply (no pregnancy, no child …)."""
    today = {
        Audience.PREGNANCY: pregnancy_day,
        Audience.POSTPARTUM: postpartum_day,
        Audience.NEWBORN: child_age_days,
        Audience.CHILD: child_age_days,
    }
    for audience, (low, high) in q.audience.items():
        day = today[audience]
        if day is not None and low <= day <= high:
            return True
    return False


class ScheduledCheck(NamedTuple):
    questionnaire_id: str
    occurrence: str  # stable, e.g. "d196": with the track and questionnaire, an idempotency key
    due: date


def schedule_days(
    track: Track,
    *,
    mood_positive: bool = False,
    schedule: Iterable[ScheduleEntry] | None = None,
) -> list[tuple[int, str, str]]:
    """Every check on one track as (day from its anchor, questionnaire id, occurrence), by day (same day:
    file order): the same for every anchor, so the planner computes it once (see ``scheduled_checks``)."""
    kind = Track(track)
    entries = load_questionnaires().schedule if schedule is None else schedule
    found: list[tuple[int, int, str, str]] = []
    for order, entry in enumerate(entries):
        if entry.track is not kind:
            continue
        if entry.only_if is Condition.MOOD_POSITIVE and not mood_positive:
            continue
        found.extend((day, order, entry.questionnaire_id, f"d{day}") for day in entry.days)
    found.sort(key=lambda row: (row[0], row[1]))
    return [(day, questionnaire_id, occurrence) for day, _, questionnaire_id, occurrence in found]


def scheduled_checks(
    track: Track,
    anchor: date,
    *,
    mood_positive: bool = False,
    schedule: Iterable[ScheduleEntry] | None = None,
) -> list[ScheduledCheck]:
    """Every check on one track, past ones included, by due date (same day: file order, danger signs first).

    ``track`` is a pregnancy (``anchor`` = day 0 of gestation) or a child (``anchor`` = birth date).
    ``mood_positive``: her last mood result (topic "mood") was positive (``is_positive``); the monthly
    mood checks after birth are planned only then. Child-track checks about the mother (danger_post,
    phq2, gad2) come once per child: with twins the planner keys them by the birth, not the child.
    """
    return [
        ScheduledCheck(questionnaire_id, occurrence, anchor + timedelta(days=day))
        for day, questionnaire_id, occurrence in schedule_days(track, mood_positive=mood_positive, schedule=schedule)
    ]

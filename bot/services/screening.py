"""Self-screening for a mother: which questionnaires fit her now (/check), answering one question
at a time (answers saved after every press, so a restart or "later" loses nothing), and her result:
advice for her, and an alert to staff for urgent and high results, in the same transaction as the
result (bot/services/alerts.py). Safety and habits reach her nurse only if she agrees.

Whom a check is about is a short code, also used in buttons and in the planner's keys
(bot/domain/screening.py, `SubjectCode`): `p<pregnancy id>` her pregnancy, `c<child id>` a child,
`m<child id>` herself after that birth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.content.questionnaires import (
    Band,
    Option,
    Question,
    Questionnaire,
    Topic,
    load_questionnaires,
    questionnaire,
)
from bot.context import AppContext
from bot.domain import calendar as cal
from bot.domain import screening as rules
from bot.domain.calendar import Track
from bot.domain.screening import SubjectCode, SubjectKind
from bot.logging_setup import log_event
from bot.services import alerts as alert_service
from bot.services import calendar as calendar_service
from bot.services.care import planning_since
from db import screenings
from db.records import ChildRecord, Family
from db.screenings import RESUMABLE, ScreeningRecord, ScreeningStatus

DRAFT = "~"  # answers["~<question>"]: a checklist's ticks before she presses "Send"
ABANDON_AFTER = timedelta(hours=24)
MOOD_TOPICS = (Topic.MOOD,)  # a result re-plans her monthly mood checks


# --- whom a check is about ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Subject:
    whom: SubjectCode  # p12 | c7 | m7
    anchor: date  # day 0 of gestation, or the birth
    child: ChildRecord | None  # the child it is about (c…), or whose birth (m…)

    @property
    def code(self) -> str:
        return str(self.whom)

    @property
    def track(self) -> Track:
        return self.whom.track

    @property
    def ref_id(self) -> int:
        return self.whom.ref_id


def subjects(app: AppContext, family: Family) -> list[Subject]:
    today = app.today()
    found: list[Subject] = []
    children = {c.id: c for c in family.children}
    for ref in calendar_service.tracks_of(family, today, planning_since(app, family)):
        if ref.track == Track.PREGNANCY:
            found.append(Subject(SubjectCode(SubjectKind.PREGNANCY, ref.ref_id), ref.anchor, None))
        elif ref.track == Track.CHILD:
            found.append(Subject(SubjectCode(SubjectKind.CHILD, ref.ref_id), ref.anchor, children[ref.ref_id]))
    births = sorted({s.anchor for s in found if s.track == Track.CHILD}, reverse=True)
    for birth in births:  # herself after each birth (twins: one), youngest first
        first = min((s for s in found if s.track == Track.CHILD and s.anchor == birth), key=lambda s: s.ref_id)
        found.append(Subject(SubjectCode(SubjectKind.MOTHER, first.ref_id), birth, first.child))
    return found


def subject_of(app: AppContext, family: Family, code: str) -> Subject | None:
    whom = SubjectCode.parse(code)
    return next((s for s in subjects(app, family) if s.whom == whom), None)


def _fits(q: Questionnaire, subject: Subject, today: date) -> bool:
    days = (today - subject.anchor).days
    if subject.whom.kind is SubjectKind.PREGNANCY:
        return rules.fits(q, pregnancy_day=days, child_age_days=None, postpartum_day=None)
    if subject.whom.kind is SubjectKind.CHILD:
        return q.about_child and rules.fits(q, pregnancy_day=None, child_age_days=days, postpartum_day=None)
    return not q.about_child and rules.fits(q, pregnancy_day=None, child_age_days=None, postpartum_day=days)


@dataclass(frozen=True, slots=True)
class Choice:
    questionnaire: Questionnaire
    subject: Subject


def choices(app: AppContext, family: Family) -> list[Choice]:
    """What /check offers her now: each questionnaire that fits her pregnancy, her latest birth or
    one of her children (a questionnaire about herself once, for the nearest stage)."""
    today = app.today()
    offered: list[Choice] = []
    follow_ons = {q.step_to for q in load_questionnaires() if q.step_to}  # PHQ-9 comes after PHQ-2
    for subject in subjects(app, family):
        for q in load_questionnaires():
            if q.id in follow_ons or not _fits(q, subject, today):
                continue
            if not q.about_child and any(c.questionnaire.id == q.id for c in offered):
                continue
            offered.append(Choice(q, subject))
    return offered


# --- answering ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Asking:
    screening: ScreeningRecord
    questionnaire: Questionnaire
    question: Question
    number: int
    total: int
    ticks: tuple[str, ...]  # a checklist's ticked options so far
    subject: Subject | None
    options: tuple[Option, ...] = ()  # the question's options that fit her stage today


@dataclass(frozen=True, slots=True)
class Finished:
    screening: ScreeningRecord
    questionnaire: Questionnaire
    result: rules.Result
    told: alert_service.Raised | None  # who was told (None: nobody needed telling, or it waits for her yes)
    ask_consent: bool  # safety / habits: may her nurse see it?
    next_check: date | None
    subject: Subject | None


Step = Asking | Finished


async def _mine_with_questionnaire(
    app: AppContext, user_id: int, screening_id: int, *, statuses: tuple[ScreeningStatus, ...] = (ScreeningStatus.OPEN,)
) -> tuple[ScreeningRecord, Questionnaire] | None:
    """Her screening (hers, in one of `statuses`) and its questionnaire; None for anything else."""
    record = await _mine(app, user_id, screening_id, statuses=statuses)
    q = questionnaire(record.questionnaire) if record is not None else None
    return (record, q) if record is not None and q is not None else None


def _answers(record: ScreeningRecord) -> dict[str, tuple[str, ...]]:
    return {k: v for k, v in record.answers.items() if not k.startswith(DRAFT)}


def _asking(app: AppContext, family: Family, record: ScreeningRecord, q: Questionnaire, question: Question) -> Asking:
    answers = _answers(record)
    number, total = rules.progress(q, answers)
    ticks = record.answers.get(DRAFT + question.id, answers.get(question.id, ()))
    subject = next((s for s in subjects(app, family) if (s.track, s.ref_id) == (record.track, record.ref_id)), None)
    day = (app.today() - subject.anchor).days if subject is not None else None
    return Asking(record, q, question, number, total, tuple(ticks), subject, rules.options_for(question, day))


async def _mine(
    app: AppContext, user_id: int, screening_id: int, *, statuses: tuple[ScreeningStatus, ...] = (ScreeningStatus.OPEN,)
) -> ScreeningRecord | None:
    async with app.database.reading() as conn:
        record = await screenings.get_screening(conn, screening_id)
    if record is None or record.user_id != user_id or record.status not in statuses:
        return None
    return record


async def start(app: AppContext, family: Family, questionnaire_id: str, code: str, label: str | None) -> Asking | None:
    """Begin (or pick up where she left) a questionnaire about `code`. None: it no longer fits
    (the button is old: the child grew, the pregnancy ended) or the ids are not real."""
    q = questionnaire(questionnaire_id)
    subject = subject_of(app, family, code)
    if q is None or subject is None:
        return None
    if label is None and not _fits(q, subject, app.today()):
        return None
    occurrence = cal.check_key(code, q.id, label) if label is not None else None
    now = app.clock.now()
    async with app.database.transaction() as conn:
        existing = next(
            (
                s for s in await screenings.open_screenings(conn, family.user.id)
                if s.questionnaire == q.id and (s.track, s.ref_id) == (subject.track, subject.ref_id)
            ),
            None,
        )
        if existing is not None:
            await screenings.set_status(conn, existing.id, ScreeningStatus.OPEN, now, expected=RESUMABLE)
            screening_id = existing.id
        else:
            screening_id = await screenings.insert_screening(
                conn, user_id=family.user.id, questionnaire=q.id, track=subject.track, ref_id=subject.ref_id,
                occurrence=occurrence, answers={}, now=now,
            )
        record = await screenings.get_screening(conn, screening_id)
        if occurrence is not None:
            await calendar_service.plan_again(conn, family.user.id, now)  # her nudge for this check is not needed
    assert record is not None
    log_event("screening_started", screening_id=record.id, questionnaire=q.id)
    if occurrence is not None:
        await calendar_service.plan_user(app, family.user.id)
    question = rules.next_question(q, _answers(record)) or q.questions[0]
    return _asking(app, family, record, q, question)


async def resume(app: AppContext, family: Family, screening_id: int) -> Asking | None:
    found = await _mine_with_questionnaire(app, family.user.id, screening_id, statuses=RESUMABLE)
    if found is None:
        return None
    record, q = found
    async with app.database.transaction() as conn:
        await screenings.set_status(conn, record.id, ScreeningStatus.OPEN, app.clock.now(), expected=RESUMABLE)
    question = rules.next_question(q, _answers(record)) or q.questions[-1]
    return _asking(app, family, record, q, question)


async def current(app: AppContext, family: Family, screening_id: int) -> Asking | None:
    """The question she is on (for re-showing after a bad press)."""
    found = await _mine_with_questionnaire(app, family.user.id, screening_id)
    if found is None:
        return None
    record, q = found
    question = rules.next_question(q, _answers(record)) or q.questions[-1]
    return _asking(app, family, record, q, question)


async def pick(app: AppContext, family: Family, screening_id: int, question_id: str, option_ids: tuple[str, ...]) -> Step | None:
    """Her answer to the question she is on. None: not hers, not open, not the current question,
    or an answer the question does not allow (forged or stale buttons change nothing)."""
    found = await _mine_with_questionnaire(app, family.user.id, screening_id)
    if found is None:
        return None
    record, q = found
    answers = _answers(record)
    question = rules.next_question(q, answers)
    if question is None or question.id != question_id or not rules.validate_answer(q, question_id, option_ids):
        return None
    answers[question_id] = option_ids
    following = rules.next_question(q, answers)
    # Self-harm, harming the baby or a red flag: help and the alert now, not after the other questions.
    if following is not None and not rules.urgent_answer_given(q, answers):
        async with app.database.transaction() as conn:
            if not await screenings.save_answers(conn, record.id, answers, app.clock.now(), expected=ScreeningStatus.OPEN):
                return None
            saved = await screenings.get_screening(conn, record.id)
        assert saved is not None
        return _asking(app, family, saved, q, following)
    return await _finish(app, family, record, q, answers)


async def tick(
    app: AppContext, family: Family, screening_id: int, question_id: str, option_id: str, on: bool | None = None
) -> Asking | None:
    """A checklist tap (`on`: the box ticked or not): ticks are saved as a draft until she presses "Send"."""
    found = await _mine_with_questionnaire(app, family.user.id, screening_id)
    if found is None:
        return None
    record, q = found
    question = rules.next_question(q, _answers(record))
    if question is None or question.id != question_id or not question.multi or question.option(option_id) is None:
        return None
    ticks = rules.toggle_option(q, question_id, record.answers.get(DRAFT + question_id, ()), option_id, on)
    answers = {**record.answers, DRAFT + question_id: ticks}
    async with app.database.transaction() as conn:
        if not await screenings.save_answers(conn, record.id, answers, app.clock.now(), expected=ScreeningStatus.OPEN):
            return None
        saved = await screenings.get_screening(conn, record.id)
    assert saved is not None
    return _asking(app, family, saved, q, question)


async def send(app: AppContext, family: Family, screening_id: int, question_id: str) -> Step | None:
    """"Send" under a checklist: its ticks become the answer."""
    record = await _mine(app, family.user.id, screening_id)
    if record is None:
        return None
    ticks = tuple(record.answers.get(DRAFT + question_id, ()))
    return await pick(app, family, screening_id, question_id, ticks) if ticks else None


async def back(app: AppContext, family: Family, screening_id: int, question_id: str) -> Asking | None:
    found = await _mine_with_questionnaire(app, family.user.id, screening_id)
    if found is None:
        return None
    record, q = found
    answers = _answers(record)
    current_question = rules.next_question(q, answers)
    if current_question is None or current_question.id != question_id:
        return None
    previous = rules.previous_question(q, answers, question_id)
    if previous is None:
        return None
    kept = {k: v for k, v in record.answers.items() if k != previous.id}
    async with app.database.transaction() as conn:
        await screenings.save_answers(conn, record.id, kept, app.clock.now(), expected=ScreeningStatus.OPEN)
        saved = await screenings.get_screening(conn, record.id)
    assert saved is not None
    return _asking(app, family, saved, q, previous)


async def stop(app: AppContext, user_id: int, screening_id: int) -> bool:
    """"Later": kept as it is, to resume (for 24 hours)."""
    async with app.database.transaction() as conn:
        record = await screenings.get_screening(conn, screening_id)
        if record is None or record.user_id != user_id:
            return False
        return await screenings.set_status(conn, screening_id, ScreeningStatus.STOPPED, app.clock.now(), expected=(ScreeningStatus.OPEN,))


async def _finish(app: AppContext, family: Family, record: ScreeningRecord, q: Questionnaire,
                  answers: dict[str, tuple[str, ...]]) -> Step | None:
    result = rules.score(q, answers)
    now = app.clock.now()
    told: alert_service.Raised | None = None
    follow_on: ScreeningRecord | None = None
    async with app.database.transaction() as conn:
        if not await screenings.save_answers(conn, record.id, answers, now, expected=ScreeningStatus.OPEN):
            return None
        if not await screenings.complete(
            conn, record.id, band=result.band.value, total=result.total, label=result.label, triggers=result.triggers,
            self_harm=result.self_harm or result.harm_baby, step_to=result.step_to, now=now,
        ):
            return None
        done = await screenings.get_screening(conn, record.id)
        assert done is not None
        if result.step_to is not None:
            carried = {k: v for k, v in answers.items()}
            follow_id = await screenings.insert_screening(
                conn, user_id=record.user_id, questionnaire=result.step_to, track=record.track, ref_id=record.ref_id,
                occurrence=None, answers=carried, now=now,
            )
            follow_on = await screenings.get_screening(conn, follow_id)
        elif result.band in (Band.URGENT, Band.HIGH) and not result.share_needs_consent:
            told = await alert_service.raise_alert(app, conn, family.user, done, result.band.value)
        replanned = record.occurrence is not None or q.topic in MOOD_TOPICS  # a check done, or a mood score changes what follows
        if replanned:
            await calendar_service.plan_again(conn, family.user.id, now)
    log_event("screening_done", screening_id=record.id, questionnaire=q.id, band=result.band.value,
              alerted=told is not None)
    if replanned:
        await calendar_service.plan_user(app, family.user.id)
    if follow_on is not None:
        next_q = questionnaire(follow_on.questionnaire)
        assert next_q is not None
        question = rules.next_question(next_q, _answers(follow_on))
        if question is not None:
            return _asking(app, family, follow_on, next_q, question)
    subject = next((s for s in subjects(app, family) if (s.track, s.ref_id) == (record.track, record.ref_id)), None)
    return Finished(done, q, result, told, result.share_needs_consent, next_check_of(app, family, q.id), subject)


@dataclass(frozen=True, slots=True)
class Shared:
    agreed: bool
    told: alert_service.Raised | None  # an alert was raised (urgent or high): who it reached


async def share(app: AppContext, family: Family, screening_id: int, agree: bool) -> Shared | None:
    """Her answer to "may your nurse see this?": kept private, or shown on her card (and, for a high
    result, an alert to whoever cares for her family). None: a stale or foreign button."""
    async with app.database.transaction() as conn:
        record = await screenings.get_screening(conn, screening_id)
        if record is None or record.user_id != family.user.id or record.status != ScreeningStatus.DONE:
            return None
        if not await screenings.set_shared(conn, screening_id, agree):
            return None
        told = None
        if agree and record.band in (Band.URGENT.value, Band.HIGH.value):
            told = await alert_service.raise_alert(app, conn, family.user, record, record.band)
    log_event("screening_shared" if agree else "screening_kept_private", screening_id=screening_id)
    return Shared(agree, told)


def next_check_of(app: AppContext, family: Family, questionnaire_id: str) -> date | None:
    """When the bot will next ask this questionnaire (for "the next check is on …")."""
    today = app.today()
    dates = [
        check.due
        for subject in subjects(app, family)
        for check in rules.scheduled_checks(subject.track, subject.anchor, mood_positive=True)
        if check.questionnaire_id == questionnaire_id and check.due > today
    ]
    return min(dates, default=None)


async def history(app: AppContext, user_id: int, limit: int = 5) -> list[ScreeningRecord]:
    async with app.database.reading() as conn:
        return await screenings.history(conn, user_id, limit)


async def unfinished(app: AppContext, user_id: int) -> list[ScreeningRecord]:
    async with app.database.reading() as conn:
        return await screenings.open_screenings(conn, user_id)


async def abandon_stale(app: AppContext) -> int:
    """Every few minutes: questionnaires untouched for 24 hours are abandoned (a scheduled one
    shows as "did not answer" on her card once its nudge has gone)."""
    async with app.database.transaction() as conn:
        stale = await screenings.abandon_stale(conn, app.clock.now() - ABANDON_AFTER)
    if stale:
        log_event("screenings_abandoned", count=len(stale))
    return len(stale)

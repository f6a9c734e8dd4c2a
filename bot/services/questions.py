"""Questions from families and messages between a family and the nurses.

A question ("Ask my nurse", or her reply to something staff wrote) is a `family_messages` row
(direction "in") addressed to her nurse at that moment; staff are told through the outbox
(REMINDER priority: it reaches them in their daytime; the mother is told this is not for
emergencies). What staff write to her is a row "out" and goes to her at ALERT priority (at once,
like any personal message; she asked for it). Who may answer is checked on every press, with what
the database says now (bot/domain/questions.py:can_answer).

The outbox keeps text only, so a photo is not in the notice: staff see it when they open the
question (the handler sends it), and the mother presses "Show the photo" under a nurse's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.context import AppContext
from bot.delivery import ALERT, REMINDER
from bot.domain.access import Actor, FamilyPlace, can_view_family
from bot.domain.dates import format_moment
from bot.domain.outbox import OutboxKind
from bot.domain.questions import (
    FollowUp,
    QuestionTimes,
    Tier,
    can_answer,
    escalate_cutoffs,
    escalation_tier,
    first_tier,
    follow_up_step,
    preview,
    remind_cutoff,
)
from bot.logging_setup import log_event
from bot.services import staff as staff_service
from bot.services.staff import actor_of
from db import families, outbox, questions, staff
from db.outbox import OutgoingMessage
from db.questions import IN, NOTICE_KIND, OUT, MessageRecord
from db.records import Family, StaffRecord, UserRecord

NOTICE_PREVIEW = 3000  # of her question in the notice to staff; all of it when they open it
QUOTE_PREVIEW = 100  # of her question above the answer she gets
FOLLOW_UP_BATCH = 200  # questions per step and per run of the follow-up (every minute)
TO_STAFF, TO_FAMILY = "question.to_staff", "question.to_family"  # message keys


# --- her nurse -----------------------------------------------------------------------------------

async def her_nurse(app: AppContext, family_id: int) -> StaffRecord | None:
    """Who looks after her now (None: nobody yet)."""
    async with app.database.reading() as conn:
        staff_id = await staff.nurse_of(conn, family_id)
        member = await staff.get_staff(conn, staff_id) if staff_id is not None else None
    return member if member is not None and member.active else None


def _people(tiers: list[list[StaffRecord]], tier: Tier | None) -> list[StaffRecord]:
    return list(tiers[tier]) if tier is not None else []


@dataclass(frozen=True, slots=True)
class _Situation:
    """A question with what is needed to tell staff about it."""

    question: MessageRecord
    place: FamilyPlace
    tiers: list[list[StaffRecord]]
    author: StaffRecord | None  # who wrote the message she replies to, if she may answer it


async def _situation(conn: AsyncConnection, question: MessageRecord) -> _Situation | None:
    user = await families.get_user(conn, question.user_id)
    if user is None:
        return None
    place = FamilyPlace(user.id, user.region, user.polyclinic, await staff.nurse_of(conn, user.id))
    parent = await questions.get_message(conn, question.reply_to) if question.reply_to is not None else None
    author = await staff.get_staff(conn, parent.staff_id) if parent is not None and parent.staff_id is not None else None
    if author is not None and not (
        author.active and can_answer(actor_of(author), place, escalated=False, replies_to_actor=True)
    ):
        author = None
    return _Situation(question, place, await staff_service.care_tiers(conn, user, place.nurse_id), author)


def _head(step: str, situation: _Situation, member: StaffRecord) -> str:
    """Which heading a notice gets (see the renderer): it depends on who reads it."""
    if step == "escalate":
        return "escalate" if situation.tiers[Tier.NURSE] else "escalate_no_nurse"
    if member.id == situation.place.nurse_id:
        if step == "new":
            return "reply" if situation.question.reply_to is not None else "question"
        return step
    if situation.author is not None and member.id == situation.author.id:
        return "reply_to_you" if step == "new" else step
    return "question_no_nurse" if step == "new" else f"{step}_no_nurse"


def _notices(app: AppContext, situation: _Situation, step: str, recipients: list[StaffRecord], key: str) -> list[OutgoingMessage]:
    """One notice per recipient. `step`: new | remind | escalate | handover; `key` makes each step once."""
    question, now = situation.question, app.clock.now()
    text, cut = preview(question.text or "", NOTICE_PREVIEW)
    nurse = situation.tiers[Tier.NURSE][0] if situation.tiers[Tier.NURSE] else None
    messages: list[OutgoingMessage] = []
    for member in {member.id: member for member in recipients}.values():
        params = {
            "question": question.id,
            "head": _head(step, situation, member),
            "text": text,
            "cut": cut,
            "photo": question.photo_file_id is not None,
            "asked": format_moment(question.created_at, app.settings.tz),
            "nurse": nurse.name if nurse is not None and member.id != nurse.id else None,
            "card": can_view_family(actor_of(member), situation.place),
        }
        messages.append(
            OutgoingMessage(
                member.user_id, REMINDER, NOTICE_KIND, TO_STAFF, params, now, f"{key}:{member.id}", about=question.user_id
            )
        )
    return messages


def _with_author(situation: _Situation, people: list[StaffRecord]) -> list[StaffRecord]:
    return people + [situation.author] if situation.author is not None else people


# --- the mother asks -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Asked:
    question_id: int
    nurse: StaffRecord | None  # None: it went to her polyclinic's nurses or the programme's coordinators


async def ask(
    app: AppContext, family_id: int, *, text: str | None, photo_file_id: str | None, reply_to: int | None = None
) -> Asked | None:
    """Store her question and tell the people it goes to. None: she is not registered, or
    `reply_to` is not a message staff wrote to her."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        if reply_to is not None and await _staff_message_of(conn, family_id, reply_to) is None:
            return None
        if await families.get_user(conn, family_id) is None:
            return None
        question_id = await questions.insert_message(
            conn, user_id=family_id, direction=IN, staff_id=await staff.nurse_of(conn, family_id), text=text,
            photo_file_id=photo_file_id, reply_to=reply_to, now=now,
        )
        question = await questions.get_message(conn, question_id)
        assert question is not None
        situation = await _situation(conn, question)
        assert situation is not None
        people = _with_author(situation, _people(situation.tiers, first_tier(situation.tiers)))
        await outbox.enqueue(conn, _notices(app, situation, "new", people, f"qnew:{question_id}"), now)
    log_event("question_asked", user_id=family_id, question_id=question_id, recipients=len(people))
    nurse = situation.tiers[Tier.NURSE]
    return Asked(question_id, nurse[0] if nurse else None)


async def _staff_message_of(conn: AsyncConnection, family_id: int, message_id: int) -> MessageRecord | None:
    message = await questions.get_message(conn, message_id)
    return message if message is not None and message.user_id == family_id and message.direction == OUT else None


async def staff_message(app: AppContext, family_id: int, message_id: int) -> MessageRecord | None:
    """A message staff wrote to her (for "Reply" and "Show the photo"); None if it is not hers."""
    async with app.database.reading() as conn:
        return await _staff_message_of(conn, family_id, message_id)


# --- staff answer --------------------------------------------------------------------------------

async def _answerable(conn: AsyncConnection, actor: Actor, question_id: int) -> tuple[MessageRecord, FamilyPlace] | None:
    question = await questions.get_message(conn, question_id)
    if question is None or question.direction != IN:
        return None
    place = await staff_service.family_place(conn, question.user_id)
    if place is None:
        return None
    parent = await questions.get_message(conn, question.reply_to) if question.reply_to is not None else None
    mine = parent is not None and parent.staff_id == actor.staff_id
    if not can_answer(actor, place, escalated=question.escalated_at is not None, replies_to_actor=mine):
        return None
    return question, place


@dataclass(frozen=True, slots=True)
class QuestionView:
    question: MessageRecord
    family: Family
    thread: list[MessageRecord]  # her questions still open up to this one, oldest first (empty: answered)
    parent: MessageRecord | None  # what staff wrote that she replies to
    answered_by: StaffRecord | None  # who answered it already
    card: bool  # the one opening it may open her card


async def open_question(app: AppContext, actor: Actor, question_id: int) -> QuestionView | None:
    """What a nurse sees when she presses "Answer". None (refused and written down) if she may not."""
    async with app.database.reading() as conn:
        found = await _answerable(conn, actor, question_id)
        if found is not None:
            question, place = found
            family = await families.load_family(conn, question.user_id)
            thread = await questions.open_thread(conn, question.user_id, question.id)
            parent = await questions.get_message(conn, question.reply_to) if question.reply_to is not None else None
            answered_by = await staff.get_staff(conn, question.answered_by) if question.answered_by is not None else None
    if found is None or family is None:
        await staff_service.refuse(app, actor.user_id, "answer", question=question_id)
        return None
    async with app.database.transaction() as conn:
        await staff.audit(conn, app.clock.now(), actor.user_id, "question_opened", family_id=question.user_id, question=question.id)
    return QuestionView(question, family, thread, parent, answered_by, can_view_family(actor, place))


@dataclass(frozen=True, slots=True)
class Delivered:
    """What staff wrote is on its way to her."""

    family: UserRecord
    message_id: int
    already_by: StaffRecord | None = None  # someone else had answered the question before
    already_at: datetime | None = None


async def _write_to_her(
    conn: AsyncConnection, app: AppContext, actor: Actor, place: FamilyPlace, text: str | None, photo_file_id: str | None,
    reply_to: MessageRecord | None,
) -> int:
    """Store what staff wrote and send it to her; `reply_to`: the question it answers."""
    now = app.clock.now()
    author = await staff.get_staff(conn, actor.staff_id)
    assert author is not None
    message_id = await questions.insert_message(
        conn, user_id=place.user_id, direction=OUT, staff_id=actor.staff_id, text=text, photo_file_id=photo_file_id,
        reply_to=reply_to.id if reply_to is not None else None, now=now,
    )
    role = "nurse" if place.nurse_id == actor.staff_id else ("admin" if actor.is_admin else "colleague")
    params = {
        "message": message_id,
        "text": text or "",
        "photo": photo_file_id is not None,
        "author": author.name,
        "as": role,
        "answer": reply_to is not None,
    }
    if reply_to is not None:  # a few words of what she asked, so she knows which answer this is
        quote, cut = preview(reply_to.text or "📷", QUOTE_PREVIEW)
        params["re"] = quote + ("…" if cut else "")
    await outbox.enqueue(
        conn, [OutgoingMessage(place.user_id, ALERT, OutboxKind.MESSAGE, TO_FAMILY, params, now, f"fmsg:{message_id}")], now
    )
    return message_id


async def answer(
    app: AppContext, actor: Actor, question_id: int, *, text: str | None, photo_file_id: str | None
) -> Delivered | None:
    """Her answer goes to the mother; the question (and her earlier open ones) is answered.
    Someone else answering first does not stop it: both answers reach her, and she is told."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        found = await _answerable(conn, actor, question_id)
        user = await families.get_user(conn, found[0].user_id) if found is not None else None
        if found is None or user is None:
            await staff.audit(conn, now, actor.user_id, "denied", attempted="answer", question=question_id)
            result = None
        else:
            question, place = found
            message_id = await _write_to_her(conn, app, actor, place, text, photo_file_id, question)
            await questions.close_questions(conn, question.user_id, question.id, actor.staff_id, now)
            await questions.drop_pending_notices(conn, question.user_id, question.id)
            closed = await questions.get_message(conn, question.id)
            assert closed is not None
            first = closed.answered_by if closed.answered_by != actor.staff_id else None
            already = await staff.get_staff(conn, first) if first is not None else None
            await staff.audit(conn, now, actor.user_id, "question_answered", family_id=user.id, question=question.id,
                              message=message_id)
            result = Delivered(user, message_id, already, closed.answered_at if already else None)
    log_event("question_answered" if result else "staff_action_denied", user_id=actor.user_id, question_id=question_id)
    return result


async def message_target(app: AppContext, actor: Actor, family_id: int) -> Family | None:
    """Before a nurse writes to a family from her card: the family, if she may (else refused)."""
    if not await staff_service.may_view_family(app, actor, family_id):
        await staff_service.refuse(app, actor.user_id, "message", family_id=family_id)
        return None
    return await families.cached_family(app.database, family_id)


async def write_to_family(
    app: AppContext, actor: Actor, family_id: int, *, text: str | None, photo_file_id: str | None
) -> Delivered | None:
    """A message a nurse starts (from the family card); her reply comes back as a question."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        place = await staff_service.family_place(conn, family_id)
        user = await families.get_user(conn, family_id)
        if place is None or user is None or not can_view_family(actor, place):
            await staff.audit(conn, now, actor.user_id, "denied", family_id=family_id, attempted="message")
            result = None
        else:
            message_id = await _write_to_her(conn, app, actor, place, text, photo_file_id, None)
            await staff.audit(conn, now, actor.user_id, "family_messaged", family_id=family_id, message=message_id)
            result = Delivered(user, message_id)
    log_event("family_messaged" if result else "staff_action_denied", user_id=actor.user_id, family_id=family_id)
    return result


async def open_questions(
    app: AppContext, actor: Actor, *, limit: int, offset: int
) -> tuple[int, list[tuple[MessageRecord, Family]]]:
    """Questions waiting for her answer, oldest first: a nurse's families' (and her polyclinic's
    escalated or nurseless ones); an admin's region's (everyone's for a national admin)."""
    async with app.database.reading() as conn:
        if actor.is_nurse:
            total, page = await questions.open_questions(
                conn, nurse_id=actor.staff_id, polyclinic=actor.polyclinic, limit=limit, offset=offset
            )
        else:
            total, page = await questions.open_questions(conn, region=actor.region, limit=limit, offset=offset)
    found = await families.cached_families(app.database, {question.user_id for question in page})
    return total, [(question, family) for question in page if (family := found.get(question.user_id)) is not None]


# --- the follow-up (every minute) ----------------------------------------------------------------

def _times(question: MessageRecord) -> QuestionTimes:
    return QuestionTimes(question.created_at, question.answered_at, question.reminded_at, question.escalated_at)


async def _step(app: AppContext, question: MessageRecord, step: FollowUp) -> int:
    """Remind or escalate one question, once (the mark is the guard; the unique keys a second one)."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        mark = questions.mark_reminded if step is FollowUp.REMIND else questions.mark_escalated
        situation = await _situation(conn, question)
        if situation is None or not await mark(conn, question.id, now):
            return 0
        if step is FollowUp.REMIND:
            people = _with_author(situation, _people(situation.tiers, first_tier(situation.tiers)))
        else:
            people = _people(situation.tiers, escalation_tier(situation.tiers))
        await outbox.enqueue(conn, _notices(app, situation, step.value, people, f"q{step.value}:{question.id}"), now)
    log_event("question_reminded" if step is FollowUp.REMIND else "question_escalated", question_id=question.id,
              recipients=len(people))
    return 1


async def _hand_over(app: AppContext, question: MessageRecord, nurse_now: int | None) -> int:
    """Her nurse changed (deactivated, reassigned, or she has one at last): the open question goes
    to whoever looks after her now, at once; its 24/48-hour clock keeps running from when she asked."""
    now = app.clock.now()
    async with app.database.transaction() as conn:
        if not await questions.readdress(conn, question.id, question.staff_id, nurse_now):
            return 0
        situation = await _situation(conn, question)
        if situation is None:
            return 0
        people = _people(situation.tiers, first_tier(situation.tiers))
        stamp = now.isoformat(timespec="seconds")
        await outbox.enqueue(conn, _notices(app, situation, "handover", people, f"qhand:{question.id}:{stamp}"), now)
    log_event("question_handed_over", question_id=question.id, staff_id=nurse_now)
    return 1


async def follow_up(app: AppContext) -> int:
    """Unanswered questions: to her new nurse when hers changed; after 24 hours a reminder to her
    nurse; after 48 hours on to the polyclinic's other nurses (else the admins). Each step once;
    the work is proportional to the open questions that are due. Returns the steps taken."""
    now = app.clock.now()
    asked_before, reminded_before = escalate_cutoffs(now)
    async with app.database.reading() as conn:
        moved = await questions.misaddressed(conn, FOLLOW_UP_BATCH)
        reminders = await questions.due_reminders(conn, remind_cutoff(now), FOLLOW_UP_BATCH)
        escalations = await questions.due_escalations(conn, asked_before, reminded_before, FOLLOW_UP_BATCH)
    done = 0
    for question, nurse_now in moved:
        done += await _hand_over(app, question, nurse_now)
    for question in (*reminders, *escalations):
        step = follow_up_step(_times(question), now)
        if step is not None:
            done += await _step(app, question, step)
    if done:
        log_event("questions_followed_up", count=done)
    return done

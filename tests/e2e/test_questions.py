"""Messages between a family and the nurses end to end: /nurse, asking, answering, replying, the
24/48-hour follow-up, refusals of forged buttons, a mother without a nurse, and /delete_me."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select

from bot.content import polyclinic
from bot.keyboards.nurse import FamilyCb
from bot.keyboards.questions import AnswerCb
from bot.services.questions import follow_up
from db.schema import family_messages, outbox
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import (
    ADMIN_ID,
    COLLEAGUE,
    NURSE,
    audit_actions,
    invite,
    join,
    messages_with,
    national_admin,
    nurse_at,
    registered_planning,
)


def who(person: Person, name: str = "Aigerim") -> str:
    """A family as staff read it: "<b>Aigerim</b> (planning a pregnancy)"."""
    return person.t("<b>{name}</b> ({stage})", name=name, stage=person.t("planning a pregnancy"))


async def questions_of(bot: RunningBot, family_id: int) -> list[Any]:
    async with bot.app.context.database.reading() as conn:
        rows = await conn.execute(
            select(family_messages).where(family_messages.c.user_id == family_id).order_by(family_messages.c.id)
        )
        return list(rows)


async def run_follow_up(bot: RunningBot, after: timedelta) -> int:
    """Move the clock, run the follow-up job (as the scheduler does every minute) and deliver."""
    bot.clock.advance(after)
    steps = await follow_up(bot.app.context)
    await bot.tick()
    return steps


async def nurse_and_mother(bot: RunningBot, nurse_id: int, mother_id: int, mother_lang: str = "en") -> tuple[Person, Person, Person]:
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, nurse_id, lang="en", name=NURSE)
    mother = await registered_planning(bot, mother_id, mother_lang)
    await bot.tick()  # she is told who her nurse is; the nurse about her new family
    return admin, nurse, mother


async def ask(mother: Person, text: str) -> None:
    await mother.send("/nurse")
    await mother.click("✍️ Ask a question")
    await mother.send(text)


async def test_a_mother_asks_her_nurse_answers_and_her_reply_comes_back(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7101, 5101, "ru")

    await mother.send("/nurse")
    assert mother.t("Your patronage nurse: <b>{name}</b>", name=NURSE) in mother.last_text
    assert mother.t("Polyclinic: {name}", name=polyclinic("almaty_pc1").name("ru")) in mother.last_text  # type: ignore[union-attr]
    assert mother.t("In an emergency call 103 (ambulance) or 112.") in mother.last_text
    await mother.click("✍️ Ask a question")
    await mother.send("My baby has a rash on her cheeks. Should I worry?")
    assert mother.t(
        "✅ Sent to your nurse {name}. She usually answers within a day; her answer will come here.", name=NURSE
    ) in mother.last_text
    assert "103" in mother.last_text  # not for emergencies

    await bot.tick()
    (notice,) = messages_with(nurse, "rash on her cheeks")
    assert (notice.html or "").startswith(nurse.t("💬 A question from {who}:", who=who(nurse)))
    await nurse.click("✍️ Answer", on=notice)
    assert nurse.t(
        "✍️ Your answer to {who}: type it in one message (text, or a photo with a caption). It goes to her in this chat.",
        who=who(nurse),
    ) in nurse.last_text
    await nurse.send("A little rash is common at this age. If it spreads, send me a photo.")
    assert nurse.one_message().html == nurse.t("✅ Sent to {name}.", name="Aigerim")

    await bot.tick()
    (answer,) = messages_with(mother, "A little rash is common")
    assert mother.t("👩‍⚕️ Your nurse <b>{name}</b> answered:", name=NURSE) in (answer.html or "")
    assert "My baby has a rash" in (answer.html or "")  # which question it answers
    await mother.click("↩️ Reply", on=answer)
    await mother.send("Thank you! It is already paler today.")
    await bot.tick()
    (reply,) = messages_with(nurse, "already paler")
    assert (reply.html or "").startswith(nurse.t("💬 {who} replied:", who=who(nurse)))
    assert nurse.t("✍️ Answer") in reply.button_labels(), reply.describe()

    rows = await questions_of(bot, 5101)
    question, out, back = rows
    assert (question.direction, out.direction, back.direction) == ("in", "out", "in")
    assert question.answered_at is not None and question.answered_by == out.staff_id
    assert out.reply_to == question.id and back.reply_to == out.id and back.answered_at is None
    assert bot.app.context.errors == 0


async def test_a_photo_question_reaches_the_nurse_with_the_photo_and_a_photo_answer_reaches_her(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7102, 5102)
    await mother.send("/nurse")
    await mother.click("✍️ Ask a question")
    await mother.send_photo("Is this spot normal?")
    assert mother.t("✅ Sent to your nurse {name}. She usually answers within a day; her answer will come here.", name=NURSE) in mother.last_text
    await bot.tick()
    (notice,) = messages_with(nurse, "Is this spot normal?")
    assert notice.kind == "text"  # the notice is text; the photo comes when she opens it
    assert nurse.t("📷 She sent a photo: press «✍️ Answer» to see it.") in (notice.html or "")

    before = len(nurse.user.messages)
    await nurse.click("✍️ Answer", on=notice)
    photos = [m for m in nurse.user.messages[before:] if m.kind == "photo"]
    assert len(photos) == 1 and "Is this spot normal?" in (photos[0].text or "")
    async with bot.app.context.database.reading() as conn:
        stored = (await conn.execute(select(family_messages.c.photo_file_id))).scalar_one()
    assert photos[0].media["photo"][-1]["file_id"] == stored

    await nurse.send_photo("Compare with this: it is the same, nothing to worry about.")
    assert nurse.one_message().html == nurse.t("✅ Sent to {name}.", name="Aigerim")
    await bot.tick()
    (answer,) = messages_with(mother, "nothing to worry about")
    assert mother.t("📷 With a photo: press «🖼 Show the photo».") in (answer.html or "")
    before = len(mother.user.messages)
    await mother.click("🖼 Show the photo", on=answer)
    assert [m.kind for m in mother.user.messages[before:]] == ["photo"]
    assert bot.app.context.errors == 0


async def test_an_unanswered_question_reminds_her_nurse_once_then_goes_to_her_colleague_once(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, mother = await nurse_and_mother(bot, 7103, 5103)
    colleague = await nurse_at(bot, admin, 7104, lang="en", name=COLLEAGUE)  # same polyclinic, joined later
    await ask(mother, "How often should she feed at night?")
    await bot.tick()
    assert len(messages_with(nurse, "feed at night")) == 1
    assert not messages_with(colleague, "feed at night")

    assert await run_follow_up(bot, timedelta(hours=23, minutes=58)) == 0
    assert len(messages_with(nurse, "feed at night")) == 1
    assert await run_follow_up(bot, timedelta(minutes=2)) == 1  # 24 hours
    reminders = messages_with(nurse, "feed at night")
    assert len(reminders) == 2 and "⏰" in (reminders[1].html or "")
    assert await run_follow_up(bot, timedelta(minutes=1)) == 0
    assert await run_follow_up(bot, timedelta(hours=12)) == 0
    assert len(messages_with(nurse, "feed at night")) == 2  # once
    assert not messages_with(colleague, "feed at night")

    assert await run_follow_up(bot, timedelta(hours=12)) == 1  # 48 hours
    (escalated,) = messages_with(colleague, "feed at night")
    assert "🆘" in (escalated.html or "") and NURSE in (escalated.html or "")
    assert colleague.t("👪 Open her card") not in escalated.button_labels()  # not her family
    assert len(messages_with(nurse, "feed at night")) == 2
    assert await run_follow_up(bot, timedelta(days=3)) == 0
    assert len(messages_with(colleague, "feed at night")) == 1  # never twice

    # The colleague answers first; her nurse answers too: both reach the mother, the second is told.
    await colleague.click("✍️ Answer", on=escalated)
    await colleague.send("Every 3 hours is fine at this age.")
    await nurse.click("✍️ Answer", on=reminders[1])
    assert nurse.t("⚠️ {name} already answered this question ({at}). You can still write to her.", name=COLLEAGUE, at="")[:20] in nurse.last_text
    await nurse.send("Agree with my colleague. Call me if she refuses food.")
    assert nurse.t("Note: {name} had already answered this question ({at}). She gets both answers.", name=COLLEAGUE, at="")[:20] in nurse.last_text
    await bot.tick()
    assert messages_with(mother, "Every 3 hours")[0].html.startswith(mother.t("👩‍⚕️ <b>{name}</b>, a nurse of your polyclinic, answered:", name=COLLEAGUE))
    assert messages_with(mother, "Call me if she refuses")
    assert bot.app.context.errors == 0


async def test_notices_wait_for_the_nurses_morning_and_an_answer_meanwhile_stops_them(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7105, 5105)
    bot.clock.advance(timedelta(hours=12))  # 22:00 in Almaty
    await ask(mother, "Is it fine to bathe her every day?")
    await bot.tick()
    assert not messages_with(nurse, "bathe her")  # the nurse's night: it waits for 09:00
    assert await run_follow_up(bot, timedelta(hours=24)) == 1  # 22:00 the next day: the reminder waits too
    await nurse.send("/questions")
    await nurse.click("✍️ 1. Aigerim")
    await nurse.send("Yes, a short warm bath every day is fine.")
    bot.clock.advance(timedelta(hours=12))  # the morning
    await bot.tick()
    # The notice and the reminder both waited for her morning; answered meanwhile, neither comes.
    notices = [m for m in messages_with(nurse, "bathe her") if nurse.t("✍️ Answer") in m.button_labels()]
    assert notices == []
    assert messages_with(mother, "short warm bath")  # the answer went at once, at night


async def test_a_nurse_cannot_answer_another_nurses_family_with_a_forged_button(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, mother = await nurse_and_mother(bot, 7106, 5106)
    other = await nurse_at(bot, admin, 7107, polyclinic="almaty_pc6", lang="en", name=COLLEAGUE)
    await ask(mother, "Can I take paracetamol?")
    await bot.tick()
    (row,) = await questions_of(bot, 5106)

    await other.forge_click(AnswerCb(action="answer", id=row.id))
    other.assert_answered("This is not available to you.")
    assert not messages_with(other, "paracetamol")
    assert "denied" in await audit_actions(bot, 7107)
    # Even one of her own polyclinic before the question went on to her colleagues.
    colleague = await nurse_at(bot, admin, 7108, lang="en", name="Dana Bekova")
    await colleague.forge_click(AnswerCb(action="answer", id=row.id))
    colleague.assert_answered("This is not available to you.")
    assert "denied" in await audit_actions(bot, 7108)
    # A mother pressing a staff button, and writing to a family from a forged card button.
    await mother.forge_click(AnswerCb(action="answer", id=row.id))
    mother.assert_answered("This is not available to you.")
    await other.forge_click(FamilyCb(action="message", family_id=5106))
    other.assert_answered("This is not available to you.")
    assert (await audit_actions(bot, 7107)).count("denied") == 2
    (row,) = await questions_of(bot, 5106)
    assert row.answered_at is None
    assert bot.app.context.errors == 0


async def test_a_mother_without_a_nurse_asks_and_the_regional_admin_answers(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    regional = await join(bot, 8101, await invite(admin, "admin", "almaty_city"), lang="en", name="Saule Akhmetova")
    mother = await registered_planning(bot, 5110, "en", polyclinic="almaty_pc7")  # no nurse works there
    await bot.tick()
    await mother.send("/nurse")
    assert mother.t(
        "Your polyclinic has no patronage nurse in AnaBala yet. A nurse will be assigned to you, "
        "and I will tell you who she is."
    ) in mother.last_text
    assert mother.t("Polyclinic: {name}", name=polyclinic("almaty_pc7").name("en")) in mother.last_text  # type: ignore[union-attr]
    await mother.click("✍️ Ask a question")
    await mother.send("Where do I get the folic acid prescription?")
    assert mother.t(
        "✅ Sent to the programme's coordinators. They usually answer within a day; the answer will come here."
    ) in mother.last_text
    await bot.tick()
    (notice,) = messages_with(regional, "folic acid")
    assert (notice.html or "").startswith(regional.t("💬 A question from {who}, who has no nurse yet:", who=who(regional)))
    national = admin.user
    assert not [m for m in national.messages if "folic acid" in (m.text or "")]  # her region's admin first

    await regional.send("/questions")
    assert "folic acid" in regional.last_text
    await regional.click("✍️ 1. Aigerim")
    await regional.send("Ask the doctor at polyclinic No. 7; a nurse will be assigned soon.")
    await bot.tick()
    (answer,) = messages_with(mother, "Ask the doctor")
    assert mother.t("👩‍⚕️ <b>{name}</b> of the patronage programme answered:", name="Saule Akhmetova") in (answer.html or "")

    # Another question, never answered: after 48 hours the national admin gets it.
    await ask(mother, "And vitamin D?")
    await run_follow_up(bot, timedelta(hours=24))
    assert len(messages_with(regional, "vitamin D")) == 2
    await run_follow_up(bot, timedelta(hours=24))
    assert len([m for m in national.messages if "vitamin D" in (m.text or "")]) == 1
    assert bot.app.context.errors == 0


async def test_questions_of_a_deactivated_nurse_go_to_her_successor_at_once(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, mother = await nurse_and_mother(bot, 7111, 5111)
    successor = await nurse_at(bot, admin, 7112, lang="en", name=COLLEAGUE)
    await ask(mother, "When is the next home visit?")
    await bot.tick()
    await admin.send("/staff")
    await admin.click(NURSE)
    await admin.click("⛔ Deactivate")
    await admin.click("Yes, deactivate")
    await bot.tick()
    assert await run_follow_up(bot, timedelta(minutes=1)) == 1
    (handed,) = messages_with(successor, "next home visit")
    assert successor.t("👪 Open her card") in handed.button_labels()  # she is her nurse now
    await successor.click("✍️ Answer", on=handed)
    await successor.send("I will come on Thursday at 11:00.")
    await bot.tick()
    (answer,) = messages_with(mother, "Thursday at 11:00")
    assert mother.t("👩‍⚕️ Your nurse <b>{name}</b> answered:", name=COLLEAGUE) in (answer.html or "")
    assert await run_follow_up(bot, timedelta(days=3)) == 0
    assert bot.app.context.errors == 0


async def test_a_nurse_writes_from_the_card_and_the_mothers_reply_comes_back(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7113, 5113)
    await nurse.forge_click(FamilyCb(action="message", family_id=5113))  # the card's "Write to her"
    await nurse.send("Hello! I would like to visit you this week. Which day suits you?")
    assert nurse.one_message().html == nurse.t("✅ Sent to {name}.", name="Aigerim")
    await bot.tick()
    (message,) = messages_with(mother, "visit you this week")
    assert mother.t("👩‍⚕️ A message from your nurse <b>{name}</b>:", name=NURSE) in (message.html or "")
    await mother.click("↩️ Reply", on=message)
    await mother.send("Wednesday afternoon, please.")
    await bot.tick()
    (reply,) = messages_with(nurse, "Wednesday afternoon")
    await nurse.click("✍️ Answer", on=reply)
    await nurse.send("Wednesday at 15:00 then.")
    await bot.tick()
    assert messages_with(mother, "Wednesday at 15:00")
    assert "family_messaged" in await audit_actions(bot, 7113)
    assert bot.app.context.errors == 0


async def test_questions_lists_open_questions_oldest_first_and_cancel_sends_nothing(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, first = await nurse_and_mother(bot, 7114, 5114)
    second = await registered_planning(bot, 5115, "en", name="Madina")
    await ask(second, "Madina's question")
    await ask(first, "Aigerim's question")
    await nurse.click("💬 Questions from families", on=nurse.message_with_button("💬 Questions from families"))  # her menu
    listing = nurse.last_text
    assert listing.index("Madina") < listing.index("Aigerim")
    await nurse.click("✍️ 1. Madina")
    await nurse.click("Cancel")
    assert nurse.one_message().html == nurse.t("Cancelled: nothing was sent.")
    await nurse.send("/questions")
    assert nurse.t("<b>Questions waiting for an answer:</b> {count}", count=2) in nurse.last_text
    # Her own Cancel after she sent her question does nothing.
    await first.send("/nurse")
    await first.click("✍️ Ask a question")
    prompt = first.user.last_message
    await first.send("One more thing")
    await first.click("Cancel", on=prompt)
    assert (await questions_of(bot, 5114))[-1].text == "One more thing"
    first.assert_answered("This button is no longer active.")
    assert bot.app.context.errors == 0


async def test_delete_me_erases_her_questions_and_every_message_about_her(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7116, 5116)
    await ask(mother, "Private question")
    await bot.tick()
    (notice,) = messages_with(nurse, "Private question")
    await nurse.click("✍️ Answer", on=notice)
    await nurse.send("Private answer")
    await ask(mother, "Another one, not yet answered")  # a pending notice about her too
    await bot.tick()
    await mother.send("/delete_me")
    await mother.click("🗑 Yes, erase everything")
    async with bot.app.context.database.reading() as conn:
        left = (await conn.execute(select(func.count()).select_from(family_messages).where(family_messages.c.user_id == 5116))).scalar_one()
        about = (
            await conn.execute(
                select(func.count()).select_from(outbox).where(or_(outbox.c.chat_id == 5116, outbox.c.about == 5116))
            )
        ).scalar_one()
        params = [row.params for row in await conn.execute(select(outbox.c.params))]
    assert (left, about) == (0, 0)
    assert not [p for p in params if "Private" in p]  # nothing she wrote or was written survives
    assert await run_follow_up(bot, timedelta(days=3)) == 0
    await nurse.send("/questions")
    assert nurse.one_message().html == nurse.t("No questions are waiting for an answer.")
    assert bot.app.context.errors == 0


async def test_a_national_admin_sees_every_regions_questions(staffed_bot: RunningBot) -> None:
    """ADMIN_IDS: /questions lists them (admins have no menu button for it)."""
    bot = staffed_bot
    admin = await national_admin(bot)
    assert admin.user.user_id == ADMIN_ID
    mother = await registered_planning(bot, 5117, "en", region="shymkent", polyclinic="shymkent_pc1")
    await ask(mother, "A question from Shymkent")
    await admin.send("/questions")
    assert "A question from Shymkent" in admin.last_text
    await admin.click("✍️ 1. Aigerim")
    await admin.send("Your polyclinic will call you tomorrow.")
    await bot.tick()
    assert messages_with(mother, "will call you tomorrow")
    assert bot.app.context.errors == 0


async def test_only_text_and_photos_of_a_sensible_length_are_passed_on(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7118, 5118)
    await mother.send("/nurse")
    await mother.click("✍️ Ask a question")
    await mother.send_document("scan.pdf")
    assert mother.one_message().html == mother.t("I can pass on text and photos only. Please type your question, or send a photo.")
    await mother.send("x" * 3801)
    assert mother.one_message().html == mother.t(
        "This is too long for one message (at most {limit} characters). Please shorten it, or send it in parts.", limit=3800
    )
    assert await questions_of(bot, 5118) == []
    await mother.send("x" * 3800)  # still waiting for her question: this one goes
    assert len(await questions_of(bot, 5118)) == 1
    await bot.tick()
    (notice,) = messages_with(nurse, "xxxx")
    assert nurse.t("The question goes on: press «✍️ Answer» to read all of it.") in (notice.html or "")
    assert bot.app.context.errors == 0


async def test_questions_come_in_pages(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse, mother = await nurse_and_mother(bot, 7119, 5119)
    for n in range(1, 7):
        await ask(mother, f"Question number {n}")
    await nurse.send("/questions")
    assert "Question number 1" in nurse.last_text and "Question number 6" not in nurse.last_text
    await nurse.click("➡️")
    assert "Question number 6" in nurse.last_text and "Question number 1" not in nurse.last_text
    await nurse.click("✍️ 6. Aigerim")
    # Five of her open questions are shown before the answer prompt, and the earlier one is counted.
    assert nurse.t("(and {count} earlier question of hers, also waiting)", count=1) in nurse.last_text
    await nurse.send("Answering all of them at once.")
    await nurse.send("/questions")
    assert nurse.one_message().html == nurse.t("No questions are waiting for an answer.")
    assert bot.app.context.errors == 0

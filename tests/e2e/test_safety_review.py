"""Step 6, the clinical safety review, end to end: what she is told is true (who was told, or nobody),
the loop closes when someone takes her alert and every copy of it says so, a newborn's new danger sign,
a free message she typed is never dropped, a baby born early and small, and a whole night at 00:30–04:59
local time where every date shown is the local one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.domain.dates import format_date
from db.schema import alerts, children, family_messages
from tests.e2e.harness import running_bot
from tests.story import (
    ADMIN_ID,
    ALMATY,
    COLLEAGUE,
    NURSE,
    REGION_ADMIN,
    alerts_seen,
    an_alert_in_a_staffed_polyclinic,
    invite,
    join,
    mother_with_a_nurse,
    national_admin,
    nurse_at,
    open_card,
    open_chat,
    option,
    record_birth,
    register_until_place,
    registered_at_week,
    report_danger_sign,
    staffed_polyclinic,
    title,
)


@pytest.mark.parametrize(("qid", "sign", "days_old"), [
    ("danger_newborn", "yellow", 1),  # yellow skin on the first day of life
    ("danger_post", "dizzy", 3),  # dizziness or fainting after the birth: heavy blood loss
])
async def test_a_new_sign_after_birth_sends_her_to_103_and_tells_her_nurse_by_name(staffed_bot, qid, sign, days_old) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    nurse, mother = await mother_with_a_nurse(bot, 7201, 7202, 39)
    await record_birth(mother, bot, days_old, "39", "3400")
    await report_danger_sign(mother, qid, sign)
    reply = mother.last_text
    assert "103" in reply, reply
    assert f"your nurse, {NURSE}" in reply, reply
    await bot.tick()
    alert = alerts_seen(nurse)[-1]
    assert option(qid, sign) in alert.text


async def test_with_no_nurse_she_is_told_the_truth_about_who_was_told(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    admin = await national_admin(bot)
    await join(bot, 7211, await invite(admin, "admin", "almaty_city", None), "en", REGION_ADMIN)
    mother = await registered_at_week(bot, 7212, "en", 30)
    await report_danger_sign(mother, "danger_preg", "bleed")
    reply = mother.last_text
    assert "health workers of your region" in reply, reply
    assert "your nurse," not in reply and "let your nurse know" not in reply


async def test_with_nobody_at_all_she_is_told_to_call_103_now(bot) -> None:  # type: ignore[no-untyped-def]
    mother = await registered_at_week(bot, 7221, "en", 32)
    await report_danger_sign(mother, "danger_preg", "preterm")
    reply = mother.last_text
    assert "could not reach a health worker" in reply and "103" in reply, reply
    assert "nurse" not in reply.split("could not reach")[1]


async def test_when_her_alert_is_taken_she_hears_and_every_copy_is_edited(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    nurse, colleague, regional, mother = await an_alert_in_a_staffed_polyclinic(bot, 7231, "fits")
    bot.clock.advance(timedelta(minutes=15, seconds=1))
    await bot.tick()  # nobody took it: her colleague gets a copy too
    first_copy = alerts_seen(nurse)[-1]
    assert "🙋 I'm on it" in first_copy.button_labels()
    await colleague.click("🙋 I'm on it", on=alerts_seen(colleague)[-1])
    await bot.tick()
    # Her nurse's older copy now says who took it, and has no buttons left to press.
    assert f"Taken by {COLLEAGUE}" in (first_copy.text or "") and "Aigerim" in (first_copy.text or ""), first_copy.text
    assert first_copy.button_labels() == []
    # The mother hears that a person has her answers, in her language.
    assert any(COLLEAGUE in (m.text or "") and "has seen your answers" in (m.text or "") for m in mother.user.messages)
    # The outcomes the nurse can record now include a referral and "resolved".
    taken = colleague.user.last_message
    assert taken is not None and "🏥 Referred to hospital" in taken.button_labels()
    await colleague.click("🏥 Referred to hospital", on=taken)
    async with bot.app.context.database.reading() as conn:
        assert (await conn.execute(select(alerts.c.outcome))).scalar_one() == "referred"


async def test_a_free_message_can_be_sent_to_her_nurse_without_typing_it_again(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    nurse, mother = await mother_with_a_nurse(bot, 7241, 7242, 20)
    await mother.send("My feet are swollen since yesterday, is that normal?")
    assert "✍️ Send this to my nurse" in mother.user.last_message.button_labels()  # type: ignore[union-attr]
    await mother.send("Also my back hurts")
    older = next(m for m in mother.user.messages if "✍️ Send this to my nurse" in m.button_labels())  # the first
    await mother.click("✍️ Send this to my nurse", on=older)
    await bot.tick()
    async with bot.app.context.database.reading() as conn:
        texts = (await conn.execute(select(family_messages.c.text))).scalars().all()
    assert texts == ["My feet are swollen since yesterday, is that normal?"]
    assert any("My feet are swollen" in (m.text or "") for m in nurse.user.messages)


async def test_a_baby_born_at_33_weeks_and_1800_g_tells_her_nurse_and_plans_the_eye_screening(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    nurse, mother = await mother_with_a_nurse(bot, 7251, 7252, 33)
    await record_birth(mother, bot, 0, "33", "1 800")
    await bot.tick()
    told = [m for m in nurse.user.messages if "born early or small" in (m.text or "")]
    assert told and "33 weeks" in told[-1].text and "1\u202f800 g" in told[-1].text, [m.text for m in nurse.user.messages[-3:]]
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(children))).one()
    assert (row.gestation_weeks, row.birth_weight_g) == (33, 1800)
    bot.clock.advance(timedelta(days=21))
    await mother.send("/calendar")
    from bot.content.care import care_item

    rop = care_item("screen_rop")
    assert rop is not None and rop.title("en") in mother.last_text, mother.last_text
    # The card suggests progressive patronage.
    assert "consider progressive patronage" in await open_card(nurse, 7252)


async def test_a_baby_born_at_term_is_not_flagged_and_i_dont_know_is_accepted(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    nurse, mother = await mother_with_a_nurse(bot, 7261, 7262, 39)
    await mother.send("/profile")
    await mother.click("👶 My baby is born")
    await mother.send("Aru")
    await mother.send(bot.clock.now().astimezone(ALMATY).date().strftime("%d.%m.%Y"))
    await mother.click("👧 Girl")
    await mother.send("two")  # not a number of weeks: asked again kindly, nothing lost
    assert "22 to 44" in mother.last_text
    await mother.click("🤷 I don't know")
    await mother.send("3.4")
    await bot.tick()
    assert not any("born early or small" in (m.text or "") for m in nurse.user.messages)
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(children))).one()
    assert (row.gestation_weeks, row.birth_weight_g) == (None, 3400)


async def test_week_12_with_a_4_week_old_baby_gets_a_kind_question(bot) -> None:  # type: ignore[no-untyped-def]
    mother = await open_chat(bot, 7271, "en")
    await register_until_place(mother, "🤰 I am pregnant", "👶 I have a child under five")
    await mother.click("🔢 I only know the week")
    await mother.send("2")
    assert "before week 4" in mother.last_text
    await mother.send("12")
    await mother.click("✅ Yes, that's right")
    await mother.send("Dana")
    born = bot.clock.now().astimezone(ALMATY).date() - timedelta(weeks=4)
    await mother.send(born.strftime("%d.%m.%Y"))
    assert "does not fit your pregnancy" in mother.last_text, mother.last_text
    await mother.click("✏️ Change the pregnancy dates")
    assert "What do you know about your pregnancy dates?" in mother.last_text


async def test_a_night_at_0030_every_date_shown_is_the_local_date(clean_database_url: str) -> None:
    """00:30 in Almaty is 19:30 UTC the day before: every date a person is shown must be the local one."""
    from bot.clock import ManualClock

    local_day = datetime(2026, 12, 7).date()
    start = datetime.combine(local_day, time(0, 30), tzinfo=ALMATY).astimezone(UTC)
    utc_day = start.date()
    assert utc_day != local_day
    async with running_bot(clean_database_url, ManualClock(start), ADMIN_IDS=str(ADMIN_ID)) as bot:
        admin = await national_admin(bot)
        nurse = await nurse_at(bot, admin, 7281, lang="en", name=NURSE)
        mother = await registered_at_week(bot, 7282, "en", 30)
        await bot.tick()
        await report_danger_sign(mother, "danger_preg", "headache")
        await bot.tick()
        alert = alerts_seen(nurse)[-1]
        assert f"Answered {format_date(local_day)}" in alert.text, alert.text
        await mother.send("/check")  # her recent results, dated
        assert format_date(local_day) in mother.last_text, mother.last_text
        await nurse.send("/alerts")
        card = await open_card(nurse, 7282)
        assert f"{format_date(local_day)} {title('danger_preg')}" in card, card
        # Walk through the night: until 04:59 nothing the bot says carries the UTC date.
        await bot.live_until(datetime.combine(local_day, time(4, 59), tzinfo=ALMATY), step=timedelta(minutes=30))
        wrong = format_date(utc_day)
        shown = [m.text or "" for person in (mother, nurse) for m in person.user.messages if m.from_bot]
        assert not [text for text in shown if re.search(re.escape(wrong), text)], wrong


async def test_a_stiff_neck_in_a_six_month_old_is_urgent_and_reaches_her_nurse(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7301, lang="en", name=NURSE)
    mother = await open_chat(bot, 7302, "en")
    await register_until_place(mother, "👶 I have a child under five")
    await mother.send("Timur")
    born = bot.clock.now().astimezone(ALMATY).date() - timedelta(days=183)
    await mother.send(born.strftime("%d.%m.%Y"))
    await mother.click("👦 Boy")
    await mother.send("38")
    await mother.send("3100")
    await mother.click("No, that's all")
    await mother.click("✅ Confirm")
    await bot.tick()
    await report_danger_sign(mother, "danger_child", "neck")
    assert "103" in mother.last_text and f"your nurse, {NURSE}" in mother.last_text, mother.last_text
    await bot.tick()
    alert = alerts_seen(nurse)[-1]
    assert option("danger_child", "neck") in alert.text and "Timur" in alert.text


async def test_a_self_harm_answer_mid_check_gets_help_and_an_alert_at_once(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    """Outside review (critical): self-harm at question 3 of 4, then she stops: nobody was ever told."""
    bot = staffed_bot
    nurse, mother = await mother_with_a_nurse(bot, 7501, 7502, 20)
    await mother.send("/check")
    await mother.click(title("phq2"))
    await mother.click(option("phq2", "0"))
    await mother.click(option("phq2", "0", question=1))
    await mother.click(option("phq2", "3", question=2))  # "nearly every day": thoughts of self-harm
    reply = mother.last_text
    assert "112" in reply and "4 of 4" not in reply and f"your nurse, {NURSE}" in reply, reply
    await bot.tick()
    alert = next(m for m in nurse.user.messages if "harming herself" in (m.text or ""))
    assert "Score" not in alert.text


async def test_a_nurse_who_blocked_the_bot_is_never_named_as_told(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    """Outside review: her nurse had blocked the bot, yet she read "sent to your nurse, Gulnara"."""
    bot = staffed_bot
    admin, nurse, colleague, regional = await staffed_polyclinic(bot)
    mother = await registered_at_week(bot, 7511, "en", 30)
    await bot.tick()
    nurse.user.block()
    await bot.settle()
    await report_danger_sign(mother, "danger_preg", "bleed")
    reply = mother.last_text
    assert NURSE not in reply and "nurses of your polyclinic" in reply, reply
    await bot.tick()
    assert alerts_seen(colleague)
    nurse.user.unblock()  # she is reached again
    await bot.settle()
    await report_danger_sign(mother, "danger_preg", "fits")
    assert f"your nurse, {NURSE}" in mother.last_text, mother.last_text


async def test_could_not_reach_keeps_an_urgent_alert_open_and_she_is_told_someone_tried(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    """Outside review: "Could not reach" as the first press closed an urgent alert for good."""
    bot = staffed_bot
    nurse, colleague, regional, mother = await an_alert_in_a_staffed_polyclinic(bot, 7521, "headache")
    await nurse.click("📵 Could not reach", on=alerts_seen(nurse)[-1])
    await bot.tick()
    assert any("tried to reach you" in (m.text or "") for m in mother.user.messages)
    assert "🙋 I'm on it" in nurse.user.last_message.button_labels()  # type: ignore[union-attr]
    bot.clock.advance(timedelta(minutes=15, seconds=1))
    await bot.tick()
    assert alerts_seen(colleague), "still open: it goes on to her colleagues"
    # Taken, then "could not reach": open again, and on to the next tier at once.
    await colleague.click("🙋 I'm on it", on=alerts_seen(colleague)[-1])
    await colleague.click("📵 Could not reach", on=colleague.user.last_message)
    await bot.tick()
    assert alerts_seen(regional)
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(alerts))).one()
    assert row.acknowledged_at is None and row.outcome == "unreached"


async def test_the_card_says_harming_the_baby_not_self_harm(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    nurse, mother = await mother_with_a_nurse(bot, 7531, 7532, 20)
    await mother.send("/check")
    await mother.click(title("phq2"))
    for number, answer in enumerate(("0", "0", "0", "2")):
        await mother.click(option("phq2", answer, question=number))
    card = await open_card(nurse, 7532)
    assert "thoughts of harming the baby" in card and "thoughts of self-harm" not in card and "(negative)" not in card

"""Self-checks and alerts end to end: a danger sign reported in the chat reaches her nurse at once
and climbs the tiers until someone takes it; PHQ-2 steps into PHQ-9; a newborn's scheduled check;
a mother with no nurse; safety answers shared only with her consent; forged buttons refused; a
restart between her answer and the alert."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.content.questionnaires import questionnaire
from db.schema import alerts, screenings
from tests.e2e.harness import RunningBot, running_bot, start_bot
from tests.e2e.people import Person
from tests.story import (
    ADMIN_ID,
    COLLEAGUE,
    NURSE,
    REGION_ADMIN,
    alerts_seen,
    answer_phq9,
    family_cb,
    invite,
    join,
    national_admin,
    nurse_at,
    open_card,
    option,
    record_birth,
    registered_at_week,
    report_danger_sign,
    staffed_polyclinic,
    title,
)


async def test_bleeding_at_week_31_she_is_told_to_call_103_and_the_alert_climbs_until_taken(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, colleague, regional = await staffed_polyclinic(bot)
    mother = await registered_at_week(bot, 7001, "en", 31)
    await bot.tick()

    await report_danger_sign(mother, "danger_preg", "bleed")
    # Within the one reply to her press: what to do now.
    assert "103" in mother.last_text, mother.last_text
    await bot.tick()
    assert alerts_seen(nurse), [m.text for m in nurse.user.messages[-3:]]
    alert_text = alerts_seen(nurse)[-1].text
    assert option("danger_preg", "bleed") in alert_text and "week 31" in alert_text
    assert not alerts_seen(colleague) and not alerts_seen(regional)

    # Nobody takes it: after 15 minutes her colleagues, then the region's admin, then the national admin.
    bot.clock.advance(timedelta(minutes=15, seconds=1))
    await bot.tick()
    assert alerts_seen(colleague) and not alerts_seen(regional)
    bot.clock.advance(timedelta(minutes=15, seconds=1))
    await bot.tick()
    assert alerts_seen(regional) and not alerts_seen(admin)
    bot.clock.advance(timedelta(minutes=15, seconds=1))
    await bot.tick()
    assert alerts_seen(admin)

    # The colleague takes it: the escalation stops and everyone else sees who took it.
    await colleague.click("🙋 I'm on it", on=alerts_seen(colleague)[-1])
    await bot.tick()
    for other in (nurse, regional, admin):
        assert any(COLLEAGUE in (m.text or "") and "taken" in (m.text or "") for m in other.user.messages), other.user.messages[-1].text
    seen = [len(alerts_seen(p)) for p in (nurse, colleague, regional, admin)]
    bot.clock.advance(timedelta(hours=2))
    await bot.tick()
    assert [len(alerts_seen(p)) for p in (nurse, colleague, regional, admin)] == seen
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(alerts))).one()
    assert row.acknowledged_at is not None and row.escalate_at is None


async def test_phq2_positive_steps_into_phq9_keeping_the_two_answers(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    mother = await registered_at_week(bot, 7002, "en", 20)
    await mother.send("/check")
    await mother.click(title("phq2"))
    assert "1 of 4" in mother.last_text
    await mother.click(option("phq2", "2"))
    assert "2 of 4" in mother.last_text
    await mother.click(option("phq2", "2", question=1))
    # Step 6: every mood check asks about self-harm and harming the baby, whatever the first two say.
    assert "3 of 4" in mother.last_text and "better off dead" in mother.last_text, mother.last_text
    await mother.click(option("phq2", "0", question=2))
    assert "4 of 4" in mother.last_text
    await mother.click(option("phq2", "0", question=3))
    assert "3 of 10" in mother.last_text, mother.last_text
    async with bot.app.context.database.reading() as conn:
        rows = (await conn.execute(select(screenings).order_by(screenings.c.id))).all()
    assert [r.questionnaire for r in rows] == ["phq2", "phq9"]
    assert rows[0].step_to == "phq9" and rows[1].status == "open"


async def test_a_newborn_danger_sign_on_day_3_alerts_her_nurse(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7111, lang="en", name=NURSE)
    mother = await registered_at_week(bot, 7011, "en", 39)
    await record_birth(mother, bot, 1, "39", "3300")
    await bot.live_until(bot.clock.now() + timedelta(days=3), step=timedelta(hours=4))
    invitation = next(m for m in reversed(mother.user.messages) if title("danger_newborn") in (m.text or ""))
    assert "Alikhan" in invitation.text
    await mother.click("▶️ Start", on=invitation)
    await mother.click("◻️ " + option("danger_newborn", "breath"))
    await mother.click("📨 Send")
    assert "103" in mother.last_text
    await bot.tick()
    alert = alerts_seen(nurse)[-1]
    assert option("danger_newborn", "breath") in alert.text and "Alikhan" in alert.text
    # Answered: the nudge for this check is not sent.
    await bot.live_until(bot.clock.now() + timedelta(days=3), step=timedelta(hours=6))
    assert not any("A gentle reminder" in (m.text or "") and title("danger_newborn") in (m.text or "") for m in mother.user.messages)


async def test_a_mother_with_no_nurse_reaches_the_region_admin_at_once(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    regional = await join(bot, 7123, await invite(admin, "admin", "almaty_city", None), "en", REGION_ADMIN)
    mother = await registered_at_week(bot, 7021, "en", 30)
    await bot.tick()
    await report_danger_sign(mother, "danger_preg", "headache", "swelling")
    await bot.tick()
    alert = alerts_seen(regional)[-1]
    assert option("danger_preg", "headache") in alert.text and option("danger_preg", "swelling") in alert.text
    assert not alerts_seen(admin)
    await regional.click("📞 Called", on=alert)
    assert "Called" in regional.last_text and REGION_ADMIN in regional.last_text
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(alerts))).one()
    assert row.outcome == "called" and row.acknowledged_at is not None


async def test_a_nurse_who_blocked_the_bot_is_passed_over_at_once(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, colleague, regional = await staffed_polyclinic(bot)
    mother = await registered_at_week(bot, 7031, "en", 33)
    await bot.tick()
    nurse.user.block()
    await report_danger_sign(mother, "danger_preg", "fluid")
    await bot.tick()  # her message comes back 403: the alert goes further
    await bot.tick()
    assert alerts_seen(colleague), "the polyclinic's other nurse should have it within a minute"


async def test_safety_answers_reach_her_nurse_only_if_she_agrees(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7141, lang="en", name=NURSE)
    mother = await registered_at_week(bot, 7041, "en", 24)
    await bot.tick()
    before = len(nurse.user.messages)

    async def answer_safety(first: str) -> None:
        await mother.send("/check")
        await mother.click(title("safety"))
        await mother.click(option("safety", first))
        await mother.click(option("safety", "no", question=1))
        await mother.click(option("safety", "no", question=2))

    await answer_safety("yes")
    assert "111" in mother.last_text
    await mother.click("No, keep it private")
    await bot.tick()
    assert len(nurse.user.messages) == before
    await answer_safety("yes")
    await mother.click("Yes, my nurse may see it")
    await bot.tick()
    assert any(title("safety") in (m.text or "") for m in nurse.user.messages[before:])


async def test_forged_or_foreign_buttons_change_nothing(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, colleague, regional = await staffed_polyclinic(bot)
    outsider = await nurse_at(bot, admin, 7159, polyclinic="almaty_pc6", lang="en", name="Dana Omarova")
    mother = await registered_at_week(bot, 7051, "en", 29)
    other = await registered_at_week(bot, 7052, "en", 29)
    await mother.send("/check")
    await mother.click(title("danger_preg"))
    async with bot.app.context.database.reading() as conn:
        sid = (await conn.execute(select(screenings.c.id))).scalar_one()
    await other.forge_click(f"chk:pick:{sid}:signs:none")  # not hers
    await mother.forge_click(f"chk:pick:{sid}:signs:nosuch")  # no such answer
    await mother.forge_click(f"chk:pick:{sid}:other:bleed")  # not the question she is on
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(screenings))).one()
    assert row.status == "open" and row.answers == "{}"
    await mother.click("◻️ " + option("danger_preg", "bleed"))
    await mother.click("📨 Send")
    await bot.tick()
    async with bot.app.context.database.reading() as conn:
        alert_id = (await conn.execute(select(alerts.c.id))).scalar_one()
    await outsider.forge_click(f"al:take:{alert_id}:0")  # another polyclinic's nurse
    await other.forge_click(f"al:take:{alert_id}:0")  # a mother
    async with bot.app.context.database.reading() as conn:
        row = (await conn.execute(select(alerts))).one()
    assert row.acknowledged_at is None


async def test_a_restart_between_her_answer_and_the_alert_still_delivers_it(clean_database_url: str) -> None:
    async with running_bot(clean_database_url, ADMIN_IDS=str(ADMIN_ID)) as bot:
        admin = await national_admin(bot)
        nurse = await nurse_at(bot, admin, 7161, lang="en", name=NURSE)
        mother = await registered_at_week(bot, 7061, "en", 35)
        await bot.tick()
        await report_danger_sign(mother, "danger_preg", "moves")
        assert "103" in mother.last_text
        await bot.stop()  # before the delivery loop ran
        assert not alerts_seen(nurse)
        again = await start_bot(bot.emulator, clean_database_url, bot.clock, ADMIN_IDS=str(ADMIN_ID))
        try:
            await again.tick()
            assert alerts_seen(nurse)
        finally:
            await again.stop()


async def test_thoughts_of_self_harm_get_support_and_crisis_numbers_never_a_score(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7171, lang="en", name=NURSE)
    mother = await registered_at_week(bot, 7071, "en", 22)
    await bot.tick()
    await answer_phq9(mother, ["2", "2", "0", "0", "0", "0", "0", "0", "1"])  # total 5, item 9 = 1
    reply = mother.last_text
    assert "112" in reply and "You are not alone" in reply and "5" not in reply
    await bot.tick()
    alert = next(m for m in nurse.user.messages if "harming herself" in (m.text or ""))
    assert "Aigerim" in alert.text and "Score" not in alert.text


async def test_a_high_mood_score_alerts_her_nurse_and_she_is_told_so(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7181, lang="en", name=NURSE)
    mother = await registered_at_week(bot, 7081, "en", 22)
    await bot.tick()
    await answer_phq9(mother, ["2", "2", "2", "2", "2", "2", "2", "0", "0"])  # 14: moderate depression, high band
    assert f"We have sent your answers to your nurse, {NURSE}" in mother.last_text, mother.last_text
    await bot.tick()
    alert = next(m for m in nurse.user.messages if title("phq9") in (m.text or ""))
    assert "High risk" in alert.html and "14 of 27" in alert.text
    # Her own history, in plain words.
    await mother.send("/check")
    assert "a health worker was asked to contact you" in mother.last_text


async def test_a_check_she_leaves_unanswered_gets_one_nudge_then_shows_on_her_card(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7191, lang="en", name=NURSE)
    mother = await registered_at_week(bot, 7091, "en", 28)  # week 28 today: the weekly danger-signs check starts
    await bot.live_until(bot.clock.now() + timedelta(days=4), step=timedelta(hours=3))
    invites = [m for m in mother.user.messages if title("danger_preg") in (m.text or "")]
    # Week 28 brings three checks on one day: one message lists them, each with its own button (Step 6).
    (invite,) = [m for m in invites if "Time for these self-checks" in m.text]
    assert title("phq2") in invite.text and len(invite.button_labels()) == 3, invite.text
    assert sum("A gentle reminder" in m.text for m in invites) == 1
    card = await open_card(nurse, 7091)
    assert "Did not answer" in card and title("danger_preg") in card


async def test_a_check_left_half_way_can_be_resumed_then_is_abandoned_after_a_day(staffed_bot: RunningBot) -> None:
    from bot.services.screening import abandon_stale

    bot = staffed_bot
    mother = await registered_at_week(bot, 7092, "en", 15)
    await mother.send("/check")
    await mother.click(title("gad2"))
    await mother.click(option("gad2", "1"))
    await mother.click("⏸ Later")
    await mother.send("/check")
    resume = mother.message_with_button("▶️ Go on")
    await mother.click("▶️ Go on", on=resume)
    assert "2 of 2" in resume.text  # the message she pressed now asks the question where she stopped
    bot.clock.advance(timedelta(hours=25))
    assert await abandon_stale(bot.app.context) == 1
    await mother.send("/check")
    assert not any(mother.t("▶️ Go on") in m.button_labels() for m in mother.user.messages[-3:])


async def test_alerts_lists_open_ones_in_her_scope_and_the_card_shows_every_answer(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse, colleague, regional = await staffed_polyclinic(bot)
    outsider = await nurse_at(bot, admin, 7209, polyclinic="almaty_pc6", lang="en", name="Dana Omarova")
    mother = await registered_at_week(bot, 7201, "en", 32)
    await bot.tick()
    await report_danger_sign(mother, "danger_preg", "pain")
    await bot.tick()
    await nurse.send("/alerts")
    assert "Open alerts" in nurse.last_text and "Aigerim" in nurse.last_text
    await outsider.send("/alerts")
    assert "No open alerts" in outsider.last_text  # another polyclinic's family
    await nurse.click("🙋 I'm on it", on=alerts_seen(nurse)[-1])
    await nurse.send("/alerts")
    assert "No open alerts" in nurse.last_text
    q = questionnaire("danger_preg")
    assert q is not None
    asked = q.questions[0].text("en")  # only the full answers show the question itself

    def full_answers(person: Person) -> list[str]:
        return [m.text for m in person.user.messages if asked in (m.text or "")]

    await nurse.forge_click(family_cb("checks", 7201))
    assert full_answers(nurse) and option("danger_preg", "pain") in full_answers(nurse)[-1]
    await outsider.forge_click(family_cb("checks", 7201))
    assert not full_answers(outsider)

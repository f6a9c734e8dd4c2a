"""Self-checks and alerts end to end: a danger sign reported in the chat reaches her nurse at once
and climbs the tiers until someone takes it; PHQ-2 steps into PHQ-9; a newborn's scheduled check;
a mother with no nurse; safety answers shared only with her consent; forged buttons refused; a
restart between her answer and the alert."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.content.questionnaires import questionnaire
from db.schema import alerts, screenings
from tests.e2e.harness import RunningBot, running_bot
from tests.e2e.people import Person
from tests.e2e.staffing import invite, join, national_admin, nurse_at
from tests.e2e.test_calendar import registered_at_week

NURSE, COLLEAGUE, REGION_ADMIN = "Gulnara Serikova", "Aliya Nurlanova", "Saule Akhmetova"


def title(qid: str, lang: str = "en") -> str:
    q = questionnaire(qid)
    assert q is not None
    return q.title(lang)


def option(qid: str, option_id: str, lang: str = "en", question: int = 0) -> str:
    q = questionnaire(qid)
    assert q is not None
    found = q.questions[question].option(option_id)
    assert found is not None
    return found.label(lang)


def alerts_seen(person: Person, name: str = "Aigerim") -> list[Any]:
    return [m for m in person.user.messages if "URGENT" in (m.html or m.text or "") and name in (m.html or m.text or "")]


async def report_danger_sign(mother: Person, qid: str, *signs: str, lang: str = "en") -> None:
    await mother.send("/check")
    await mother.click_exact(title(qid, lang))
    for sign in signs:
        await mother.click_exact("◻️ " + option(qid, sign, lang))
    await mother.click("📨 Send")


async def staffed_polyclinic(bot: RunningBot) -> tuple[Person, Person, Person, Person]:
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    colleague = await nurse_at(bot, admin, 7102, lang="en", name=COLLEAGUE)
    regional = await join(bot, 7103, await invite(admin, "admin", "almaty_city", None), "en", REGION_ADMIN)
    return admin, nurse, colleague, regional


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
    await colleague.click_on(alerts_seen(colleague)[-1], colleague.t("🙋 I'm on it"))
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
    await mother.click_exact(title("phq2"))
    assert "1 of 2" in mother.last_text
    await mother.click_exact(option("phq2", "2"))
    assert "2 of 2" in mother.last_text
    await mother.click_exact(option("phq2", "2", question=1))
    assert "3 of 9" in mother.last_text, mother.last_text
    async with bot.app.context.database.reading() as conn:
        rows = (await conn.execute(select(screenings).order_by(screenings.c.id))).all()
    assert [r.questionnaire for r in rows] == ["phq2", "phq9"]
    assert rows[0].step_to == "phq9" and rows[1].status == "open"

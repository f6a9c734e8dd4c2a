"""/today: a nurse's day in one message — at 00:30 in Almaty, when the UTC date is still yesterday —
and nothing of the kind for a mother."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.dates import format_date
from tests.e2e.harness import RunningBot, running_bot
from tests.e2e.people import Person
from tests.story import (
    ADMIN_ID,
    ALMATY,
    NURSE,
    messages_with,
    national_admin,
    nurse_at,
    record_birth,
    registered_at_week,
    report_danger_sign,
    set_appointment,
)

# Midnight in Almaty (UTC+5): 19:00 UTC the day before.
MIDNIGHT = datetime(2026, 11, 24, 0, 0, tzinfo=ALMATY)


@pytest.fixture
async def night_bot(clean_database_url: str) -> AsyncIterator[RunningBot]:
    async with running_bot(clean_database_url, ManualClock(MIDNIGHT.astimezone(UTC)), ADMIN_IDS=str(ADMIN_ID)) as running:
        yield running


async def ask(mother: Person, text: str) -> None:
    await mother.send("/nurse")
    await mother.click("✍️ Ask a question")
    await mother.send(text)


async def test_a_nurse_sees_her_day_at_half_past_midnight(night_bot: RunningBot) -> None:
    bot = night_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    aigerim = await registered_at_week(bot, 5001, "en", 30, name="Aigerim")
    dana = await registered_at_week(bot, 5002, "en", 39, name="Dana")
    await bot.tick()
    born = await record_birth(dana, bot, 3, "39", "3400", name="Alikhan")
    await report_danger_sign(aigerim, "danger_preg", "fits")
    await ask(aigerim, "Is it normal to feel dizzy?")
    await bot.tick()

    bot.clock.set(datetime(2026, 11, 24, 0, 30, tzinfo=ALMATY))
    now = bot.clock.now()
    assert now.date() == MIDNIGHT.date() - timedelta(days=1)  # still the 23rd in UTC
    today = now.astimezone(ALMATY).date()
    await set_appointment(nurse, 5001, "Ultrasound", today, "09:30", "Room 12")

    await nurse.send("/today")
    text = nurse.last_text
    assert "<b>Your day, 24.11.2026</b>" in text
    assert "🚨 <b>Open alerts: 1</b>" in text and "nobody has taken it yet" in text
    assert "💬 <b>Questions waiting: 1</b>" in text
    assert "📅 <b>Appointments today: 1</b>" in text and "09:30 · Ultrasound (Room 12) · ⏳ no answer yet" in text
    assert "👶 <b>Newborns to visit this week: 1</b>" in text
    assert f"<b>Dana</b> — Alikhan, born {format_date(born)}" in text
    assert f"home visit {format_date(born + timedelta(days=2))} – {format_date(born + timedelta(days=6))}" in text
    assert "Overdue visits" not in text  # Dana registered after her pregnancy's visits had closed
    assert len(text) < 4096
    # A button opens each family's card.
    await nurse.click("Dana")
    assert "👪 <b>Dana</b>" in nurse.last_text

    # In the morning (nothing goes to a mother at night; the offer waits for her morning hour) she
    # answers the appointment; the nurse's day says so.
    bot.clock.set(datetime(2026, 11, 24, 11, 0, tzinfo=ALMATY))
    await bot.tick()
    (offer,) = messages_with(aigerim, "Your nurse has made an appointment for you")
    await aigerim.click("✅ I'll come", on=offer)
    await nurse.send("/today")
    assert "09:30 · Ultrasound (Room 12) · ✅ she will come" in nurse.last_text

    # She takes the alert: it stays on her day until she writes down what she did.
    (alert,) = messages_with(nurse, "URGENT")
    await nurse.click("🙋 I'm on it", on=alert)
    await nurse.send("/today")
    assert "🚨 <b>Open alerts: 1</b>" in nurse.last_text and "taken by you, no outcome yet" in nurse.last_text
    await nurse.click("📞 Called", on=[m for m in nurse.user.messages if "📞 Called" in m.button_labels()][-1])
    await nurse.send("/today")
    assert "Open alerts" not in nurse.last_text


async def test_an_empty_day_and_a_mother_typing_today(night_bot: RunningBot) -> None:
    bot = night_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    await nurse.send("/today")
    assert "Nothing is waiting for you today" in nurse.last_text

    mother = await registered_at_week(bot, 5001, "en", 20)
    await mother.send("/today")
    assert "Your day" not in mother.last_text and "Open alerts" not in mother.last_text



async def test_an_overdue_visit_and_a_check_she_did_not_answer(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    await registered_at_week(bot, 5001, "en", 14, name="Aigerim")  # the first home visit's window: weeks 12–15
    registered = bot.clock.now().astimezone(ALMATY).date()
    closes = registered - timedelta(weeks=14) + timedelta(days=111)
    await bot.live_until(bot.clock.now() + timedelta(weeks=3), step=timedelta(hours=12))

    await nurse.send("/today")
    text = nurse.last_text
    assert "🏠 <b>Overdue visits: 1</b>" in text
    assert f"<b>Aigerim</b> — Patronage nurse home visit (1 of 2), window closed {format_date(closes)}" in text
    assert "🔕 <b>Did not answer a check:" in text

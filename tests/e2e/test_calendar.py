"""The care calendar end to end: reminders at the right local time, in her language, exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from aiogram import html

from bot.content.care import care_item
from bot.content.guidance import pregnancy_guidance
from bot.domain.dates import format_date
from db import families, outbox
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import ALMATY, messages_with, registered_at_week

SCREENING = "us_first_trimester"


def local(moment: datetime) -> datetime:
    return moment.astimezone(ALMATY)


async def test_week_9_gets_the_first_trimester_screening_heads_up_in_the_morning_in_kazakh(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4001, "kk", 9)
    registered_on = bot.clock.now().astimezone(ALMATY).date()
    title = care_item(SCREENING).title("kk")  # type: ignore[union-attr]

    # This week's guidance comes the same morning (her moment is spread over 10:00–11:00).
    await bot.live_until(datetime.combine(registered_on, time(11, 30), tzinfo=ALMATY), step=timedelta(minutes=15))
    week_9 = pregnancy_guidance(9).text("kk")  # type: ignore[union-attr]
    assert messages_with(mother, week_9[:40])

    # Days pass; the jobs run every hour.
    await bot.live_until(datetime.combine(registered_on + timedelta(days=12), time(12), tzinfo=ALMATY))
    (heads_up,) = messages_with(mother, title)
    arrived = local(datetime.fromtimestamp(heads_up.date, UTC))
    # Window opens at 11+0 weeks = registration (9+0) + 14 days; the heads-up comes 3 days before, 10:00–11:00.
    assert arrived.date() == registered_on + timedelta(days=11)
    assert time(10) <= arrived.time() < time(11)
    assert mother.t("Do you have a date for it?") in (heads_up.html or "")
    assert "✅" in heads_up.inline_buttons[0][0]["text"]

    # "Done": no nudge for it later, even deep in its window.
    await mother.click("✅ Done", on=heads_up)
    assert mother.one_message().html == mother.t("Well done! I have noted it.")
    await bot.live_until(datetime.combine(registered_on + timedelta(days=30), time(12), tzinfo=ALMATY), step=timedelta(hours=6))
    assert len(messages_with(mother, title)) == 1
    assert bot.app.context.errors == 0


async def test_remind_me_later_comes_back_in_three_days(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4002, "ru", 12)  # inside the screening window
    title = care_item(SCREENING).title("ru")  # type: ignore[union-attr]
    start = bot.clock.now()
    await bot.live_until(start + timedelta(days=8), step=timedelta(hours=6))
    nudges = messages_with(mother, title)
    assert len(nudges) == 1
    await mother.click("⏰ Remind me later", on=nudges[0])
    clicked = bot.clock.now()
    await bot.live_until(clicked + timedelta(days=2), step=timedelta(hours=6))
    assert len(messages_with(mother, title)) == 1
    await bot.live_until(clicked + timedelta(days=4), step=timedelta(hours=6))
    assert len(messages_with(mother, title)) == 2


async def test_baby_born_yesterday_gets_newborn_items_and_no_pregnancy_items(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4003, "en", 39)
    await bot.tick()
    await mother.send("/profile")
    await mother.click("👶 My baby is born")
    await mother.send("Alikhan")
    yesterday = bot.clock.now().astimezone(ALMATY).date() - timedelta(days=1)
    await mother.send(yesterday.strftime("%d.%m.%Y"))
    await mother.click("👦 Boy")
    await mother.send("39")  # weeks of pregnancy at birth (a baby under one, Step 6)
    await mother.send("3400")  # birth weight in grams
    before = len(mother.user.messages)
    await bot.live_until(bot.clock.now() + timedelta(days=10), step=timedelta(hours=6))
    after = [m.html or m.text or "" for m in mother.user.messages[before:]]
    newborn = [care_item(i).title("en") for i in ("screen_heel_prick", "patronage_child_2")]  # type: ignore[union-attr]
    assert any(any(t in text for t in newborn) for text in after), after
    assert not any("of your pregnancy" in text or "Antenatal" in text for text in after), after
    async with bot.app.context.database.reading() as conn:
        history = await outbox.history(conn, 4003)
    assert all(not row["message_key"].startswith("guidance.pregnancy") or row["status"] == "sent" for row in history)


async def test_paused_mother_gets_nothing_until_she_resumes(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4004, "kk", 12)
    await mother.send("/stop")
    before = len(mother.user.messages)
    await bot.live_until(bot.clock.now() + timedelta(days=10), step=timedelta(hours=6))
    assert len(mother.user.messages) == before
    await mother.send("/start")
    await bot.tick()
    assert len(mother.user.messages) > before + 1  # the welcome back, then what is due now


async def test_registered_at_night_her_first_message_waits_for_the_morning(bot: RunningBot) -> None:
    bot.clock.set(datetime(2026, 11, 24, 17, 30, tzinfo=UTC))  # 22:30 in Almaty
    mother = await registered_at_week(bot, 4005, "ru", 10)
    before = len(mother.user.messages)
    await bot.live_until(datetime(2026, 11, 25, 8, 59, tzinfo=ALMATY), step=timedelta(minutes=30))
    assert len(mother.user.messages) == before
    await bot.live_until(datetime(2026, 11, 25, 10, 30, tzinfo=ALMATY), step=timedelta(minutes=30))
    arrived = [local(datetime.fromtimestamp(m.date, UTC)) for m in mother.user.messages[before:]]
    assert arrived and all(time(9) <= a.time() < time(10, 30) for a in arrived)


async def test_her_own_appointment_is_reminded_the_evening_before_and_two_hours_before(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4006, "en", 20)
    await mother.send("/appointments")
    await mother.click("➕ Add an appointment")
    await mother.send("Ultrasound")
    day = bot.clock.now().astimezone(ALMATY).date() + timedelta(days=3)
    await mother.send(day.strftime("%d.%m.%Y"))
    await mother.send("14:30")
    await mother.send("Polyclinic No. 5, room 12")
    assert mother.last_text.startswith(mother.t("Saved: {what}, {when}. I will remind you the day before at 18:00 and, if you gave a time, two hours before.").split(":")[0])
    await bot.live_until(datetime.combine(day, time(15), tzinfo=ALMATY), step=timedelta(minutes=30))
    reminders = [m for m in mother.user.messages if "Ultrasound" in (m.text or "") and "⏰" in (m.text or "")]
    moments = [local(datetime.fromtimestamp(m.date, UTC)) for m in reminders]
    assert [(m.date(), m.hour) for m in moments] == [(day - timedelta(days=1), 18), (day, 12)]
    await mother.send("/calendar")
    assert "Ultrasound" in mother.last_text or mother.t("<b>Your care calendar</b>") in mother.last_text


async def test_delete_me_removes_what_was_queued(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4007, "en", 12)
    await mother.send("/delete_me")
    await mother.click("🗑 Yes, erase everything")
    async with bot.app.context.database.reading() as conn:
        assert await outbox.history(conn, 4007) == []
        assert await families.get_user(conn, 4007) is None
    before = len(mother.user.messages)
    await bot.live_until(bot.clock.now() + timedelta(days=5), step=timedelta(hours=12))
    assert len(mother.user.messages) == before


async def add_appointment(mother: Person, what: str, day: date, at: str | None, place: str | None) -> None:
    await mother.send("/appointments")
    await mother.click("➕ Add an appointment")
    await mother.send(what)
    await mother.send(day.strftime("%d.%m.%Y"))
    if at is None:
        await mother.click("No set time")
    else:
        await mother.send(at)
    if place is None:
        await mother.click("Skip")
    else:
        await mother.send(place)


CHANGED = (
    "Changed. Your appointment now:\n{appointment}\n\n"
    "I will remind you the day before at 18:00 and, if it has a time, two hours before."
)


def visible(person: Person) -> str:
    """The newest message as she reads it (entities applied, no HTML source)."""
    return person.user.last_message.text or ""  # type: ignore[union-attr]


async def test_she_changes_what_and_where_and_her_list_and_reminders_say_the_new_ones(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4008, "ru", 20)
    day = bot.clock.now().astimezone(ALMATY).date() + timedelta(days=3)
    when = f"{format_date(day)}, 14:30"
    await add_appointment(mother, "УЗИ", day, "14:30", "Поликлиника № 5, кабинет 12")

    # What it is: the question names the appointment, her choice shows under it.
    await mother.send("/appointments")
    await mother.click("✏️ Change {what}", what="УЗИ")
    assert mother.one_message().html == mother.t("What would you like to change in «{what}» on {date}?", what="УЗИ", date=format_date(day))
    await mother.click("📝 What it is")
    menu = mother.user.messages[-2]
    assert (menu.text or "").endswith("» " + mother.t("📝 What it is")) and not menu.inline_buttons
    assert "«УЗИ»" in visible(mother)
    new_what = "Скрининг <1> & кровь"  # her text, shown as typed: HTML is escaped
    await mother.send(new_what)
    assert mother.one_message().html == mother.t(CHANGED, appointment=f"{when}: {html.quote(new_what)} — Поликлиника № 5, кабинет 12")

    # Where it is.
    await mother.send("/appointments")
    assert f"• {when}: {new_what} — Поликлиника № 5, кабинет 12" in visible(mother)
    await mother.click("✏️ Change {what}", what=new_what)
    await mother.click("📍 Where")
    assert visible(mother) == mother.t(
        "Now the place is «{place}». Where is it? For example: polyclinic No. 5, room 12.", place="Поликлиника № 5, кабинет 12"
    )
    await mother.send("Женская консультация, каб. 3")
    await mother.send("/appointments")
    assert f"• {when}: {new_what} — Женская консультация, каб. 3" in visible(mother)
    assert "УЗИ" not in visible(mother) and "Поликлиника" not in visible(mother)

    # Her reminders were planned again: both say what and where it is now.
    await bot.live_until(datetime.combine(day, time(15), tzinfo=ALMATY), step=timedelta(minutes=30))
    leads = (mother.t("⏰ Tomorrow you have an appointment"), mother.t("⏰ Your appointment is in two hours"))
    reminders = [m.text or "" for m in mother.user.messages if (m.text or "").startswith(leads)]
    assert len(reminders) == 2, reminders
    for text in reminders:
        assert new_what in text
        assert mother.t("Where: {place}", place="Женская консультация, каб. 3") in text
        assert "УЗИ" not in text and "Поликлиника" not in text
    assert bot.app.context.errors == 0


async def test_a_too_long_or_empty_answer_gets_a_kind_reply_and_the_change_goes_on(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4009, "kk", 20)
    day = bot.clock.now().astimezone(ALMATY).date() + timedelta(days=5)
    await add_appointment(mother, "УДЗ", day, None, "№5 емхана")

    await mother.send("/appointments")
    await mother.click("✏️ Change {what}", what="УДЗ")
    await mother.click("📝 What it is")
    await mother.send("ә" * 121)
    assert mother.one_message().html == mother.t("This is a bit long for me. Please keep it to {limit} characters or fewer.", limit=120)
    await mother.send("/nothing")  # not a few words about the appointment
    assert mother.one_message().html == mother.t("Please type a few words about the appointment.")
    await mother.send("  Екпе   2 айлық  ")  # still asked: her next answer is taken, tidied
    await mother.send("/appointments")
    assert f"• {format_date(day)}: Екпе 2 айлық — №5 емхана" in visible(mother)

    await mother.click("✏️ Change {what}", what="Екпе 2 айлық")
    await mother.click("📍 Where")
    await mother.send("а" * 121)
    assert mother.one_message().html == mother.t("This is a bit long for me. Please keep it to {limit} characters or fewer.", limit=120)
    await mother.send("/nothing")
    assert mother.one_message().html == mother.t("Please type where the appointment is, for example: polyclinic No. 5, room 12.")
    # The place is untouched so far, and she can still take it away.
    await mother.click("🗑 Remove the place")
    await mother.send("/appointments")
    assert f"• {format_date(day)}: Екпе 2 айлық" in visible(mother)
    assert "№5 емхана" not in visible(mother)

    # Date and time are still changed from the same menu.
    await mother.click("✏️ Change {what}", what="Екпе 2 айлық")
    await mother.click("📅 Date and time")
    later = day + timedelta(days=2)
    await mother.send(later.strftime("%d.%m.%Y"))
    await mother.send("25:99")
    assert mother.one_message().html == mother.t("I could not read this time. Please type it like 14:30.")
    await mother.send("09:15")
    await mother.send("/appointments")
    assert f"• {format_date(later)}, 09:15: Екпе 2 айлық" in visible(mother)
    assert bot.app.context.errors == 0


async def test_a_new_appointment_with_a_too_long_text_is_asked_again_not_cut(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 4010, "en", 20)
    await mother.send("/appointments")
    await mother.click("➕ Add an appointment")
    await mother.send("Ultrasound " + "x" * 120)
    assert mother.one_message().html == mother.t("This is a bit long for me. Please keep it to {limit} characters or fewer.", limit=120)
    await mother.send("Ultrasound")
    day = bot.clock.now().astimezone(ALMATY).date() + timedelta(days=4)
    await mother.send(day.strftime("%d.%m.%Y"))
    await mother.send("10:00")
    await mother.send("Room " + "9" * 120)
    assert mother.one_message().html == mother.t("This is a bit long for me. Please keep it to {limit} characters or fewer.", limit=120)
    await mother.send("Room 9")
    await mother.send("/appointments")
    assert f"• {format_date(day)}, 10:00: Ultrasound — Room 9" in visible(mother)

"""The nurse's day end to end: her families, the family card and its actions, home visits, the
support plan, appointments she sets, life events — and who may not see any of it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from aiogram import html

from bot.content.care import care_item
from bot.domain.dates import format_date
from bot.keyboards.nurse import GoalCb, MotherApptCb, MotherPlanCb, NurseApptCb, ReassignCb
from db import care, caseload
from db import staff as staff_db
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import (
    ALMATY,
    NURSE,
    family_cb,
    invite,
    join,
    messages_with,
    national_admin,
    nurse_at,
    open_card,
    open_chat,
    register_until_place,
    registered_at_week,
    registered_planning,
    set_appointment,
)

NURSE_ID, OTHER_NURSE_ID, COLLEAGUE_ID, REGIONAL_ID = 7101, 7102, 7103, 7104
REFUSED = "This is not available to you."


async def with_nurse(bot: RunningBot, user_id: int = NURSE_ID, polyclinic: str = "almaty_pc1", region: str = "almaty_city",
                     name: str = NURSE) -> tuple[Person, Person]:
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, user_id, polyclinic=polyclinic, region=region, lang="en", name=name)
    return admin, nurse


async def nurse_and_mother(bot: RunningBot, user_id: int, week: int, lang: str = "en") -> tuple[Person, Person, date]:
    """A nurse, a mother `week` weeks pregnant in her care, and today's date in Almaty."""
    _admin, nurse = await with_nurse(bot)
    mother = await registered_at_week(bot, user_id, lang, week)
    return nurse, mother, bot.clock.now().astimezone(ALMATY).date()


async def audit(bot: RunningBot, family_id: int | None = None) -> list[dict]:  # type: ignore[type-arg]
    async with bot.app.context.database.reading() as conn:
        return await staff_db.audit_entries(conn, family_id=family_id, limit=500)


# --- "My families" and search --------------------------------------------------------------------

async def test_nurse_sees_her_families_with_stage_next_item_and_risk_mark_and_finds_them(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse = await with_nurse(bot)
    await registered_at_week(bot, 5001, "en", 13, name="Aigerim")
    await registered_planning(bot, 5002, lang="ru", name="Dana")
    await registered_at_week(bot, 5003, "en", 20, name="Saule", polyclinic="almaty_pc6")  # another polyclinic: not hers

    await nurse.click("👪 My families")
    listing = nurse.last_text
    assert nurse.t("<b>My families</b>: {count}", count=2) in listing
    assert "<b>Aigerim</b> · " + nurse.t("week {week} of pregnancy", week=13) in listing
    assert "<b>Dana</b> · " + nurse.t("planning a pregnancy") in listing
    assert "Saule" not in listing
    # The next item of her calendar: at week 13 the first-trimester ultrasound (to 13+6) closes first.
    registered = bot.clock.now().astimezone(ALMATY).date()
    scan = care_item("us_first_trimester").title("en")  # type: ignore[union-attr]
    closes = format_date(registered - timedelta(weeks=13) + timedelta(days=97))
    assert "⏭ " + nurse.t("{item}: now, by {date}", item=html.quote(scan), date=closes) in listing
    assert "🟠" not in listing.split("\n\n")[1]

    # Progressive patronage for Aigerim: the list marks her.
    await nurse.click("Aigerim")
    await nurse.click("🟠 Risk level")
    assert nurse.t("Now: {level}", level=nurse.t("Universal patronage")) in nurse.last_text
    await nurse.click("🟠 Switch to progressive")
    card = nurse.last_text
    assert card.startswith("👪 <b>Aigerim</b> 🟠")
    assert nurse.t("🟠 Progressive patronage: more frequent check-ins and visits") in card
    await nurse.send("/families")
    assert "<b>Aigerim</b> 🟠 · " in nurse.last_text

    # Search by phone digits (her number is +7 701 000 50 01), with a trunk prefix and spaces.
    await nurse.click("🔎 Search")
    await nurse.send("8 701 000 50 01")
    found = nurse.last_text
    assert nurse.t("<b>Found</b>: {count}", count=1) in found and "Aigerim" in found and "Dana" not in found
    await nurse.click("🔎 Search")
    await nurse.send("+7 701 000 5002")
    assert "Dana" in nurse.last_text and "Aigerim" not in nurse.last_text
    # By part of the name, in any case; never a family of another polyclinic.
    await nurse.click("🔎 Search")
    await nurse.send("aig")
    assert "Aigerim" in nurse.last_text
    await nurse.click("🔎 Search")
    await nurse.send("saule")
    assert nurse.one_message().html == nurse.t(
        "Nobody found for «{query}». Type part of her name, or some digits of her phone number, for example 701 123.",
        query="saule",
    )
    await nurse.click("🔎 Search")
    await nurse.send("12")
    assert nurse.one_message().html == nurse.t("Please type at least three digits of her phone number, or a part of her name.")
    assert bot.app.context.errors == 0


async def test_families_are_paged_eight_at_a_time_and_an_empty_list_says_what_to_do(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse = await with_nurse(bot)
    await nurse.send("/families")
    assert nurse.t(
        "You have no families yet. A family who registers at your polyclinic is given to a nurse there "
        "automatically; your coordinator can also assign one to you."
    ) in nurse.last_text
    for n in range(10):
        await registered_planning(bot, 5100 + n, lang="en", name=f"Mother {chr(65 + n)}")
    await nurse.send("/families")
    first = nurse.last_text
    assert nurse.t("(page {page} of {pages})", page=1, pages=2) in first
    assert "Mother A" in first and "Mother H" in first and "Mother I" not in first
    await nurse.click("➡️")
    second = nurse.last_text
    assert "Mother I" in second and "Mother J" in second and "Mother A" not in second
    assert bot.app.context.errors == 0


# --- who may see a family ------------------------------------------------------------------------

async def test_a_nurse_of_another_polyclinic_cannot_reach_a_family_even_with_forged_buttons(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse = await with_nurse(bot)
    other = await nurse_at(bot, admin, OTHER_NURSE_ID, polyclinic="almaty_pc6", lang="en", name="Aliya Nurlanova")
    mother = await registered_at_week(bot, 5001, "en", 13)
    # Her own nurse has made a goal and an appointment the other nurse will try to reach.
    await open_card(nurse, 5001)
    await nurse.click("📋 Support plan")
    await nurse.click("➕ Add a goal")
    await nurse.send("Sleep a little more")
    await nurse.send("Ask her sister to help in the mornings")
    await nurse.send(format_date(bot.clock.now().astimezone(ALMATY).date() + timedelta(days=5)))
    await set_appointment(nurse, 5001, "Vaccination", bot.clock.now().astimezone(ALMATY).date() + timedelta(days=5))
    async with bot.app.context.database.reading() as conn:
        (goal,) = await caseload.goals_of(conn, 5001)
        (appointment,) = (await caseload.coming_appointments(conn, [5001], bot.clock.now().date()))[5001]
        herself = await staff_db.active_staff(conn, OTHER_NURSE_ID)
    assert herself is not None

    await other.send("/families")
    assert other.t("<b>My families</b>: {count}", count=0) in other.last_text
    forged = [
        family_cb(action, 5001) for action in ("open", "card", "visit", "plan", "appointment", "risk", "risk_prog", "note", "reassign")
    ]
    forged += [GoalCb(action="open", goal_id=goal.id).pack(), GoalCb(action="remove_yes", goal_id=goal.id).pack()]
    forged += [GoalCb(action="add", family_id=5001).pack(), NurseApptCb(action="move", id=appointment.id).pack()]
    forged += [ReassignCb(family_id=5001, staff_id=herself.id).pack()]
    for data in forged:
        await other.forge_click(data)
        other.assert_answered(REFUSED, show_alert=True)
        assert "Aigerim" not in other.last_text
    denied = [e for e in await audit(bot) if e["action"] == "denied" and e["actor_id"] == OTHER_NURSE_ID]
    assert len(denied) == len(forged)
    assert {e["details"]["attempted"] for e in denied} >= {"open", "visit", "plan", "appointment", "risk", "note", "reassign"}
    assert all(e["family_id"] == 5001 for e in denied if e["details"]["attempted"] != "plan" or e["family_id"])

    # Nothing changed: still universal, her goal and appointment are there, she has the same nurse,
    # and only her own nurse opened the card.
    async with bot.app.context.database.reading() as conn:
        assert await caseload.get_family_care(conn, 5001) is None
        assert [g.id for g in await caseload.goals_of(conn, 5001)] == [goal.id]
        assert await caseload.get_appointment(conn, appointment.id) == appointment
        assert (await staff_db.get_staff(conn, await staff_db.nurse_of(conn, 5001) or 0)).user_id == NURSE_ID  # type: ignore[union-attr]
    opened = [e for e in await audit(bot, 5001) if e["action"] == "family_opened"]
    assert {e["actor_id"] for e in opened} == {NURSE_ID}

    # A mother forging a staff button is refused too.
    await mother.forge_click(family_cb("open", 5001))
    mother.assert_answered(REFUSED, show_alert=True)
    assert any(e["actor_id"] == 5001 and e["details"]["attempted"] == "staff_only" for e in await audit(bot))
    assert bot.app.context.errors == 0


async def test_a_regional_admin_sees_only_her_regions_families(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    regional = await join(bot, REGIONAL_ID, await invite(admin, "admin", region="astana"), lang="en", name="Bota Akhmetova")
    await registered_planning(bot, 5201, lang="en", region="astana", polyclinic="astana_pc1", name="Asel")
    await registered_planning(bot, 5202, lang="en", name="Aigerim")

    await regional.click("👪 Families")
    listing = regional.last_text
    assert regional.t("<b>Families in your area</b>: {count}", count=1) in listing
    assert "Asel" in listing and "Aigerim" not in listing
    await regional.click("🔎 Search")
    await regional.send("701")  # in every phone number
    assert "Asel" in regional.last_text and "Aigerim" not in regional.last_text
    await regional.forge_click(family_cb("open", 5202))
    regional.assert_answered(REFUSED, show_alert=True)
    card = await open_card(regional, 5201)
    assert card.startswith("👪 <b>Asel</b>") and regional.t("👩‍⚕️ Nurse: {name}", name=regional.t("nobody yet")) in card

    await admin.send("/families")
    assert admin.t("<b>Families in your area</b>: {count}", count=2) in admin.last_text
    assert bot.app.context.errors == 0


async def test_a_nurse_hands_a_family_to_a_colleague_of_her_polyclinic(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin, nurse = await with_nurse(bot)
    colleague = await nurse_at(bot, admin, COLLEAGUE_ID, lang="en", name="Aliya Nurlanova")
    await nurse_at(bot, admin, OTHER_NURSE_ID, polyclinic="almaty_pc6", lang="en", name="Zhanna Other")
    mother = await registered_planning(bot, 5601, lang="en")
    await bot.tick()
    await open_card(nurse, 5601)
    await nurse.click("🔁 Reassign")
    choices = [b["text"] for row in nurse.user.last_message.inline_buttons for b in row]
    assert "Aliya Nurlanova" in choices and "Zhanna Other" not in choices and "Gulnara Serikova" not in choices
    await nurse.click("Aliya Nurlanova")
    assert nurse.last_text == nurse.t("Done: {nurse} looks after this family now. She and the family are told.", nurse="Aliya Nurlanova")
    await bot.tick()
    assert colleague.saw("👪 A new family in your care: <b>{name}</b>, {stage}.\nSee your families: /families",
                         name="Aigerim", stage=colleague.t("planning a pregnancy"))
    assert "Aliya Nurlanova" in mother.last_text
    await nurse.forge_click(family_cb("open", 5601))
    nurse.assert_answered(REFUSED, show_alert=True)
    assert (await open_card(colleague, 5601)).startswith("👪 <b>Aigerim</b>")
    assert any(e["action"] == "family_reassigned" for e in await audit(bot, 5601))
    assert bot.app.context.errors == 0


# --- appointments a nurse sets -------------------------------------------------------------------

async def test_a_nurse_sets_an_appointment_the_mother_confirms_and_is_reminded_the_evening_before(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    nurse, mother, today = await nurse_and_mother(bot, 5301, 20)
    on = today + timedelta(days=3)
    await set_appointment(nurse, 5301, "Ultrasound", on, "10:30", "Polyclinic No. 1, room 12")
    assert nurse.one_message().html == nurse.t(
        "Saved: {date}. She is asked whether she can come, and you will get her answer here.", date=f"{format_date(on)}, 10:30"
    )
    await bot.tick()
    (offer,) = messages_with(mother, mother.t("👩‍⚕️ Your nurse has made an appointment for you"))
    assert "Ultrasound" in offer.html and f"{format_date(on)}, 10:30" in offer.html and "room 12" in offer.html
    await mother.click("✅ I'll come", on=offer)
    assert mother.one_message().html == mother.t("Thank you! Your nurse will know. I will remind you the evening before.")
    await bot.tick()
    assert nurse.last_text == nurse.t(
        "✅ <b>{name}</b> will come: {appointment}.", name="Aigerim", appointment=f"Ultrasound, {format_date(on)}, 10:30"
    )
    async with bot.app.context.database.reading() as conn:
        appointment = (await caseload.coming_appointments(conn, [5301], today))[5301][0]
    assert appointment.set_by is not None and appointment.response == "coming"
    # Another mother cannot answer it for her.
    other = await registered_planning(bot, 5399, lang="en", name="Dana")
    await other.forge_click(MotherApptCb(action="other_time", id=appointment.id))
    other.assert_answered("This button is no longer active.")
    # It is among her own appointments, and on the card with her answer.
    await mother.send("/appointments")
    assert f"{format_date(on)}, 10:30: Ultrasound — Polyclinic No. 1, room 12" in mother.last_text
    assert nurse.t("✅ she will come") in await open_card(nurse, 5301)

    # The evening before at 18:00 her reminder comes, as for her own appointments.
    await bot.live_until(datetime.combine(on - timedelta(days=1), time(18, 30), tzinfo=ALMATY))
    (eve,) = messages_with(mother, mother.t("⏰ Tomorrow you have an appointment"))
    arrived = datetime.fromtimestamp(eve.date, ALMATY)
    assert arrived.date() == on - timedelta(days=1) and time(18) <= arrived.time() < time(18, 5)
    assert "Ultrasound" in eve.html
    assert bot.app.context.errors == 0


async def test_she_needs_another_time_and_the_nurse_gives_another_date(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    nurse, mother, today = await nurse_and_mother(bot, 5302, 20, lang="ru")
    await set_appointment(nurse, 5302, "Something else", today + timedelta(days=2), what="Talk with the psychologist")
    await bot.tick()
    (offer,) = messages_with(mother, "Talk with the psychologist")
    await mother.click("🔁 I need another time", on=offer)
    await bot.tick()
    assert nurse.last_text == nurse.t(
        "🔁 <b>{name}</b> needs another time for: {appointment}.\n\n"
        "The appointment stays (and she is reminded of it) until you give another date or she cancels it.",
        name="Aigerim", appointment=f"Talk with the psychologist, {format_date(today + timedelta(days=2))}",
    )
    # The appointment stays until the nurse moves it.
    await mother.send("/appointments")
    assert "Talk with the psychologist" in mother.last_text
    await nurse.click("📅 Give another date")
    await nurse.send(format_date(today + timedelta(days=6)))
    await nurse.send("15:00")
    await bot.tick()
    (moved_offer,) = messages_with(mother, mother.t("👩‍⚕️ Your nurse gave your appointment a new date"))
    assert f"{format_date(today + timedelta(days=6))}, 15:00" in moved_offer.html
    async with bot.app.context.database.reading() as conn:
        (moved,) = (await caseload.coming_appointments(conn, [5302], today))[5302]
    assert moved.on_date == today + timedelta(days=6) and moved.response is None
    # She cancels it herself: the nurse hears.
    await mother.send("/appointments")
    await mother.click("🗑 Cancel {what}", what="Talk with the psycho")  # her button says the first 20 characters
    await mother.click("Yes, cancel it")
    await bot.tick()
    assert nurse.t("🗑 <b>{name}</b> cancelled the appointment you set: {appointment}.", name="Aigerim",
                   appointment=f"Talk with the psychologist, {format_date(today + timedelta(days=6))}, 15:00") == nurse.last_text
    assert bot.app.context.errors == 0


# --- home visits ---------------------------------------------------------------------------------

async def test_a_recorded_visit_marks_the_calendars_patronage_visit_done_and_may_suggest_progressive(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    nurse, mother, today = await nurse_and_mother(bot, 5401, 13)
    await open_card(nurse, 5401)
    await nurse.click("🏠 Record a visit")
    await nurse.send("31.02.2026")
    assert nurse.one_message().html == nurse.t("I could not read this date. Please type it as day.month.year, for example 15.03.2027.")
    await nurse.send(format_date(today + timedelta(days=1)))
    assert nurse.one_message().html == nurse.t("Please type a date within the last year, and not in the future.")
    await nurse.send(format_date(today))
    await nurse.click("▫️ " + nurse.t("Mother's health"))
    await nurse.click("▫️ " + nurse.t("Mood and wellbeing"))
    await nurse.click("✅ " + nurse.t("Mood and wellbeing"))  # changed her mind
    await nurse.click("▫️ " + nurse.t("Home safety"))
    await nurse.click("Next ➡️")
    await nurse.click("▫️ " + nurse.t("Depression"))
    await nurse.click("Next ➡️")
    await nurse.send("Tired, sleeps badly; her sister helps")
    saved = nurse.last_text
    visit = care_item("patronage_preg_1").title("en")  # type: ignore[union-attr]
    assert nurse.t("In her calendar it counts as: {item} ✅", item=visit) in saved
    assert nurse.t(
        "You named a risk. Switch this family to progressive patronage (more frequent check-ins and visits)?"
    ) in saved
    await nurse.click("🟠 Yes, progressive")
    card = nurse.last_text
    assert card.startswith("👪 <b>Aigerim</b> 🟠")
    assert nurse.t("🏠 {count} home visit, the last on {date}", count=1, date=format_date(today)) in card
    assert nurse.t("risks named: {what}", what=nurse.t("Depression")) in card
    assert f"✅ {visit}" in card

    async with bot.app.context.database.reading() as conn:
        states = {s.item_id: s.status for s in await care.states_of(conn, 5401)}
        visit_row = await caseload.last_visit(conn, 5401)
    assert states["patronage_preg_1"] == "done"
    assert visit_row is not None and visit_row.assessed == ("mother", "safety") and visit_row.risks == ("depression",)
    (entry,) = [e for e in await audit(bot, 5401) if e["action"] == "home_visit_recorded"]
    assert entry["details"] == {"assessed": 2, "item": "patronage_preg_1", "risks": "depression"}
    # She sees it done in her own calendar, and is not reminded of it any more.
    await mother.send("/calendar")
    assert f"✅ {html.quote(visit)}" in mother.last_text
    await bot.live_until(bot.clock.now() + timedelta(days=10), step=timedelta(hours=12))
    assert not messages_with(mother, f"<b>{html.quote(visit)}</b>")  # no heads-up, no nudge
    assert bot.app.context.errors == 0


# --- the support plan ----------------------------------------------------------------------------

async def test_a_support_plan_goal_reaches_her_reminds_her_on_its_date_and_progress_shows_on_the_card(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    nurse, mother, today = await nurse_and_mother(bot, 5701, 20, lang="kk")
    due = today + timedelta(days=5)

    async def add_goal(goal: str, step: str, on: date) -> None:
        await open_card(nurse, 5701)
        await nurse.click("📋 Support plan")
        await nurse.click("➕ Add a goal")
        await nurse.send(goal)
        await nurse.send(step)
        await nurse.send(format_date(on))

    await add_goal("Walk 30 minutes a day", "Find a walking partner", due)
    assert nurse.saw("Added. She is told now, and reminded on {date}.", date=format_date(due))
    assert "Walk 30 minutes a day" in nurse.last_text and nurse.t("{done} of {total} goals done", done=0, total=1) in nurse.last_text
    await bot.tick()
    assert mother.t("👩‍⚕️ Your nurse added a goal to your support plan:") in mother.last_text
    await mother.click("📋 My plan")
    assert "Walk 30 minutes a day" in mother.last_text and "Find a walking partner" in mother.last_text
    await mother.send("/plan")
    assert mother.t("<b>📋 Your support plan</b>") in mother.last_text

    # A second goal she ticks off at once is never reminded; a third is moved to a later date.
    await add_goal("Eat iron-rich food", "Buy lentils", today + timedelta(days=4))
    await add_goal("See the dentist", "Call the dentist", today + timedelta(days=3))
    await bot.tick()
    await mother.send("/plan")
    await mother.click("✅ Done: goal {n}", n=1)  # by date: dentist (3 days), iron (4), walking (5)
    async with bot.app.context.database.reading() as conn:
        dentist, iron, walk = await caseload.goals_of(conn, 5701)
    assert dentist.done and not iron.done
    await nurse.forge_click(GoalCb(action="open", goal_id=iron.id))
    await nurse.click("📅 The date")
    await nurse.send(format_date(today + timedelta(days=6)))

    await bot.live_until(datetime.combine(due, time(12), tzinfo=ALMATY), step=timedelta(hours=2))
    reminders = messages_with(mother, mother.t("📋 Today is the date of a goal in your support plan:"))
    assert len(reminders) == 1 and "Walk 30 minutes a day" in reminders[0].html
    arrived = datetime.fromtimestamp(reminders[0].date, ALMATY)
    assert arrived.date() == due and arrived.time() >= time(10)
    await mother.click("✅ Done", on=reminders[0])
    await bot.tick()
    assert nurse.saw("✅ <b>{name}</b> ticked off a goal of her support plan: {goal}", name="Aigerim", goal="Walk 30 minutes a day")
    assert nurse.t("📋 Support plan: {done} of {total} goals done", done=2, total=3) in await open_card(nurse, 5701)
    # Nobody else can tick her goals off, and /plan is not a staff command.
    other = await registered_planning(bot, 5799, lang="en", name="Dana")
    await other.forge_click(MotherPlanCb(action="done", goal_id=iron.id))
    other.assert_answered("This button is no longer active.")
    await other.send("/plan")
    assert other.one_message().html == other.t(
        "You have no support plan yet. Your patronage nurse draws it up with you after a home visit: "
        "a few small goals, each with a next step and a date."
    )
    await nurse.send("/plan")
    assert "Walk 30 minutes" not in nurse.last_text
    # The moved goal is reminded on its new date only.
    await bot.live_until(datetime.combine(today + timedelta(days=7), time(12), tzinfo=ALMATY), step=timedelta(hours=2))
    reminders = messages_with(mother, mother.t("📋 Today is the date of a goal in your support plan:"))
    assert [r for r in reminders if "iron" in r.html] and len(reminders) == 2
    assert not [r for r in reminders if "dentist" in r.html]
    assert datetime.fromtimestamp(reminders[1].date, ALMATY).date() == today + timedelta(days=6)
    assert bot.app.context.errors == 0


# --- the card stays one message ------------------------------------------------------------------

async def test_the_card_stays_within_one_message_with_many_children_appointments_and_a_long_note(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse = await with_nurse(bot)
    mother = await open_chat(bot, 5801, "en")
    await register_until_place(mother, "🤰 I am pregnant", "👶 I have a child under five")
    await mother.click("🔢 I only know the week")
    await mother.send("20")
    await mother.click("✅ Yes, that's right")
    kids = ["Aruzhan", "Dilnaz", "Alikhan", "Nursultan", "Aisha", "Madina", "Yerassyl", "Tomiris", "Arman", "Zere"]
    for n, kid in enumerate(kids):
        await mother.send(f"{kid} Abdrakhmanova-Seitkali")
        await mother.send(f"{1 + n}.0{1 + n % 9}.{2022 + n % 4}")
        await mother.click("👧 Girl")
        await mother.click("➕ Add another child" if n < len(kids) - 1 else "No, that's all")
    await mother.click("✅ Confirm")
    today = bot.clock.now().astimezone(ALMATY).date()
    for n in range(12):
        await mother.send("/appointments")
        await mother.click("➕ Add an appointment")
        await mother.send(f"Appointment {n} " + "with a long description " * 4)
        await mother.send(format_date(today + timedelta(days=n + 1)))
        await mother.send("09:30")
        await mother.send(f"Place {n} " + "a long address and room " * 4)
    # The longest note she may keep, in characters that Telegram counts twice.
    await open_card(nurse, 5801)
    await nurse.click("📝 Note")
    await nurse.send("🙂" * 1001)
    assert nurse.one_message().html == nurse.t(
        "This note is {length} characters, and a note can hold up to {limit}. "
        "Could you shorten it a little, to the main points? Nothing is saved yet.", length=1001, limit=1000,
    )
    await nurse.send("🙂" * 1000)
    assert nurse.one_message().html == nurse.t("Saved: the note is on her card.")

    card = await open_card(nurse, 5801)
    assert card.startswith("👪 <b>Aigerim</b>") and "🙂" * 1000 in card
    assert len(nurse.user.last_message.text.encode("utf-16-le")) // 2 <= 4096
    # Every list is there, cut short with what it leaves out.
    appointments = card.split(nurse.t("<b>Appointments</b>"))[1].split("\n\n")[0].split("\n")
    assert appointments[1].startswith(f"• {format_date(today + timedelta(days=1))}, 09:30: Appointment 0")
    assert appointments[-1] == nurse.t("… and {n} more", n=12 - (len(appointments) - 2))
    assert "Aruzhan" in card and nurse.t("<b>Coming up</b>") in card
    assert bot.app.context.errors == 0
    # The note is audited by its length only, never its text.
    (saved,) = [e for e in await audit(bot, 5801) if e["action"] == "note_saved"]
    assert saved["details"] == {"chars": 1000}


# --- life events ---------------------------------------------------------------------------------

async def test_a_loss_is_told_to_her_nurse_once_and_gently_and_a_birth_too(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    _admin, nurse = await with_nurse(bot)
    mother = await registered_at_week(bot, 5501, "en", 16)
    alone = await registered_at_week(bot, 5502, "en", 16, polyclinic="almaty_pc7")  # no nurse there yet
    await bot.tick()
    for person in (mother, alone):
        await person.send("/profile")
        await person.click("💔 I lost the pregnancy")
        await person.click("Yes, the pregnancy has ended")
    await bot.tick()
    await mother.send("/stop")
    await mother.send("/start")  # a re-plan: nothing is told twice
    await bot.live_until(bot.clock.now() + timedelta(days=2))
    told = messages_with(nurse, "💔")
    assert len(told) == 1
    assert told[0].html == nurse.t(
        "💔 <b>{name}</b> has told the bot that her pregnancy has ended ({date}). "
        "She no longer gets any pregnancy messages.\n\n"
        "Please reach out to her with care, at her pace: a gentle call or a visit. "
        "She was told that you would know, so she does not have to explain.",
        name="Aigerim", date=format_date(bot.clock.now().astimezone(ALMATY).date() - timedelta(days=2)),
    )

    async with bot.app.context.database.reading() as conn:
        ours = await caseload.life_events_of(conn, 5501)
        theirs = await caseload.life_events_of(conn, 5502)
    assert ours[0].staff_notified_at is not None and theirs[0].staff_notified_at is None
    # The card shows it to whoever looks after her later.
    assert nurse.t("💔 Pregnancy ended on {date}", date=format_date(ours[0].occurred_on)) in await open_card(nurse, 5501)

    born = await registered_at_week(bot, 5503, "en", 39, name="Dana")
    await born.send("/profile")
    await born.click("👶 My baby is born")
    await born.send("Alikhan")
    await born.send(format_date(bot.clock.now().astimezone(ALMATY).date()))
    await born.click("👦 Boy")
    await born.send("40")
    await born.send("3600")
    await bot.tick()
    assert nurse.last_text == nurse.t(
        "👶 <b>{name}</b> has told the bot that her baby is born: {baby}, {date}. "
        "Her baby's calendar has started; please plan the first newborn home visit.",
        name="Dana", baby="Alikhan", date=format_date(bot.clock.now().astimezone(ALMATY).date()),
    )
    assert bot.app.context.errors == 0

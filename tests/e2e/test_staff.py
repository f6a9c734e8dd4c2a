"""Staff end to end: invitations, joining, menus, assignment, deactivation, scope and refusals."""

from __future__ import annotations

from datetime import timedelta

from bot.content import polyclinic
from bot.keyboards.staff import AssignCb, InviteCb, StaffCb
from db import staff as staff_db
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import (
    ADMIN_ID,
    audit_actions,
    clinic_name,
    invite,
    join,
    link_payload,
    national_admin,
    nurse_at,
    region_name,
    registered_planning,
    staff_person,
)


async def nurse_of(bot: RunningBot, family_id: int) -> int | None:
    async with bot.app.context.database.reading() as conn:
        staff_id = await staff_db.nurse_of(conn, family_id)
        member = await staff_db.get_staff(conn, staff_id) if staff_id else None
    return member.user_id if member else None


def saw_button(person: Person, msgid: str, **params: object) -> bool:
    label = person.t(msgid, **params)
    return any(b["text"] == label for m in person.user.messages for row in m.inline_buttons for b in row)


def texts(person: Person) -> str:
    return "\n".join(m.html or m.text or "" for m in person.user.messages)


async def test_an_invited_nurse_joins_and_gets_the_families_of_her_polyclinic(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    assert saw_button(admin, "📊 Statistics")  # the admin menu
    assert [c["command"] for c in bot.emulator.resolve_commands(ADMIN_ID, "en")][:3] == ["start", "families", "alerts"]

    waiting = await registered_planning(bot, 5001, "kk")  # registered before any nurse works there
    assert await nurse_of(bot, 5001) is None

    payload = await invite(admin, "nurse", "almaty_city", "almaty_pc1")
    assert payload.startswith("inv_") and len(payload) >= 20
    assert "https://t.me/anabala_test_bot?start=inv_" in admin.last_text
    assert admin.last_has(admin.t("Send this link yourself to the person you are inviting. It works once, until {date}; "
                                  "whoever opens it first joins, so share it with nobody else.", date="01.12.2026"))

    nurse = staff_person(bot, 7001, "ru", first_name="Gulnara", last_name="Serikova")
    await nurse.send(f"/start {payload}")
    clinic = clinic_name(nurse, "almaty_pc1")
    role = nurse.t("patronage nurse, {polyclinic} ({region})", polyclinic=clinic, region=region_name(nurse, "almaty_city"))
    assert nurse.one_message().html == nurse.t(
        "Welcome to AnaBala! You are invited as {role}.\n\n"
        "Please type your name as families will see it (for example: Aigerim Bekova).", role=role
    )
    await nurse.click("✅ {name}", name="Gulnara Serikova")  # her Telegram name, as it is
    await nurse.share_contact()
    assert saw_button(nurse, "💬 Questions from families")  # the nurse menu
    assert [c["command"] for c in bot.emulator.resolve_commands(7001, "ru")] == ["start", "families", "alerts", "questions", "today", "console", "language", "help"]
    assert "/invite" not in texts(nurse)

    # The mother who waited has her now; a new mother is assigned at once. Both are told; so is she.
    fresh = await registered_planning(bot, 5002, "ru")
    assert await nurse_of(bot, 5001) == 7001 and await nurse_of(bot, 5002) == 7001
    await bot.tick()
    for mother in (waiting, fresh):
        assert mother.saw("Your patronage nurse: <b>{name}</b>", name="Gulnara Serikova")
    assert waiting.saw("To write to her, send /nurse.")  # the fresh one read it in her registration's reply
    new_family = nurse.t("👪 A new family in your care: <b>{name}</b>, {stage}.\nSee your families: /families",
                         name="Aigerim", stage=nurse.t("planning a pregnancy"))
    assert sum(new_family in (m.html or "") for m in nurse.user.messages) == 2

    # The link worked once.
    other = staff_person(bot, 7002, "en")
    await other.send(f"/start {payload}")
    assert other.last_has(other.t(
        "This invitation link cannot be used: it may have been used already, expired (links last 7 days) "
        "or been withdrawn. Please ask your coordinator for a new one."
    ))
    assert "staff_joined" in await audit_actions(bot, 7001)
    assert "invitation_created" in await audit_actions(bot, ADMIN_ID)


async def test_an_invitation_expires_after_seven_days(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    payload = await invite(admin, "nurse")
    bot.clock.advance(timedelta(days=7, minutes=1))
    nurse = staff_person(bot, 7001, "kk")
    await nurse.send(f"/start {payload}")
    assert nurse.last_has(nurse.t(
        "This invitation link cannot be used: it may have been used already, expired (links last 7 days) "
        "or been withdrawn. Please ask your coordinator for a new one."
    ))
    async with bot.app.context.database.reading() as conn:
        assert await staff_db.active_staff(conn, 7001) is None


async def test_families_go_to_the_nurse_with_fewer_and_move_when_a_nurse_is_deactivated(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    first = await nurse_at(bot, admin, 7001, name="Gulnara Serikova")
    second = await nurse_at(bot, admin, 7002, name="Saule Akhmetova")
    for family_id in (5001, 5002, 5003):
        await registered_planning(bot, family_id, "kk")
    # 5001 → first (a tie: the longest-serving), 5002 → second, 5003 → first (1 each, the tie again).
    assert [await nurse_of(bot, f) for f in (5001, 5002, 5003)] == [7001, 7002, 7001]

    await admin.send("/staff")
    await admin.click("Gulnara Serikova")
    assert admin.last_has(admin.t("Families: {count}", count=2))
    await admin.click("⛔ Deactivate")
    await admin.click("Yes, deactivate")
    assert admin.last_has(admin.t(
        "{name} is deactivated. Families moved to other nurses: {moved}. Waiting for a nurse: {left} (/unassigned).",
        name="Gulnara Serikova", moved=2, left=0,
    ))
    assert [await nurse_of(bot, f) for f in (5001, 5002, 5003)] == [7002, 7002, 7002]
    await bot.tick()
    assert first.saw("Your staff access in AnaBala has ended. Thank you for your work. "
                     "If this is a mistake, please talk to your programme coordinator.")
    assert bot.emulator.get_commands("chat", chat_id=7001) is None  # her staff menu is gone
    assert second.saw("👪 A new family in your care: <b>{name}</b>, {stage}.\nSee your families: /families",
                      name="Aigerim", stage=second.t("planning a pregnancy"))

    # She is staff no more: an old staff button is refused and written down.
    await first.forge_click(StaffCb(action="open", staff_id=1))
    first.assert_answered("This is not available to you.")
    assert "denied" in await audit_actions(bot, 7001)


async def test_a_family_without_a_nurse_is_listed_for_admins_and_can_be_assigned(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await nurse_at(bot, admin, 7001, polyclinic="almaty_pc1")
    mother = await registered_planning(bot, 5001, "ru", polyclinic="almaty_pc6")  # no nurse works at polyclinic 2 yet
    assert await nurse_of(bot, 5001) is None
    await admin.send("/unassigned")
    assert admin.last_has(admin.t("<b>Families without a nurse:</b> {count}", count=1))
    assert "Aigerim" in admin.last_text and "+7 701 000 50 01" in admin.last_text
    await admin.click("Assign {name}", name="Aigerim")
    await admin.click("Gulnara Serikova")
    assert admin.last_has(admin.t("Every family has a nurse."))
    assert await nurse_of(bot, 5001) == 7001
    await bot.tick()
    assert mother.saw("Your patronage nurse: <b>{name}</b>", name="Gulnara Serikova")
    assert "family_reassigned" in await audit_actions(bot, ADMIN_ID)


async def test_a_regional_admin_works_only_in_her_region(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    national = await national_admin(bot)
    await nurse_at(bot, national, 7001, polyclinic="almaty_pc1", name="Gulnara Serikova")
    await nurse_at(bot, national, 7002, polyclinic="astana_pc1", region="astana", name="Saule Akhmetova")
    astana_mother = await registered_planning(bot, 5009, "kk", region="astana", polyclinic="astana_pc2")
    assert astana_mother is not None
    payload = await invite(national, "admin", "almaty_city")
    regional = await join(bot, 8001, payload, "en", name="Aliya Nurlanova")
    assert regional.saw("programme admin for {region}", region=region_name(regional, "almaty_city"))

    await regional.send("/staff")
    assert "Gulnara Serikova" in regional.last_text and "Saule Akhmetova" not in regional.last_text
    # Invitations: only her region, even with a forged button.
    await regional.send("/invite")
    await regional.click("🧑‍⚕️ A nurse")
    assert regional.last_has(regional.t("Which polyclinic?"))  # no region question: hers
    await regional.forge_click(InviteCb(step="region", role="nurse", region="astana"))
    await regional.forge_click(InviteCb(step="polyclinic", role="nurse", polyclinic="astana_pc1"))
    regional.assert_answered("This is not available to you.")
    # Families: another region's are neither listed nor assignable.
    await regional.send("/unassigned")
    assert "5009" not in regional.last_text and "Aigerim" not in regional.last_text
    await regional.forge_click(AssignCb(action="to", family_id=5009, staff_id=1))
    regional.assert_answered("This is not available to you.")
    async with bot.app.context.database.reading() as conn:
        assert await staff_db.nurse_of(conn, 5009) is None
        invitations = [e for e in await staff_db.audit_entries(conn, limit=500) if e["actor_id"] == 8001]
    assert sum(1 for e in invitations if e["action"] == "denied") >= 3
    assert not any(e["action"] == "invitation_created" for e in invitations)


async def test_a_mother_can_never_reach_a_staff_function(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    mother = await registered_planning(bot, 5001, "kk")
    for forged in (StaffCb(action="confirm", staff_id=1), InviteCb(step="region", role="nurse", region="almaty_city"),
                   AssignCb(action="to", family_id=5001, staff_id=1)):
        await mother.forge_click(forged)
        mother.assert_answered("This is not available to you.")
    await mother.send("/invite")
    await mother.send("/staff")
    assert not mother.saw("Whom would you like to invite?") and not mother.saw("<b>Staff</b> (page {page} of {pages})", page=1, pages=1)
    assert (await audit_actions(bot, 5001)).count("denied") == 3
    assert bot.app.context.errors == 0


async def test_a_polyclinic_link_registers_a_family_with_her_polyclinic_filled_in(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await admin.send("/invite")
    await admin.click("🔗 A polyclinic's registration link for families")
    await admin.click(region_name(admin, "almaty_city"))
    await admin.click(clinic_name(admin, "almaty_pc6"))
    qr = admin.user.last_message
    assert qr is not None and qr.kind == "photo"
    payload = link_payload(qr.text or "")
    assert payload == "pc_almaty_pc6"

    mother = Person(bot, bot.emulator.user(user_id=5001, first_name="Aigerim", language_code="ru"), "ru")
    await mother.send(f"/start {payload}")
    await mother.click("Русский")
    await mother.click("✅ I agree")
    await mother.click("🌱 I am planning a pregnancy")
    await mother.click("Continue ➡️")
    await mother.send("Aigerim")
    await mother.share_contact()
    # No region or polyclinic question: straight to the summary, with polyclinic 2.
    assert polyclinic("almaty_pc6").name("ru") in mother.last_text  # type: ignore[union-attr]
    assert not mother.saw("Which region do you live in?") and not mother.saw("Which polyclinic are you attached to?")
    await mother.click("✅ Confirm")
    async with bot.app.context.database.reading() as conn:
        from db import families

        user = await families.get_user(conn, 5001)
    assert user is not None and user.polyclinic == "almaty_pc6" and user.region == "almaty_city"


async def test_staff_commands_and_free_text_never_start_a_mothers_registration(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await admin.send("hello")
    assert admin.last_has(admin.t("Please use the menu: /start (or /help)."))
    await admin.send("/help")
    assert admin.last_has("/broadcast")
    assert not saw_button(admin, "✅ I agree")  # never the mother's consent question

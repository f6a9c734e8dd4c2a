"""Registration end to end: the real app, over HTTP, against the strict emulator."""

from __future__ import annotations

import pytest

from db import families
from tests.e2e.harness import RunningBot
from tests.story import REGISTERED, clinic_name, open_chat, region_name, register_until_place


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_full_registration_pregnant_with_a_child(bot: RunningBot, lang: str) -> None:
    mother = await open_chat(bot, 1001, lang)
    assert mother.saw("Please choose your language")
    consent = mother.user.last_message
    assert "/delete_me" in consent.text and "/privacy" in consent.text
    assert [b["text"] for row in consent.inline_buttons for b in row] == [mother.t("✅ I agree"), mother.t("No, thank you")]

    await register_until_place(mother, "🤰 I am pregnant", "👶 I have a child under five")
    assert mother.user.reply_keyboard is None  # the share-contact keyboard is gone once she shared
    assert mother.last_has(mother.t("What do you know about your pregnancy dates?"))

    await mother.click("📅 I know my due date")
    await mother.send("15.05.2027")
    # 2026-11-24 is 108 days into a pregnancy due 2027-05-15: week 15, trimester 2.
    assert "15" in mother.last_text and "15.05.2027" in mother.last_text
    await mother.click("✅ Yes, that's right")

    await mother.send("Aruzhan")
    await mother.send("5/9/2025")
    await mother.click("👧 Girl")
    await mother.click("No, that's all")

    summary = mother.last_text
    assert mother.t("<b>Please check your details</b>") in summary
    for fragment in ("Aigerim", "Aruzhan", "05.09.2025", "15.05.2027", region_name(mother, "almaty_city")):
        assert fragment in summary

    await mother.click("✅ Confirm")
    # The reply goes on with who her nurse is (here: none yet), whatever the hour (Step 7).
    assert mother.last_text.startswith(mother.t(REGISTERED))

    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 1001)
        pregnancy = await families.active_pregnancy(conn, 1001)
        kids = await families.list_children(conn, 1001)
    assert user is not None and user.language == lang and user.name == "Aigerim"
    assert user.region == "almaty_city" and user.polyclinic == "almaty_pc1"
    assert pregnancy is not None and pregnancy.due_date.isoformat() == "2027-05-15"
    assert [(k.name, k.birth_date.isoformat(), k.sex) for k in kids] == [("Aruzhan", "2025-09-05", "girl")]
    # Her command menu is in her language.
    commands = bot.emulator.get_commands(scope_type="chat", chat_id=1001)
    assert commands and commands[0]["description"] == mother.t("Start or resume")


async def test_planning_woman_registers_with_lmp_changes_nothing_else(bot: RunningBot) -> None:
    woman = await open_chat(bot, 1002, "ru")
    await register_until_place(woman, "🌱 I am planning a pregnancy")
    assert woman.t("<b>Please check your details</b>") in woman.last_text
    assert woman.t("Planning a pregnancy") in woman.last_text
    await woman.click("✅ Confirm")
    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 1002)
        assert user is not None and user.planning
        assert await families.active_pregnancy(conn, 1002) is None


async def test_bad_answers_get_kind_replies_and_lose_nothing(bot: RunningBot) -> None:
    mother = await open_chat(bot, 1003, "kk")
    await mother.click("✅ I agree")
    # "Continue" with nothing chosen: an alert, nothing moves.
    await mother.click("Continue ➡️")
    mother.assert_answered("Please choose at least one option.")
    await mother.click("🤰 I am pregnant")
    await mother.click("Continue ➡️")

    await mother.send("12345")
    assert mother.one_message().html == mother.t(
        "I could not read this as a name. Please type your name in letters, for example: Aigerim."
    )
    await mother.send("Айгерім Сәрсенова")

    await mother.send("+7 727 255 55 55")  # an Almaty landline
    assert mother.one_message().html == mother.t(
        "This does not look like a Kazakhstan mobile number. Please type it like +7 701 123 45 67, "
        "or use the button below."
    )
    await mother.share_contact("+77010000000", own=False)
    assert mother.one_message().html == mother.t(
        "This is someone else's contact. Please share your own number with the button below, or type it."
    )
    await mother.send("8 (701) 123-45-67")
    assert "+7 701 123 45 67" in mother.recent_texts(2)[0]

    await mother.send("Almaty")  # typed instead of pressing a region
    assert mother.saw("Please answer the question below, or use its buttons.")
    await mother.click(region_name(mother, "zhambyl"))
    await mother.click("My polyclinic is not in the list")

    await mother.click("🩸 I know the first day of my last period")
    await mother.send("32.13.2026")
    assert mother.one_message().html == mother.t(
        "I could not read this date. Please type it as day.month.year, for example 15.03.2027."
    )
    await mother.send("01.12.2026")
    assert mother.one_message().html == mother.t("This date is in the future. Please type the first day of your last period.")
    await mother.send("01.01.2025")
    assert mother.one_message().html == mother.t("This date is more than 44 weeks ago. Please check it and type it again.")
    await mother.send("1.9.26")
    await mother.click("✏️ Change")
    await mother.click("🔢 I only know the week")
    await mother.send("50")
    assert mother.one_message().html == mother.t("Please type a whole number of weeks from 4 to 42.")
    await mother.send("12")
    assert "12" in mother.last_text
    await mother.click("✅ Yes, that's right")

    summary = mother.last_text
    assert "Айгерім Сәрсенова" in summary and "+7 701 123 45 67" in summary
    assert region_name(mother, "zhambyl") in summary and mother.t("not in the list") in summary
    await mother.click("✅ Confirm")
    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 1003)
    assert user is not None and user.phone == "+77011234567" and user.polyclinic is None and user.polyclinic_unlisted


async def test_child_birth_date_checks(bot: RunningBot) -> None:
    parent = await open_chat(bot, 1004, "ru")
    await register_until_place(parent, "👶 I have a child under five")
    await parent.send("Алихан")
    await parent.send("01.01.2030")
    assert parent.one_message().html == parent.t("This date is in the future. Please type the date of birth.")
    await parent.send("01.01.2019")
    assert parent.one_message().html == parent.t(
        "This date is six or more years ago. AnaBala follows children up to the age of five. Please check the date."
    )
    await parent.send("2024-02-29")
    await parent.click("👦 Boy")
    await parent.click("➕ Add another child")
    await parent.send("Амина")
    await parent.send("10 10 2025")
    await parent.click("👧 Girl")
    await parent.click("No, that's all")
    assert "Алихан" in parent.last_text and "Амина" in parent.last_text
    # Remove one child from the summary, then confirm.
    await parent.click("✏️ Children")
    await parent.click("🗑 Remove {name}", name="Алихан")
    assert "Алихан" not in parent.last_text and "Амина" in parent.last_text
    await parent.click("✅ Confirm")
    async with bot.app.context.database.reading() as conn:
        kids = await families.list_children(conn, 1004)
    assert [k.name for k in kids] == ["Амина"]


async def test_start_in_the_middle_continues_and_stale_button_is_refused(bot: RunningBot) -> None:
    mother = await open_chat(bot, 1005, "en")
    await mother.click("✅ I agree")
    await mother.click("🤰 I am pregnant")
    await mother.click("Continue ➡️")
    await mother.send("Dana")
    await mother.send("+77051112233")
    assert mother.last_text == mother.t("Which region do you live in?")
    region_question = mother.user.last_message

    await mother.send("/start")
    assert mother.saw("You are in the middle of registration. Let's continue where you stopped.")
    assert mother.last_text == mother.t("Which region do you live in?")
    await mother.click(region_name(mother, "astana"))
    assert mother.one_message().html == mother.t("Which polyclinic are you attached to?")

    # The first region question still shows its buttons; pressing one now is refused kindly.
    await mother.click(region_name(mother, "shymkent"), on=region_question)
    mother.assert_answered("This button is no longer active.")
    assert mother.one_message().html == mother.t("Which polyclinic are you attached to?")

    # /help in the middle answers, then repeats the question.
    await mother.send("/help")
    assert "/delete_me" in mother.recent_texts(2)[0]
    assert mother.last_text == mother.t("Which polyclinic are you attached to?")


async def test_declining_consent_stores_nothing(bot: RunningBot) -> None:
    person = await open_chat(bot, 1006, "kk")
    await person.click("No, thank you")
    assert person.one_message().html == person.t(
        "I understand. I have not kept anything about you. If you change your mind, just send /start."
    )
    async with bot.app.context.database.reading() as conn:
        assert await families.get_user(conn, 1006) is None
        from sqlalchemy import func, select

        from db.schema import fsm_states

        assert (await conn.execute(select(func.count()).select_from(fsm_states))).scalar_one() == 0


async def test_summary_edits_return_to_the_summary_with_everything_kept(bot: RunningBot) -> None:
    mother = await open_chat(bot, 1007, "en")
    await register_until_place(mother, "🤰 I am pregnant")
    await mother.click("🔢 I only know the week")
    await mother.send("20 weeks")
    await mother.click("✅ Yes, that's right")
    assert mother.t("<b>Please check your details</b>") in mother.last_text

    await mother.click("✏️ Name")
    assert mother.one_message().html == mother.t("What is your name? Please type it, for example: Aigerim.")
    await mother.send("Dana")
    summary = mother.last_text
    assert mother.t("<b>Please check your details</b>") in summary and "Dana" in summary and "week 20" in summary

    await mother.click("✏️ Region and polyclinic")
    await mother.click(region_name(mother, "astana"))
    await mother.click(clinic_name(mother, "astana_pc2"))
    summary = mother.last_text
    assert region_name(mother, "astana") in summary and clinic_name(mother, "astana_pc2") in summary
    assert "Dana" in summary and "week 20" in summary

    # Adding "I have a child" asks about the child, then comes back to the summary.
    await mother.click("✏️ Who I am")
    await mother.click("👶 I have a child under five")
    await mother.click("Continue ➡️")
    await mother.send("Aru")
    await mother.send("01.02.2025")
    await mother.click("👧 Girl")
    await mother.click("No, that's all")
    summary = mother.last_text
    assert "Aru" in summary and "Dana" in summary and "week 20" in summary
    await mother.click("✅ Confirm")
    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 1007)
        kids = await families.list_children(conn, 1007)
    assert user is not None and user.name == "Dana" and user.polyclinic == "astana_pc2"
    assert [k.name for k in kids] == ["Aru"]


async def test_a_forged_role_on_the_roles_question_is_no_longer_active_and_the_question_stays(bot: RunningBot) -> None:
    mother = await open_chat(bot, 3003, "en")
    await mother.click("✅ I agree")
    roles = mother.one_message()
    await mother.forge_click("role:grandmother")
    mother.assert_answered("This button is no longer active.", show_alert=True)
    await mother.click("🤰 I am pregnant", on=roles)
    mother.assert_answered()

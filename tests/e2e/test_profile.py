"""After registration: /profile edits, the baby is born, a pregnancy lost, /stop, /language, /delete_me."""

from __future__ import annotations

from sqlalchemy import func, select

from db import families
from db.schema import anonymous_counters, users
from tests.e2e.harness import RunningBot
from tests.story import open_chat, registered_at_week


async def test_profile_shows_details_and_edits_name(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2001, "ru", 38)
    await mother.send("/profile")
    assert mother.t("<b>Your profile</b>") in mother.last_text and "Aigerim" in mother.last_text
    await mother.click("✏️ Name")
    await mother.send("<b>Мадина</b>")  # markup is not a name: a kind reply, nothing saved
    assert mother.one_message().html == mother.t(
        "I could not read this as a name. Please type your name in letters, for example: Aigerim."
    )
    await mother.send("Мадина Д'Арк")
    assert mother.saw("Saved.")
    assert "Мадина Д'Арк" in mother.last_text
    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 2001)
    assert user is not None and user.name == "Мадина Д'Арк"


async def test_baby_born_closes_pregnancy_and_adds_child(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2002, "kk", 38)
    await mother.send("/profile")
    await mother.click("👶 My baby is born")
    assert mother.one_message().html == mother.t("Congratulations! What is your baby's name?")
    await mother.send("Нұрлан")
    await mother.send("23.11.2026")
    await mother.click("👦 Boy")
    # A baby under one: the two facts a patronage nurse asks first (Step 6).
    assert mother.one_message().html == mother.t(
        "How many weeks of pregnancy was it when {name} was born? Please type a number, for example 39. "
        "Your nurse uses it to plan her visits.", name="Нұрлан")
    await mother.send("39")
    await mother.click("🤷 I don't know")
    assert mother.saw("Saved.")
    assert "Нұрлан" in mother.last_text
    async with bot.app.context.database.reading() as conn:
        assert await families.active_pregnancy(conn, 2002) is None
        kids = await families.list_children(conn, 2002)
        events = await families.list_life_events(conn, 2002)
    assert [(k.name, k.birth_date.isoformat(), k.sex) for k in kids] == [("Нұрлан", "2026-11-23", "boy")]
    assert (kids[0].gestation_weeks, kids[0].birth_weight_g) == (39, None)
    assert kids[0].pregnancy_id is not None
    assert [kind for kind, _ in events] == ["birth"]


async def test_pregnancy_loss_is_recorded_gently(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2003, "en", 38)
    await mother.send("/profile")
    await mother.click("💔 I lost the pregnancy")
    await mother.click("Yes, the pregnancy has ended")
    assert "We are very sorry for your loss" in mother.last_text
    assert "103" in mother.last_text and "111" in mother.last_text
    async with bot.app.context.database.reading() as conn:
        assert await families.active_pregnancy(conn, 2003) is None
        assert [kind for kind, _ in await families.list_life_events(conn, 2003)] == ["pregnancy_lost"]
    # The profile no longer offers pregnancy buttons.
    await mother.send("/profile")
    labels = [b["text"] for row in mother.user.last_message.inline_buttons for b in row]
    assert mother.t("👶 My baby is born") not in labels and mother.t("🤰 I am pregnant") in labels


async def test_add_and_edit_a_child(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2004, "ru", 38)
    await mother.send("/profile")
    await mother.click("➕ Add a child")
    await mother.send("Дамир")
    await mother.send("01.06.2024")
    await mother.click("👦 Boy")
    await mother.click("✏️ {name}", name="Дамир")
    await mother.click("✏️ Date of birth")
    await mother.send("02.06.2024")
    async with bot.app.context.database.reading() as conn:
        kids = await families.list_children(conn, 2004)
    assert [(k.name, k.birth_date.isoformat()) for k in kids] == [("Дамир", "2024-06-02")]


async def test_forged_child_button_is_refused(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2005, "en", 38)
    other = await registered_at_week(bot, 2006, "en", 38)
    await other.send("/profile")
    await other.click("➕ Add a child")
    await other.send("Timur")
    await other.send("01.06.2024")
    await other.click("👦 Boy")
    async with bot.app.context.database.reading() as conn:
        other_child = (await families.list_children(conn, 2006))[0]
    # Mother 2005 sends callback data naming another family's child.
    await mother.send("/profile")
    await mother.forge_click(f"pf:child_remove_yes:{other_child.id}")
    mother.assert_answered("This button is no longer active.")
    async with bot.app.context.database.reading() as conn:
        assert len(await families.list_children(conn, 2006)) == 1


async def test_stop_pauses_and_start_resumes(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2007, "kk", 38)
    await mother.send("/stop")
    assert mother.one_message().html == mother.t(
        "I have paused my messages. Only urgent safety messages can still reach you. "
        "Send /start whenever you want them again."
    )
    async with bot.app.context.database.reading() as conn:
        assert (await families.get_user(conn, 2007)).paused  # type: ignore[union-attr]
    await mother.send("/start")
    assert mother.one_message().html == mother.t("Welcome back, {name}! Your messages are on again.", name="Aigerim")
    async with bot.app.context.database.reading() as conn:
        assert not (await families.get_user(conn, 2007)).paused  # type: ignore[union-attr]


async def test_language_change_switches_replies_and_menu(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2008, "kk", 38)
    await mother.send("/language")
    await mother.click("Русский")
    mother.lang = "ru"
    assert mother.one_message().html == mother.t("Language: {language}.", language="Русский")
    await mother.send("/profile")
    assert mother.t("<b>Your profile</b>") in mother.last_text
    commands = bot.emulator.get_commands(scope_type="chat", chat_id=2008)
    assert commands[0]["description"] == mother.t("Start or resume")


async def test_delete_me_erases_everything_but_counts(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2009, "en", 38)
    await mother.send("/delete_me")
    await mother.click("No, keep my data")
    async with bot.app.context.database.reading() as conn:
        assert await families.get_user(conn, 2009) is not None
    await mother.send("/delete_me")
    await mother.click("🗑 Yes, erase everything")
    assert mother.one_message().html == mother.t("Done. I have erased all your data. If you ever want to come back, send /start.")
    async with bot.app.context.database.reading() as conn:
        assert (await conn.execute(select(func.count()).select_from(users))).scalar_one() == 0
        assert await families.get_counter(conn, "users_erased") == 1
        assert (await conn.execute(select(func.count()).select_from(anonymous_counters))).scalar_one() == 1
    # She can come back and start afresh.
    await mother.send("/start")
    assert mother.saw("Please choose your language")


async def test_free_text_from_a_registered_mother_gets_safety_guidance(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2010, "ru", 38)
    await mother.send("У меня болит живот")
    assert "103" in mother.last_text and "112" in mother.last_text
    assert bot.app.context.errors == 0


async def test_blocking_the_bot_marks_her_unreachable_and_unblocking_clears_it(bot: RunningBot) -> None:
    mother = await registered_at_week(bot, 2011, "kk", 38)
    mother.user.block()
    await bot.settle()
    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 2011)
    assert user is not None and user.unreachable_at == bot.clock.now()
    mother.user.unblock()
    await bot.settle()
    async with bot.app.context.database.reading() as conn:
        user = await families.get_user(conn, 2011)
    assert user is not None and user.unreachable_at is None


async def test_replies_over_telegrams_flood_limit_wait_and_arrive(bot: RunningBot) -> None:
    from emulator import RateLimits

    mother = await open_chat(bot, 2012, "ru")
    # One message per second and no burst: her phone answer needs two messages at once.
    bot.emulator.rate_limits = RateLimits(per_chat_per_second=1.0, per_chat_burst=1)
    await mother.click("✅ I agree")
    await mother.click("🤰 I am pregnant")
    await mother.click("Continue ➡️")
    await mother.send("Aigerim")
    before = bot.emulator.stats.rate_limited
    await mother.send("+7 701 123 45 67")  # "thank you" and the region question, back to back
    assert bot.emulator.stats.rate_limited > before  # Telegram said 429 ...
    assert mother.last_text == mother.t("Which region do you live in?")  # ... and nothing was lost
    assert bot.app.context.errors == 0

"""One update in, what she sees back: commands, forged and stale buttons — straight through the
dispatcher, no HTTP (the same checks through the emulator are in tests/e2e)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.keyboards.nurse import FamilyCb
from bot.keyboards.profile import ProfileCb
from bot.views.account import help_text
from bot.views.registration import consent_text, language_prompt
from db import families
from db import staff as staff_db
from tests.e2e.harness import START
from tests.handlers.feed import BOT_USERNAME, FedApp
from tests.story import FamilySpec, register_families


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_help_answers_in_her_telegram_language(fed: FedApp, lang: str) -> None:
    person = fed.person(1001, lang)
    await person.send("/help")
    assert person.one_message().html == person.render(help_text)


async def test_start_asks_her_language_in_all_three_then_for_her_consent_in_hers(fed: FedApp) -> None:
    person = fed.person(1002, "ru")
    await person.send("/start")
    question = person.one_message()
    assert question.html == language_prompt(fed.app.context.i18n)  # the one line in all three languages
    assert question.button_labels() == ["Қазақша", "Русский", "English"]
    await person.click("Русский")
    person.assert_answered()
    consent = person.one_message()
    assert consent.html == person.render(consent_text)
    assert consent.button_labels() == [person.t("✅ I agree"), person.t("No, thank you")]


async def test_a_staff_button_forged_by_a_mother_is_refused_and_written_down(fed: FedApp) -> None:
    mother = fed.person(1003, "en")
    await mother.send("/start")
    await mother.forge_click(FamilyCb(action="open", family_id=5001))
    mother.assert_answered("This is not available to you.", show_alert=True)
    assert len(mother.messages) == 1  # still the language question only: nothing is shown to her
    async with fed.app.context.database.reading() as conn:
        denied = [e for e in await staff_db.audit_entries(conn) if e["action"] == "denied"]
    assert [(e["actor_id"], e["details"]["attempted"]) for e in denied] == [(1003, "staff_only")]


async def test_a_button_of_a_child_no_longer_hers_is_no_longer_active_and_her_profile_comes_again(fed: FedApp) -> None:
    await register_families(fed.app.context.database, [FamilySpec(2001, lang="en", births=(date(2025, 3, 1),))], START)
    mother = fed.person(2001, "en")
    await mother.forge_click(ProfileCb(action="child", child_id=999_999))
    mother.assert_answered("This button is no longer active.", show_alert=True)
    assert mother.t("<b>Your profile</b>") in mother.one_message().html
    async with fed.app.context.database.reading() as conn:
        assert len(await families.list_children(conn, 2001)) == 1


async def test_in_a_group_she_is_sent_to_the_private_chat_and_a_button_there_does_nothing(fed: FedApp) -> None:
    mother = fed.person(1004, "en")
    group = fed.in_group(mother, -1_007_400_000_001)
    private_only = "I work only in a private chat, so that nobody else sees your health data: open @{username}"
    await group.send("/profile")
    line = group.one_message()
    assert line.html == group.t(private_only, username=BOT_USERNAME)
    assert fed.called("LeaveChat", group.chat.id)
    # A button pressed under a message of the bot in the group: the same line, and nothing else.
    await group.forge_click(ProfileCb(action="show"), on=line)
    group.assert_answered(private_only, username=BOT_USERNAME)
    assert group.messages == [line] and mother.messages == []

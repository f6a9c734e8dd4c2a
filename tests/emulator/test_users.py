"""The user simulator: acting, reading and waiting like a person using Telegram."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from emulator import BotAPIEmulator, SimUser, WaitTimeout

MENU = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="🤰 Pregnancy", callback_data="menu:pregnancy")],
        [InlineKeyboardButton(text="👶 Child", callback_data="menu:child")],
        [InlineKeyboardButton(text="Website", url="https://anabala.kz")],
    ]
)


@pytest.fixture
async def user(emu: BotAPIEmulator) -> SimUser:
    user = emu.user(1001, first_name="Aigerim", last_name="Nurlanovna", language_code="kk")
    await user.send("/start")
    return user


async def test_same_user_object_for_the_same_id(emu: BotAPIEmulator, user: SimUser) -> None:
    assert emu.user(1001) is user
    assert user.info == {"id": 1001, "is_bot": False, "first_name": "Aigerim", "last_name": "Nurlanovna", "language_code": "kk"}


async def test_start_with_payload_is_a_bot_command(emu: BotAPIEmulator, user: SimUser) -> None:
    message = await user.send("/start ref_42")
    assert message["text"] == "/start ref_42"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert [u["update_id"] for u in emu.pending_updates] == [1, 2]


async def test_click_by_text_substring_and_data(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "Choose", reply_markup=MENU)
    query = await user.click("Child")
    assert query["data"] == "menu:child" and query["from"]["id"] == user.id
    assert query["message"]["message_id"] == sent.message_id and query["chat_instance"]
    assert (await user.click(data="menu:pregnancy"))["data"] == "menu:pregnancy"
    assert (await user.click("🤰 Pregnancy"))["data"] == "menu:pregnancy"
    queued = [u["callback_query"]["id"] for u in emu.pending_updates if "callback_query" in u]
    assert queued[0] == query["id"] and len(set(queued)) == 3


async def test_click_explains_what_is_there(bot: Bot, user: SimUser) -> None:
    with pytest.raises(AssertionError, match="no bot message with an inline keyboard"):
        await user.click("Anything")
    await bot.send_message(user.id, "Choose", reply_markup=MENU)
    with pytest.raises(AssertionError, match="matches no button") as info:
        await user.click("Pension")
    assert "'👶 Child' -> 'menu:child'" in str(info.value)
    with pytest.raises(AssertionError, match="url button"):
        await user.click("Website")
    with pytest.raises(AssertionError, match="ambiguous"):
        await user.click()


async def test_click_uses_the_newest_keyboard_unless_told(bot: Bot, user: SimUser) -> None:
    old = await bot.send_message(user.id, "Old", reply_markup=MENU)
    await bot.send_message(user.id, "New", reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Next", callback_data="next")]]))  # fmt: skip
    await bot.send_message(user.id, "No keyboard here")
    assert (await user.click())["data"] == "next"
    assert (await user.click("Child", message=old.message_id))["data"] == "menu:child"
    # The callback carries the message as it is now.
    await bot.edit_message_text("Old, edited", chat_id=user.id, message_id=old.message_id, reply_markup=MENU)
    assert (await user.click("Child", message=old.message_id))["message"]["text"] == "Old, edited"


async def test_answer_callback_query_rules(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    await bot.send_message(user.id, "Choose", reply_markup=MENU)
    query = await user.click("Child")
    assert emu.unanswered_callback_queries() == [query["id"]]
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query["id"], text="x" * 201)
    await bot.answer_callback_query(query["id"], text="Choose a region", show_alert=True)
    assert user.callback_answers[-1]["text"] == "Choose a region" and user.callback_answers[-1]["show_alert"]
    expired = "query is too old and response timeout expired or query ID is invalid"
    with pytest.raises(TelegramBadRequest, match=expired):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(TelegramBadRequest, match=expired):
        await bot.answer_callback_query("123")
    assert await user.wait_for_callback_answer(timeout=1) == user.callback_answers[-1]


async def test_press_reply_keyboard_with_request_contact(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    share = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="📱 Share my number", request_contact=True)], [KeyboardButton(text="Skip")]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    await bot.send_message(user.id, "Your phone?", reply_markup=share)
    assert [[b["text"] for b in row] for row in user.reply_keyboard or []] == [["📱 Share my number"], ["Skip"]]
    with pytest.raises(AssertionError, match="matches no button"):
        await user.press("Cancel")
    message = await user.press("Share my number")
    assert message["contact"] == {
        "phone_number": user.phone_number, "first_name": "Aigerim", "last_name": "Nurlanovna", "user_id": user.id,
    }  # fmt: skip
    assert user.reply_keyboard is None  # one_time_keyboard hides it after a press
    with pytest.raises(AssertionError, match="no reply keyboard"):
        await user.press("Skip")


async def test_reply_keyboard_persists_until_removed(bot: Bot, user: SimUser) -> None:
    await bot.send_message(user.id, "Menu", reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Help")]]))
    await bot.send_message(user.id, "Something else")
    assert (await user.press("Help"))["text"] == "Help"
    assert user.reply_keyboard is not None
    await bot.send_message(user.id, "Done", reply_markup=ReplyKeyboardRemove())
    assert user.reply_keyboard is None


async def test_sharing_someone_elses_contact(user: SimUser) -> None:
    message = await user.send_contact(phone_number="+77017654321", first_name="Dana", user_id=2002)
    assert message["contact"] == {"phone_number": "+77017654321", "first_name": "Dana", "user_id": 2002}


async def test_block_and_unblock(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    user.block()
    with pytest.raises(AssertionError, match="blocked the bot"):
        await user.send("hello?")
    user.unblock()
    updates = [u for u in emu.pending_updates if "my_chat_member" in u]
    statuses = [(u["my_chat_member"]["old_chat_member"]["status"], u["my_chat_member"]["new_chat_member"]["status"]) for u in updates]
    assert statuses == [("member", "kicked"), ("kicked", "member")]
    parsed = await bot.get_updates()
    assert parsed[1].my_chat_member is not None and parsed[1].my_chat_member.chat.id == user.id


async def test_wait_for_message_cannot_miss_an_early_reply(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    await user.send("ping")
    await bot.send_message(user.id, "pong")  # arrives before the test starts waiting
    assert (await user.wait_for_message()).text == "pong"
    # Each wait consumes what it returned; the next one waits for something new.
    waiter = asyncio.create_task(user.wait_for_message("second", timeout=5))
    await bot.send_message(user.id, "first")
    await bot.send_message(user.id, "second")
    assert (await waiter).text == "second"


async def test_wait_for_message_sees_edits_and_times_out_with_a_transcript(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "Loading…")
    assert (await user.wait_for_message()).text == "Loading…"
    await bot.edit_message_text("Ready", chat_id=user.id, message_id=sent.message_id)
    edited = await user.wait_for_message(lambda m: m.edits > 0)
    assert edited.text == "Ready" and edited.message_id == sent.message_id
    with pytest.raises(WaitTimeout) as info:
        await user.wait_for_message(timeout=0.05)
    assert isinstance(info.value, AssertionError) and isinstance(info.value, TimeoutError)
    assert "bot  #2 (edited 1x): Ready" in str(info.value)


async def test_texts_messages_and_chat_log(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    first = await bot.send_message(user.id, "Hello <b>Aigerim</b>", reply_markup=MENU)
    await bot.send_message(user.id, "Bye")
    await bot.delete_message(user.id, first.message_id)
    assert user.texts() == ["Bye"]
    assert [m.deleted for m in user.messages] == [True, False]
    assert user.last_message is not None and user.last_message.text == "Bye"
    log = emu.chat_log(user.id)
    assert "user #1: /start" in log and "[👶 Child -> menu:child]" in log and "#2 deleted" in log


async def test_mark_read_and_mentions(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    await bot.send_message(user.id, "old")
    user.mark_read()
    waiter = asyncio.create_task(user.wait_for_message())
    sent = await bot.send_message(user.id, f'Hi <a href="tg://user?id={user.id}">you</a> and <a href="tg://user?id=9">ghost</a>')
    assert (await waiter).text == "Hi you and ghost"
    (mention,) = sent.entities or []
    assert mention.type == "text_mention" and mention.user is not None and mention.user.first_name == "Aigerim"

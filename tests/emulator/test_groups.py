"""Groups, supergroups and channels: what a bot added to one receives, and what Telegram answers it."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from emulator import BotAPIEmulator


async def _updates(bot: Bot) -> list:  # type: ignore[type-arg]
    return await bot.get_updates(timeout=0, allowed_updates=["message", "my_chat_member", "channel_post", "callback_query"])


async def test_a_member_adds_the_bot_then_writes_in_the_group(emu: BotAPIEmulator, bot: Bot) -> None:
    aigerim = emu.user(1001, first_name="Aigerim")
    group = emu.group(-1001234, "Mothers", kind="supergroup")
    await _updates(bot)  # sets allowed_updates
    await group.add_bot(aigerim)
    await group.say(aigerim, "/profile")
    updates = await _updates(bot)
    member, joined, said = updates[-3:]
    assert member.my_chat_member.chat.type == "supergroup" and member.my_chat_member.new_chat_member.status == "member"
    assert joined.message.new_chat_members[0].is_bot
    assert said.message.chat.id == -1001234 and said.message.from_user.id == 1001 and said.message.text == "/profile"
    sent = await bot.send_message(-1001234, "hello group")
    assert sent.chat.type == "supergroup" and group.messages[-1].text == "hello group"


async def test_after_leave_chat_the_group_answers_403_and_a_private_chat_cannot_be_left(emu: BotAPIEmulator, bot: Bot) -> None:
    aigerim = emu.user(1001, first_name="Aigerim")
    await aigerim.send("/start")
    group = emu.group(-1001235, "Cousins", kind="group")
    await group.add_bot(aigerim)
    assert await bot.leave_chat(-1001235)
    assert not group.bot_is_member and group.left_by_bot
    with pytest.raises(TelegramForbiddenError, match="not a member"):
        await bot.send_message(-1001235, "still here?")
    with pytest.raises(TelegramBadRequest):
        await bot.leave_chat(1001)


async def test_a_channel_post_has_no_sender_and_an_anonymous_admin_is_group_anonymous_bot(emu: BotAPIEmulator, bot: Bot) -> None:
    aigerim = emu.user(1001, first_name="Aigerim")
    channel = emu.group(-1001236, "News", kind="channel")
    group = emu.group(-1001237, "Mothers")
    await _updates(bot)
    await channel.add_bot(aigerim)
    await channel.post("hello subscribers")
    await group.add_bot(aigerim)
    await group.say_anonymously("/start")
    updates = await _updates(bot)
    post = next(u.channel_post for u in updates if u.channel_post is not None)
    assert post.from_user is None and post.sender_chat.id == -1001236
    anonymous = updates[-1].message
    assert anonymous.from_user.username == "GroupAnonymousBot" and anonymous.sender_chat.id == -1001237


async def test_raw_updates_are_queued_as_given(emu: BotAPIEmulator, bot: Bot) -> None:
    queued = emu.inject_raw_update({"message": {"message_id": 1, "text": "no chat, no date"}})
    assert queued["update_id"] >= 1 and emu.pending_updates[-1] == queued

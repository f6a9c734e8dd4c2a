"""Sending, formatting, editing and deleting messages: the rules Telegram enforces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from emulator import BotAPIEmulator, SimUser
from emulator.users import TINY_PNG

from .conftest import make_bot

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs])


@pytest.fixture
async def user(emu: BotAPIEmulator) -> SimUser:
    user = emu.user(1001, first_name="Aigerim", username="aigerim_kz")
    await user.send("/start")
    return user


async def test_sent_message_is_a_full_telegram_message(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "<b>Сәлем</b>, <i>Aigerim</i>!", reply_markup=keyboard(("OK", "ok")))
    assert sent.message_id == 2  # the user's /start was #1: ids are per chat and shared
    assert sent.chat.id == user.id and sent.chat.type == "private" and sent.chat.username == "aigerim_kz"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.text == "Сәлем, Aigerim!"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [("bold", 0, 5), ("italic", 7, 7)]
    assert sent.reply_markup is not None
    assert sent.reply_markup.model_dump(exclude_none=True) == keyboard(("OK", "ok")).model_dump(exclude_none=True)
    shown = user.last_message
    assert shown is not None and shown.html == "<b>Сәлем</b>, <i>Aigerim</i>!" and shown.kind == "text"
    assert shown.inline_buttons == [[{"text": "OK", "callback_data": "ok", "url": None}]]


async def test_unknown_chat_and_username(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(4242, "hi")
    emu.user(5005)  # exists in the simulator, but never wrote to the bot
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(5005, "hi")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message("@somebody_else", "hi")
    sent = await bot.send_message("@aigerim_kz", "by username")
    assert sent.chat.id == user.id


async def test_blocked_user_gives_403_for_sends_and_edits(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "before")
    user.block()
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(user.id, "after")
    with pytest.raises(TelegramForbiddenError):
        await bot.edit_message_text("edited", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(user.id, "typing")
    user.unblock()
    await bot.send_message(user.id, "welcome back")
    assert user.texts() == ["before", "welcome back"]


async def test_text_limits_count_after_entity_parsing(bot: Bot, user: SimUser) -> None:
    # 4096 visible characters: the tags do not count.
    sent = await bot.send_message(user.id, "<b>" + "a" * 4096 + "</b>")
    assert len(sent.text or "") == 4096
    # "&amp;" is one character.
    sent = await bot.send_message(user.id, "&amp;" * 4096)
    assert sent.text == "&" * 4096
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(user.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "&lt;" * 4097)
    # Telegram counts UTF-16 code units: an emoji outside the BMP is two.
    await bot.send_message(user.id, "😀" * 2048)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "😀" * 2048 + "a")


async def test_empty_text_after_parsing(bot: Bot, user: SimUser) -> None:
    for text in ("", "   \n ", "<b></b>", "<b> </b>"):
        with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
            await bot.send_message(user.id, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 3'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("Ә<b", "Unclosed start tag at byte offset 2"),
    ],
)
async def test_bad_html_is_rejected_like_telegram(bot: Bot, user: SimUser, text: str, reason: str) -> None:
    with pytest.raises(TelegramBadRequest) as info:
        await bot.send_message(user.id, text)
    assert info.value.message.startswith(f"Bad Request: can't parse entities: {reason}")


async def test_all_supported_html(bot: Bot, user: SimUser) -> None:
    html = (
        '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>'
        '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://example.com/?a=1&amp;b=2">l</a>'
        '<code>c</code><pre><code class="language-python">x = 1</code></pre><blockquote>q</blockquote>'
        '<blockquote expandable>e</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
        "&lt;&gt;&amp;&quot;&#65;&#x42;"
    )
    sent = await bot.send_message(user.id, html)
    kinds = [e.type for e in sent.entities or []]
    assert kinds == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough", "strikethrough",
        "strikethrough", "spoiler", "spoiler", "text_link", "code", "pre", "blockquote",
        "expandable_blockquote", "custom_emoji",
    ]  # fmt: skip
    entities = sent.entities or []
    assert entities[11].url == "https://example.com/?a=1&b=2"
    assert entities[13].language == "python"
    assert (sent.text or "").endswith('<>&"AB')


async def test_explicit_entities_and_parse_mode_none(bot: Bot, user: SimUser) -> None:
    from aiogram.types import MessageEntity

    sent = await bot.send_message(
        user.id, "plain <b>", parse_mode=None, entities=[MessageEntity(type="bold", offset=0, length=5)]
    )
    assert sent.text == "plain <b>" and [(e.type, e.length) for e in sent.entities or []] == [("bold", 5)]
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(user.id, "abc", parse_mode=None, entities=[MessageEntity(type="bold", offset=2, length=5)])
    with pytest.raises(TelegramBadRequest, match="Bad Request: unsupported parse_mode"):
        await bot.send_message(user.id, "*x*", parse_mode="MarkdownV2")


async def test_commands_and_links_are_detected_like_telegram(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "Send /help or visit https://anabala.kz")
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [("bot_command", 5, 5), ("url", 20, 18)]
    assert user.messages[0] is not None
    start = user.all_messages[0]
    assert start.entities == [{"type": "bot_command", "offset": 0, "length": 6}]


async def test_inline_keyboard_rules(bot: Bot, user: SimUser) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "x", reply_markup=keyboard(("A", "d" * 65)))
    # 64 bytes is fine, but 33 two-byte letters are 66 bytes.
    await bot.send_message(user.id, "x", reply_markup=keyboard(("A", "d" * 64)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "x", reply_markup=keyboard(("A", "ә" * 33)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "x", reply_markup=keyboard(("A", "")))
    with pytest.raises(TelegramBadRequest, match="BUTTON_TEXT_INVALID"):
        await bot.send_message(user.id, "x", reply_markup=keyboard((" ", "a")))
    no_action = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Just text")]])
    with pytest.raises(TelegramBadRequest, match="can't parse inline keyboard button: Text buttons are unallowed"):
        await bot.send_message(user.id, "x", reply_markup=no_action)
    two_actions = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Both", callback_data="a", url="https://example.com")]]
    )
    with pytest.raises(TelegramBadRequest, match="can't parse inline keyboard button: exactly one"):
        await bot.send_message(user.id, "x", reply_markup=two_actions)
    bad_url = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Site", url="not a url")]])
    with pytest.raises(TelegramBadRequest, match="inline keyboard button URL 'not a url' is invalid"):
        await bot.send_message(user.id, "x", reply_markup=bad_url)
    too_many = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=str(i), callback_data=str(i))] for i in range(101)]
    )
    with pytest.raises(TelegramBadRequest, match="REPLY_MARKUP_TOO_LONG"):
        await bot.send_message(user.id, "x", reply_markup=too_many)


async def test_reply_keyboard_rules(bot: Bot, user: SimUser) -> None:
    empty_text = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="")]])
    with pytest.raises(TelegramBadRequest, match="BUTTON_TEXT_INVALID"):
        await bot.send_message(user.id, "x", reply_markup=empty_text)
    two_requests = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="x", request_contact=True, request_location=True)]])
    with pytest.raises(TelegramBadRequest, match="can't parse keyboard button"):
        await bot.send_message(user.id, "x", reply_markup=two_requests)
    sent = await bot.send_message(user.id, "x", reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Yes")]]))
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards back
    assert user.reply_keyboard == [[{"text": "Yes"}]]


async def test_edit_message_text(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "<b>Question</b>", reply_markup=keyboard(("Yes", "y")))
    with pytest.raises(TelegramBadRequest) as info:
        await bot.edit_message_text("<b>Question</b>", chat_id=user.id, message_id=sent.message_id,
                                    reply_markup=keyboard(("Yes", "y")))  # fmt: skip
    assert info.value.message == NOT_MODIFIED
    # Same visible text, different entities: that is a modification.
    await bot.edit_message_text("Question", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("Yes", "y")))
    # Leaving out reply_markup removes the inline keyboard, as in Telegram.
    edited = await bot.edit_message_text("Question", chat_id=user.id, message_id=sent.message_id)
    assert isinstance(edited, type(sent)) and edited.reply_markup is None and edited.edit_date is not None
    shown = user.message(sent.message_id)
    assert shown is not None and shown.edits == 2 and shown.inline_buttons == [] and shown.html == "Question"
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=1)  # the user's own /start


async def test_edit_reply_markup_and_caption(bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "Pick", reply_markup=keyboard(("A", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("A", "a")))
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("B", "b")))
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=user.id, message_id=sent.message_id, caption="c")
    photo = await bot.send_photo(user.id, BufferedInputFile(TINY_PNG, "p.png"), caption="one")
    await bot.edit_message_caption(chat_id=user.id, message_id=photo.message_id, caption="<i>two</i>")
    assert user.texts()[-1] == "two"
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=photo.message_id)


async def test_delete_message(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    sent = await bot.send_message(user.id, "temporary")
    assert await bot.delete_message(user.id, sent.message_id) is True
    assert user.texts() == [] and user.messages[0].deleted
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(user.id, 777)


async def test_delete_window_follows_the_injected_clock(bot: Bot) -> None:
    now = [datetime(2026, 1, 1, 9, 0, tzinfo=UTC)]
    async with BotAPIEmulator(clock=lambda: now[0]) as emu:
        user = emu.user(1001)
        await user.send("hi")
        other_bot = make_bot(emu)
        sent = await other_bot.send_message(user.id, "old news")
        assert sent.date == now[0]
        now[0] += timedelta(hours=49)
        with pytest.raises(TelegramBadRequest, match="message can't be deleted for everyone"):
            await other_bot.delete_message(user.id, sent.message_id)
        await other_bot.session.close()


async def test_reply_parameters(bot: Bot, user: SimUser) -> None:
    reply = await bot.send_message(user.id, "answer", reply_parameters=ReplyParameters(message_id=1))
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "/start"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(message_id=99))
    await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(message_id=99, allow_sending_without_reply=True))


async def test_photos_documents_and_files(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    photo = await bot.send_photo(user.id, BufferedInputFile(TINY_PNG, "p.png"), caption="<b>pic</b>")
    assert photo.caption == "pic" and photo.photo and photo.photo[-1].width == 1
    again = await bot.send_photo(user.id, photo.photo[-1].file_id)
    assert again.photo == photo.photo
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(user.id, BufferedInputFile(b"not an image", "p.png"))
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(user.id, "AgACAgIAAxkBAAI-made-up")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(user.id, photo.photo[-1].file_id, caption="<b>x</b>" * 1025)
    doc = await bot.send_document(user.id, BufferedInputFile(b"%PDF-1.4", "plan.pdf"))
    assert doc.document is not None and doc.document.file_name == "plan.pdf"
    assert doc.document.mime_type == "application/pdf"
    with pytest.raises(TelegramBadRequest, match="wrong file type"):
        await bot.send_photo(user.id, doc.document.file_id)
    # A user's photo can be downloaded like from Telegram.
    await user.send_photo(caption="my scan")
    update = emu.pending_updates[-1]
    file_id = update["message"]["photo"][-1]["file_id"]
    file = await bot.get_file(file_id)
    assert file.file_path is not None
    data = await bot.download_file(file.file_path)
    assert data is not None and data.read() == TINY_PNG
    assert [m.kind for m in user.messages] == ["photo", "photo", "document"]


async def test_copy_and_forward(bot: Bot, user: SimUser) -> None:
    copied = await bot.copy_message(user.id, from_chat_id=user.id, message_id=1)
    assert user.message(copied.message_id) is not None
    forwarded = await bot.forward_message(user.id, from_chat_id=user.id, message_id=1)
    assert forwarded.forward_origin is not None and forwarded.text == "/start"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(user.id, from_chat_id=user.id, message_id=500)


async def test_chat_action_and_commands(emu: BotAPIEmulator, bot: Bot, user: SimUser) -> None:
    from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

    assert await bot.send_chat_action(user.id, "typing") is True
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(user.id, "dancing")
    assert user.chat_actions == ["typing"]
    await bot.set_my_commands([BotCommand(command="start", description="Бастау")], scope=BotCommandScopeDefault(), language_code="kk")
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands([BotCommand(command="help", description="Help")], scope=BotCommandScopeChat(chat_id=user.id))
    assert emu.get_commands(language_code="kk") == [{"command": "start", "description": "Бастау"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert user.commands() == [{"command": "help", "description": "Help"}]  # the chat scope wins
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=user.id))
    assert user.commands() == [{"command": "start", "description": "Бастау"}]  # her language "kk"
    assert user.commands("ru") == [{"command": "start", "description": "Start"}]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.set_my_commands([BotCommand(command="a", description="b")], scope=BotCommandScopeChat(chat_id=31337))

"""aiogram's own polling loop against the emulator, end to end."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from emulator import BotAPIEmulator


async def test_dispatcher_polling_echo(emu: BotAPIEmulator, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Again", callback_data="again")]])
        await message.answer(f"<b>You said:</b> {message.text}", reply_markup=markup)

    @dp.callback_query(F.data == "again")
    async def again(callback: CallbackQuery) -> None:
        await callback.answer("Once more")
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("You asked again")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
    await emu.wait_for_polling()
    aigerim = emu.user(1001, first_name="Aigerim")
    await aigerim.send("Сәлем")
    reply = await aigerim.wait_for_message()
    assert reply.text == "You said: Сәлем" and reply.html == "<b>You said:</b> Сәлем"

    await aigerim.click("Again")
    edited = await aigerim.wait_for_message(lambda m: m.edits == 1)
    assert edited.text == "You asked again" and edited.inline_buttons == []  # the keyboard went with the edit
    await emu.wait_until_confirmed()
    assert aigerim.callback_answers[-1]["text"] == "Once more"
    assert emu.unanswered_callback_queries() == []
    # aiogram asked only for what its handlers use.
    assert sorted(emu.calls_of("getUpdates")[0]["allowed_updates"]) == ["callback_query", "message"]

    await dp.stop_polling()
    await asyncio.wait_for(polling, 5)

"""The emulator's snapshot (what the sandbox saves between runs): chats, files and menus come back
exactly, through JSON, and the restored emulator is as strict as before."""

from __future__ import annotations

import json

import aiohttp
import pytest

from emulator import BotAPIEmulator

TOKEN = "123456:SNAPSHOT-test-token"


async def call(session: aiohttp.ClientSession, emu: BotAPIEmulator, method: str, **params: object) -> dict:  # type: ignore[type-arg]
    async with session.post(f"{emu.api_url}/bot{TOKEN}/{method}", json=params) as response:
        return await response.json()


async def test_chats_files_and_menus_survive_a_snapshot() -> None:
    async with BotAPIEmulator(rate_limits=None) as emu, aiohttp.ClientSession() as session:
        user = emu.user(42, first_name="Aigerim", language_code="kk")
        await user.send("/start")
        await user.send_photo(caption="scan")
        photo_id = user.all_messages[-1].media["photo"][-1]["file_id"]
        sent = await call(session, emu, "sendMessage", chat_id=42, text="<b>Hello</b>", parse_mode="HTML",
                          reply_markup={"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})  # fmt: skip
        await call(session, emu, "editMessageText", chat_id=42, message_id=sent["result"]["message_id"], text="Edited",
                   reply_markup={"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]})  # fmt: skip
        await call(session, emu, "sendMessage", chat_id=42, text="Phone?",
                   reply_markup={"keyboard": [[{"text": "Share", "request_contact": True}]]})  # fmt: skip
        await call(session, emu, "setMyCommands", commands=[{"command": "help", "description": "Help"}],
                   scope={"type": "chat", "chat_id": 42}, language_code="kk")  # fmt: skip
        state = json.loads(json.dumps(emu.snapshot()))  # as the sandbox writes it
        transcript = emu.chat_log(42)

    async with BotAPIEmulator(rate_limits=None) as again, aiohttp.ClientSession() as session:
        again.restore(state)
        user = again.user(42)
        assert again.chat_log(42) == transcript
        assert [m.message_id for m in user.all_messages] == [1, 2, 3, 4]
        edited = user.message(3)
        assert edited is not None and edited.text == "Edited" and edited.edits == 1
        assert user.reply_keyboard == [[{"text": "Share", "request_contact": True}]]
        assert user.commands("kk") == [{"command": "help", "description": "Help"}]
        stored = again.file(photo_id)
        assert stored is not None and stored.data is not None and stored.data.startswith(b"\x89PNG")
        # The bot goes on: the restored photo can be sent by file_id, the next message id follows,
        # an old button still works, and a message that was never sent still cannot be edited.
        resent = await call(session, again, "sendPhoto", chat_id=42, photo=photo_id)
        assert resent["ok"] and resent["result"]["message_id"] == 5
        await user.click("OK", message=3)
        assert (await call(session, again, "editMessageText", chat_id=42, message_id=99, text="x"))["description"] == (
            "Bad Request: message to edit not found"
        )
        with pytest.raises(RuntimeError):
            again.restore(state)  # only into an emulator without users

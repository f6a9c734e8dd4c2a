"""The HTTP surface: tokens, routing, body formats, spec validation and the error envelope."""

from __future__ import annotations

import json

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramUnauthorizedError

from emulator import BotAPIEmulator

from .conftest import make_bot, raw_call


async def test_get_me_describes_the_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (123456, True, "AnaBala", "anabala_test_bot")
    assert me.can_join_groups is True and me.supports_inline_queries is False


async def test_malformed_token_is_unauthorized(emu: BotAPIEmulator, http: aiohttp.ClientSession) -> None:
    bad = make_bot(emu, token="123456:short")
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await bad.get_me()
    await bad.session.close()
    status, body = await raw_call(http, emu, "getMe", token="notdigits:ABCDEFGHIJKL")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


async def test_configured_token_rejects_other_tokens(http: aiohttp.ClientSession) -> None:
    async with BotAPIEmulator(token="42:the-only-valid-token") as emu:
        assert (await raw_call(http, emu, "getMe", token="42:the-only-valid-token"))[0] == 200
        assert (await raw_call(http, emu, "getMe", token="42:another-valid-looking"))[0] == 401


async def test_unknown_method_and_path_are_404(emu: BotAPIEmulator, http: aiohttp.ClientSession) -> None:
    status, body = await raw_call(http, emu, "sendMessages")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    async with http.get(f"{emu.api_url}/nothing/here") as resp:
        assert resp.status == 404 and (await resp.json())["description"] == "Not Found"


async def test_method_names_are_case_insensitive(emu: BotAPIEmulator, http: aiohttp.ClientSession) -> None:
    status, body = await raw_call(http, emu, "GETME")
    assert status == 200 and body["result"]["username"] == "anabala_test_bot"
    assert emu.calls[-1].method == "getMe"


async def test_json_query_and_form_bodies_are_all_accepted(
    emu: BotAPIEmulator, http: aiohttp.ClientSession
) -> None:
    user = emu.user(1001)
    await user.send("hi")
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    status, body = await raw_call(http, emu, "sendMessage", json={"chat_id": 1001, "text": "json", "reply_markup": markup})
    assert status == 200 and body["result"]["reply_markup"] == markup
    status, body = await raw_call(http, emu, "sendMessage", params={"chat_id": "1001", "text": "query"})
    assert status == 200 and body["result"]["text"] == "query"
    form = {"chat_id": "1001", "text": "form", "reply_markup": json.dumps(markup), "unknown_param": "ignored"}
    status, body = await raw_call(http, emu, "sendMessage", data=form)
    assert status == 200 and body["result"]["text"] == "form"
    assert "unknown_param" not in emu.calls[-1].params
    assert user.texts() == ["json", "query", "form"]


async def test_missing_required_field_is_rejected(emu: BotAPIEmulator, http: aiohttp.ClientSession) -> None:
    emu.user(1001)
    status, body = await raw_call(http, emu, "sendMessage", data={"text": "no chat"})
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")
    status, body = await raw_call(http, emu, "sendMessage", data={"chat_id": "1001"})
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await raw_call(http, emu, "answerCallbackQuery", data={})
    assert status == 400
    status, body = await raw_call(http, emu, "setMyCommands", data={"language_code": "kk"})
    assert status == 400 and "commands" in body["description"]


async def test_wrong_types_are_rejected(emu: BotAPIEmulator, http: aiohttp.ClientSession) -> None:
    await emu.user(1001).send("hi")
    cases = [
        ({"chat_id": "1001", "text": "x", "disable_notification": "maybe"},
         'Bad Request: field "disable_notification" must be of type Boolean'),
        ({"chat_id": "1001", "text": "x", "message_thread_id": "1.5"},
         'Bad Request: field "message_thread_id" must be of type Integer'),
        ({"chat_id": "1001", "text": "x", "reply_markup": "{not json"},
         "Bad Request: can't parse reply keyboard markup JSON object"),
        ({"chat_id": "1001", "text": "x", "reply_markup": json.dumps({"inline_keyboard": [[{"text": 5, "callback_data": "a"}]]})},
         "Bad Request: can't parse inline keyboard button: Field \"text\" must be of type String"),
        ({"chat_id": "1001", "text": "x", "reply_markup": json.dumps({"inline_keyboard": [[{"callback_data": "a"}]]})},
         "Bad Request: can't parse inline keyboard button: Can't find field \"text\""),
        ({"chat_id": "1001", "text": "x", "entities": json.dumps([{"type": "bold", "offset": "0", "length": 1}])},
         "Bad Request: can't parse entities: Field \"offset\" must be of type Integer"),
    ]  # fmt: skip
    for form, expected in cases:
        status, body = await raw_call(http, emu, "sendMessage", data=form)
        assert status == 400 and body["description"].startswith(expected), (form, body)
        assert body["ok"] is False and body["error_code"] == 400
    status, body = await raw_call(http, emu, "sendMessage", json={"chat_id": [1001], "text": "x"})
    assert body["description"] == 'Bad Request: field "chat_id" must be of type Integer or String'


async def test_nested_subtypes_are_checked_by_discriminator(emu: BotAPIEmulator, http: aiohttp.ClientSession) -> None:
    commands = json.dumps([{"command": "start", "description": "Start"}])
    status, body = await raw_call(http, emu, "setMyCommands", data={"commands": commands, "scope": '{"type": "nope"}'})
    assert status == 400 and 'Field "type" has unsupported value "nope"' in body["description"]
    status, body = await raw_call(http, emu, "setMyCommands", data={"commands": commands, "scope": '{"type": "chat"}'})
    assert status == 400 and 'Can\'t find field "chat_id"' in body["description"]
    status, _ = await raw_call(http, emu, "setMyCommands", data={"commands": commands, "scope": '{"type": "all_private_chats"}'})
    assert status == 200


async def test_unimplemented_methods_are_validated_then_noticed(
    emu: BotAPIEmulator, http: aiohttp.ClientSession
) -> None:
    status, body = await raw_call(http, emu, "setChatTitle", data={"chat_id": "-100", "title": "x"})
    assert (status, body) == (200, {"ok": True, "result": True})
    assert [c.method for c in emu.unimplemented_calls] == ["setChatTitle"]
    status, body = await raw_call(http, emu, "setChatTitle", data={"chat_id": "-100"})
    assert status == 400 and "title" in body["description"]
    status, body = await raw_call(http, emu, "sendPoll", data={"chat_id": "1", "question": "q", "options": '[{"text":"a"},{"text":"b"}]'})
    assert status == 400 and "not implemented by the emulator" in body["description"]


async def test_every_call_is_recorded_with_decoded_params(emu: BotAPIEmulator, bot: Bot) -> None:
    await emu.user(1001).send("hi")
    await bot.send_message(1001, "hello", disable_notification=True)
    method, params = emu.calls[-1]
    assert method == "sendMessage"
    assert params == {"chat_id": 1001, "text": "hello", "parse_mode": "HTML", "disable_notification": True}
    assert emu.calls_of("sendmessage") == [params]


async def test_bot_api_errors_reach_aiogram_as_bad_request(emu: BotAPIEmulator, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "nobody here")
    assert emu.stats.errors[400] == 1

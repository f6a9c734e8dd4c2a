"""Save and bring back the emulated Telegram's state: chats, files, command menus.

Telegram keeps chats when a bot restarts; the emulator keeps them only in memory. The local
sandbox (sandbox/) saves a snapshot beside its database and restores it at the next start, so the
messages, message ids and file_ids the bot's database refers to still exist. Plain JSON data:
bytes are base64. Pending updates, callback queries and flood-limit state are not kept (a
restarted Telegram client would not keep them either).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from emulator.files import StoredFile
from emulator.users import ChatMessage, SimUser

if TYPE_CHECKING:
    from emulator.server import BotAPIEmulator

VERSION = 1


def _message(message: ChatMessage) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "chat": message.chat,
        "sender": message.sender,
        "date": message.date,
        "kind": message.kind,
        "from_bot": message.from_bot,
        "text": message.text,
        "entities": message.entities,
        "html": message.html,
        "reply_markup": message.reply_markup,
        "media": message.media,
        "reply_to": message.reply_to.message_id if message.reply_to is not None else None,
        "extra": message.extra,
        "edits": message.edits,
        "edit_date": message.edit_date,
        "deleted": message.deleted,
    }


def _user(user: SimUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "language_code": user.language_code,
        "phone_number": user.phone_number,
        "is_premium": user.is_premium,
        "known_to_bot": user.known_to_bot,
        "blocked": user.blocked,
        "next_message_id": user._next_message_id,
        "reply_keyboard": user._reply_keyboard,
        "callback_answers": user.callback_answers,
        "log": user._log,
        "messages": [_message(m) for m in user.all_messages],
    }


def _file(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "kind": stored.kind,
        "data": base64.b64encode(stored.data).decode() if stored.data is not None else None,
        "file_path": stored.file_path,
        "api_object": stored.api_object,
        "group": [s["file_id"] for s in stored.group],
    }


def dump(emu: BotAPIEmulator) -> dict[str, Any]:
    files = emu._files
    return {
        "version": VERSION,
        "bot_id": emu._bot_id,
        "users": [_user(u) for u in emu._users.values()],
        "files": [_file(f) for f in files._by_id.values()],
        "file_counter": files._counter,
        "commands": [
            {"scope": scope, "chat_id": chat_id, "user_id": user_id, "language": lang, "commands": commands}
            for (scope, chat_id, user_id, lang), commands in emu._commands.items()
        ],
        "bot_texts": [{"key": key, "language": lang, "value": value} for (key, lang), value in emu._bot_texts.items()],
        "menu_buttons": [{"chat_id": chat_id, "button": button} for chat_id, button in emu._menu_buttons.items()],
        "query_counter": emu._query_counter,
        "allowed_updates": sorted(emu._allowed_updates) if emu._allowed_updates is not None else None,
    }


def load(emu: BotAPIEmulator, state: dict[str, Any]) -> None:
    if state.get("version") != VERSION:
        raise ValueError(f"unknown emulator snapshot version {state.get('version')!r}")
    if emu._users:
        raise RuntimeError("restore() needs an emulator without users")
    emu._bot_id = state["bot_id"]
    for saved in state["users"]:
        user = emu.user(
            saved["id"],
            first_name=saved["first_name"],
            last_name=saved["last_name"],
            username=saved["username"],
            language_code=saved["language_code"],
            phone_number=saved["phone_number"],
        )
        user.is_premium = saved["is_premium"]
        user.known_to_bot = saved["known_to_bot"]
        user.blocked = saved["blocked"]
        user._next_message_id = saved["next_message_id"]
        user._reply_keyboard = saved["reply_keyboard"]
        user.callback_answers = list(saved["callback_answers"])
        user._log = list(saved["log"])
        for m in saved["messages"]:
            message = ChatMessage(
                message_id=m["message_id"],
                chat=m["chat"],
                sender=m["sender"],
                date=m["date"],
                kind=m["kind"],
                from_bot=m["from_bot"],
                text=m["text"],
                entities=m["entities"],
                html=m["html"],
                reply_markup=m["reply_markup"],
                media=m["media"],
                reply_to=user.message(m["reply_to"]) if m["reply_to"] is not None else None,
                extra=m["extra"],
                edits=m["edits"],
                edit_date=m["edit_date"],
                deleted=m["deleted"],
            )
            user.all_messages.append(message)
            user._by_id[message.message_id] = message
        # Waiting starts after what was restored: nothing old counts as a new reply.
        user.mark_read()
    files = emu._files
    for f in state["files"]:
        stored = StoredFile(
            f["file_id"], f["file_unique_id"], f["kind"],
            base64.b64decode(f["data"]) if f["data"] is not None else None,
            f["file_path"], f["api_object"],
        )  # fmt: skip
        files._by_id[stored.file_id] = stored
        files._by_path[stored.file_path] = stored
    for f in state["files"]:  # the sizes of one photo share one list of PhotoSizes
        group = [files._by_id[i].api_object for i in f["group"] if i in files._by_id]
        files._by_id[f["file_id"]].group = group
    files._counter = state["file_counter"]
    for c in state["commands"]:
        emu._commands[(c["scope"], c["chat_id"], c["user_id"], c["language"])] = c["commands"]
    for t in state["bot_texts"]:
        emu._bot_texts[(t["key"], t["language"])] = t["value"]
    for b in state["menu_buttons"]:
        emu._menu_buttons[b["chat_id"]] = b["button"]
    emu._query_counter = state["query_counter"]
    allowed = state.get("allowed_updates")
    emu._allowed_updates = frozenset(allowed) if allowed is not None else None
    emu._chat_changed()

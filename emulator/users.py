"""The user simulator: a person in a private chat with the bot, acting and reading like in Telegram.

Each SimUser owns its private chat's state (messages, reply keyboard, callback answers). The
emulator's request handlers write into it; tests read it and wait on it without sleeping.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.formatting import add_auto_entities, utf16_len

if TYPE_CHECKING:
    from emulator.server import BotAPIEmulator

MEDIA_KINDS = ("photo", "document", "video", "audio", "voice", "animation", "sticker", "video_note")
CAPTIONED_KINDS = frozenset({"photo", "document", "video", "audio", "voice", "animation"})
# The smallest valid PNG (1x1), so a bot that downloads a user's photo gets a real image.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


class WaitTimeout(AssertionError, TimeoutError):
    """A wait_* helper timed out; both an AssertionError (test failure) and a TimeoutError."""


@dataclass(eq=False)
class ChatMessage:
    """One message in a private chat, kept current: edits change it in place, deletes flag it."""

    message_id: int
    chat: dict[str, Any]
    sender: dict[str, Any]
    date: int
    kind: str  # "text", "photo", "document", "contact", "location", ...
    from_bot: bool
    text: str | None = None  # the text, or the caption of media
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None  # the text exactly as the bot sent it, when parse_mode was HTML
    reply_markup: dict[str, Any] | None = None
    media: dict[str, Any] = field(default_factory=dict)  # e.g. {"photo": [PhotoSize, ...]}
    reply_to: ChatMessage | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. forward_origin
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    @property
    def inline_buttons(self) -> list[list[dict[str, Any]]]:
        markup = self.inline_markup
        if markup is None:
            return []
        return [
            [{"text": b["text"], "callback_data": b.get("callback_data"), "url": b.get("url")} for b in row]
            for row in markup["inline_keyboard"]
        ]

    def button_labels(self) -> list[str]:
        return [b["text"] for row in self.inline_buttons for b in row]

    def to_api(self, *, with_reply: bool = True, snapshot: bool = True) -> dict[str, Any]:
        """The Telegram Message object as the Bot API returns it.

        snapshot=False shares nested lists/dicts with this message: only for a response that is
        serialised at once (edits replace those values, they never mutate them in place).
        """
        clone = copy.deepcopy if snapshot else _identity
        result: dict[str, Any] = {"message_id": self.message_id}
        if self.sender:  # a channel post has no "from" at all
            result["from"] = dict(self.sender)
        result |= {"chat": dict(self.chat), "date": self.date}
        if self.edit_date is not None:
            result["edit_date"] = self.edit_date
        if self.reply_to is not None and with_reply:
            result["reply_to_message"] = self.reply_to.to_api(with_reply=False, snapshot=snapshot)
        if self.extra:
            result.update(clone(self.extra))
        if self.media:
            result.update(clone(self.media))
        if self.kind == "text":
            result["text"] = self.text
            if self.entities:
                result["entities"] = clone(self.entities)
        elif self.text:
            result["caption"] = self.text
            if self.entities:
                result["caption_entities"] = clone(self.entities)
        if self.inline_markup is not None:
            result["reply_markup"] = clone(self.inline_markup)
        return result

    def describe(self) -> str:
        who = "bot " if self.from_bot else "user"
        flags = []
        if self.edits:
            flags.append(f"edited {self.edits}x")
        if self.deleted:
            flags.append("deleted")
        head = f"{who} #{self.message_id}" + (f" ({', '.join(flags)})" if flags else "")
        body = self.text if self.text is not None else ""
        if self.kind != "text":
            body = f"[{self.kind}{': ' + _media_summary(self) if _media_summary(self) else ''}]" + (
                f" {body}" if body else ""
            )
        lines = [f"{head}: {body}"]
        if self.inline_markup is not None:
            rows = [
                " ".join(f"[{b['text']} -> {b.get('callback_data') or b.get('url') or '?'}]" for b in row)
                for row in self.inline_markup["inline_keyboard"]
            ]
            lines.extend(f"        {row}" for row in rows)
        elif self.reply_markup is not None and "keyboard" in self.reply_markup:
            rows = [" ".join(f"<{b['text']}>" for b in row) for row in self.reply_markup["keyboard"]]
            lines.append("        reply keyboard: " + " | ".join(rows))
        elif self.reply_markup is not None and "remove_keyboard" in self.reply_markup:
            lines.append("        (reply keyboard removed)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"ChatMessage({self.describe()!r})"


def _media_summary(message: ChatMessage) -> str:
    if "contact" in message.media:
        return str(message.media["contact"]["phone_number"])
    if "document" in message.media:
        return str(message.media["document"].get("file_name", ""))
    if "location" in message.media:
        loc = message.media["location"]
        return f"{loc['latitude']},{loc['longitude']}"
    return ""


def _identity(value: Any) -> Any:
    return value


MessagePredicate = Callable[[ChatMessage], bool]


class SimUser:
    """A simulated Telegram user in a private chat with the bot. Get one with ``emu.user(...)``."""

    def __init__(
        self,
        emulator: BotAPIEmulator,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        phone_number: str | None = None,
        is_premium: bool = False,
    ) -> None:
        self._emu = emulator
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.phone_number = phone_number or f"+7701{user_id % 10_000_000:07d}"
        self.is_premium = is_premium
        # Chat state, written by the emulator.
        self.all_messages: list[ChatMessage] = []
        self._by_id: dict[int, ChatMessage] = {}
        self._next_message_id = 1
        self.known_to_bot = False  # becomes True when the user first writes to the bot
        self.blocked = False
        self._reply_keyboard: dict[str, Any] | None = None
        self.callback_answers: list[dict[str, Any]] = []
        self.chat_actions: list[str] = []
        # Bot-side events ("new" | "edit" | "delete", message) that wait_for_message looks at.
        self._events: list[tuple[str, ChatMessage]] = []
        self._cursor = 0
        self._changed = asyncio.Event()
        self._log: list[str] = []  # a readable timeline for chat_log()
        # Grows by one at every change to this chat (message, edit, delete, callback answer):
        # a viewer such as the sandbox's web page redraws the chats whose version moved.
        self.version = 0

    # --- identity -------------------------------------------------------------------------

    @property
    def user_id(self) -> int:
        return self.id

    @property
    def info(self) -> dict[str, Any]:
        """The Telegram User object of this person."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        if self.is_premium:
            user["is_premium"] = True
        return user

    @property
    def chat(self) -> dict[str, Any]:
        """The Telegram Chat object of the private chat with the bot."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    # --- reading --------------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """Every message the bot sent in this chat, in order (deleted ones flagged, not removed)."""
        return [m for m in self.all_messages if m.from_bot]

    @property
    def last_message(self) -> ChatMessage | None:
        """The newest bot message that is still visible."""
        for message in reversed(self.all_messages):
            if message.from_bot and not message.deleted:
                return message
        return None

    def texts(self) -> list[str]:
        """Visible texts (or captions) of the bot's messages that are not deleted."""
        return [m.text for m in self.messages if not m.deleted and m.text is not None]

    def message(self, message_id: int) -> ChatMessage | None:
        return self._by_id.get(message_id)

    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]] | None:
        """Rows of the reply keyboard currently shown, or None."""
        if self._reply_keyboard is None:
            return None
        rows: list[list[dict[str, Any]]] = copy.deepcopy(self._reply_keyboard["keyboard"])
        return rows

    @property
    def reply_keyboard_markup(self) -> dict[str, Any] | None:
        return copy.deepcopy(self._reply_keyboard)

    def commands(self, language_code: str | None = None) -> list[dict[str, str]]:
        """The command menu this user would see (Telegram's scope and language fallback)."""
        lang = self.language_code if language_code is None else language_code
        return self._emu.resolve_commands(self.id, lang or "")

    def transcript(self) -> str:
        return self._emu.chat_log(self.id)

    # --- acting ---------------------------------------------------------------------------

    def _before_action(self) -> None:
        if self.blocked:
            raise AssertionError(f"user {self.id} has blocked the bot; call unblock() before acting")
        # Replies count from here, so a reply that lands before wait_for_message() is not missed.
        self._cursor = len(self._events)

    async def send(self, text: str, *, reply_to: ChatMessage | int | None = None) -> dict[str, Any]:
        """Type and send a text; "/start payload" gets a bot_command entity like in Telegram."""
        if not text.strip():
            raise ValueError("Telegram clients cannot send an empty message")
        if utf16_len(text) > 4096:
            raise ValueError("Telegram clients split messages longer than 4096 characters")
        self._before_action()
        entities = add_auto_entities(text, [])
        message = self._emu._user_message(self, "text", text=text, entities=entities, reply_to=reply_to)
        return self._emu._enqueue_update("message", message.to_api())

    async def send_contact(
        self,
        phone_number: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Share a contact: by default her own (user_id = her id), as the request_contact button does.

        Pass another user_id to share someone else's contact, or user_id=0 for a phone-book contact
        that is not on Telegram (no user_id field at all).
        """
        self._before_action()
        contact: dict[str, Any] = {
            "phone_number": phone_number or self.phone_number,
            "first_name": first_name or self.first_name,
        }
        last = last_name if last_name is not None else (self.last_name if first_name is None else None)
        if last:
            contact["last_name"] = last
        if user_id != 0:
            contact["user_id"] = self.id if user_id is None else user_id
        message = self._emu._user_message(self, "contact", media={"contact": contact})
        return self._emu._enqueue_update("message", message.to_api())

    async def send_location(self, latitude: float = 43.2389, longitude: float = 76.8897) -> dict[str, Any]:
        self._before_action()
        message = self._emu._user_message(
            self, "location", media={"location": {"latitude": latitude, "longitude": longitude}}
        )
        return self._emu._enqueue_update("message", message.to_api())

    async def send_photo(
        self, caption: str | None = None, *, data: bytes = TINY_PNG, width: int = 1280, height: int = 960
    ) -> dict[str, Any]:
        self._before_action()
        sizes = self._emu._files.new_photo(data, width, height)
        message = self._emu._user_message(
            self, "photo", text=caption, entities=add_auto_entities(caption, []) if caption else [],
            media={"photo": sizes},
        )  # fmt: skip
        return self._emu._enqueue_update("message", message.to_api())

    async def send_document(
        self,
        file_name: str = "document.pdf",
        *,
        data: bytes = b"%PDF-1.4\n%emulator\n",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        self._before_action()
        document = self._emu._files.new_document(data, file_name, mime_type)
        message = self._emu._user_message(
            self, "document", text=caption, entities=add_auto_entities(caption, []) if caption else [],
            media={"document": document},
        )  # fmt: skip
        return self._emu._enqueue_update("message", message.to_api())

    async def click(
        self,
        text: str | None = None,
        *,
        data: str | None = None,
        message: ChatMessage | int | None = None,
    ) -> dict[str, Any]:
        """Press an inline button (by text, exact or substring, or by callback_data).

        Defaults to the newest visible bot message with an inline keyboard.
        """
        self._before_action()
        target, buttons = self._inline_buttons(message)
        button = self._pick_button(target, buttons, text, data)
        if "callback_data" not in button:
            kind = next((k for k in button if k not in ("text", "style", "icon_custom_emoji_id")), "?")
            raise AssertionError(
                f"button {button['text']!r} is a {kind} button, not a callback button; "
                f"nothing is sent to the bot when it is pressed"
            )
        query = self._emu._new_callback_query(self, target, button["callback_data"])
        return self._emu._enqueue_update("callback_query", query)

    async def forge_click(self, data: str, *, message: ChatMessage | int | None = None) -> dict[str, Any]:
        """A callback query with data that no button carries, as a modified client can send.

        Telegram delivers it as long as the message exists; the bot must not trust it.
        """
        self._before_action()
        target = self._click_target(message)
        query = self._emu._new_callback_query(self, target, data)
        return self._emu._enqueue_update("callback_query", query)

    def _click_target(self, message: ChatMessage | int | None) -> ChatMessage:
        if message is None:
            for candidate in reversed(self.all_messages):
                if candidate.from_bot and not candidate.deleted and candidate.inline_markup is not None:
                    return candidate
            raise AssertionError(
                f"no bot message with an inline keyboard in the chat with {self.id}\n{self.transcript()}"
            )
        found = self._by_id.get(message if isinstance(message, int) else message.message_id)
        if found is None or found.deleted:
            raise AssertionError(f"message {message!r} is not in the chat (or deleted)\n{self.transcript()}")
        if found.inline_markup is None:
            raise AssertionError(f"message #{found.message_id} has no inline keyboard\n{found.describe()}")
        return found

    def _inline_buttons(self, message: ChatMessage | int | None) -> tuple[ChatMessage, list[dict[str, Any]]]:
        """The message a click goes to, and its inline buttons row after row."""
        target = self._click_target(message)
        markup = target.inline_markup
        assert markup is not None  # _click_target finds only messages with an inline keyboard
        return target, [button for row in markup["inline_keyboard"] for button in row]

    def _pick_button(
        self, target: ChatMessage, buttons: list[dict[str, Any]], text: str | None, data: str | None
    ) -> dict[str, Any]:
        if data is not None:
            matches = [b for b in buttons if b.get("callback_data") == data]
            found = matches[0] if matches else None
        elif text is not None:
            exact = [b for b in buttons if b["text"] == text]
            matches = exact or [b for b in buttons if text in b["text"]]
            found = matches[0] if exact or len(matches) == 1 else None
        else:
            matches = buttons
            found = buttons[0] if len(buttons) == 1 else None
        if found is not None:
            return found
        listing = "\n".join(f"  {b['text']!r} -> {b.get('callback_data') or b.get('url')!r}" for b in buttons)
        what = f"data={data!r}" if data is not None else (f"text={text!r}" if text is not None else "no text")
        problem = "is ambiguous" if matches else "matches no button"
        raise AssertionError(f"click({what}) {problem} on message #{target.message_id}; buttons:\n{listing}")

    async def press(self, text: str) -> dict[str, Any]:
        """Press a button of the reply keyboard currently shown."""
        if self._reply_keyboard is None:
            raise AssertionError(f"no reply keyboard is shown to {self.id}\n{self.transcript()}")
        buttons = [b for row in self._reply_keyboard["keyboard"] for b in row]
        exact = [b for b in buttons if b["text"] == text]
        matches = exact or [b for b in buttons if text in b["text"]]
        if not exact and len(matches) != 1:
            listing = ", ".join(repr(b["text"]) for b in buttons)
            problem = "is ambiguous" if matches else "matches no button"
            raise AssertionError(f"press({text!r}) {problem}; reply keyboard: {listing}")
        button = matches[0]
        if self._reply_keyboard.get("one_time_keyboard"):
            self._reply_keyboard = None
        if button.get("request_contact"):
            return await self.send_contact()
        if button.get("request_location"):
            return await self.send_location()
        special = [k for k in button if k not in ("text", "style", "icon_custom_emoji_id")]
        if special:
            raise AssertionError(f"the simulator cannot press a {special[0]} button yet")
        return await self.send(button["text"])

    def block(self) -> None:
        """Block the bot: sends now fail with 403, and the bot gets a my_chat_member update."""
        if self.blocked:
            return
        self.blocked = True
        self._emu._chat_member_update(self, old="member", new="kicked")

    def unblock(self) -> None:
        if not self.blocked:
            return
        self.blocked = False
        self._emu._chat_member_update(self, old="kicked", new="member")

    # --- waiting --------------------------------------------------------------------------

    def mark_read(self) -> None:
        """Make wait_for_message() ignore everything the bot did so far (e.g. before a time jump)."""
        self._cursor = len(self._events)

    async def wait_for_message(
        self, predicate: MessagePredicate | str | None = None, timeout: float = 5.0
    ) -> ChatMessage:
        """Wait for a new bot message or an edit, counted from the user's last action.

        ``predicate`` may be a function of ChatMessage or a substring of the text. Each call
        consumes the event it returns, so consecutive calls see consecutive messages.
        """
        check: Callable[[ChatMessage], bool]
        if isinstance(predicate, str):
            needle = predicate

            def has_needle(message: ChatMessage) -> bool:
                return message.text is not None and needle in message.text

            check = has_needle
        else:
            check = predicate or (lambda _message: True)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index in range(self._cursor, len(self._events)):
                kind, message = self._events[index]
                if kind in ("new", "edit") and check(message):
                    self._cursor = index + 1
                    return message
            # Matching nothing yet: skip nothing, a later edit may still make an old one match.
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(
                    f"no matching bot message for user {self.id} within {timeout}s\n{self.transcript()}"
                )
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    async def wait_for_callback_answer(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the newest callback query of this user has been answered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending = self._emu._unanswered_queries(self.id)
            if not pending:
                if not self.callback_answers:
                    raise AssertionError(f"user {self.id} has not clicked anything")
                return self.callback_answers[-1]
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(f"callback queries {pending} were not answered within {timeout}s")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass

    # --- written by the emulator --------------------------------------------------------------

    def _log_line(self, text: str) -> None:
        stamp = datetime.fromtimestamp(self._emu.now(), UTC).strftime("%H:%M:%S")
        self._log.append(f"[{stamp}] {text}")

    def _notify(self) -> None:
        self.version += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()
        self._emu._chat_changed()

    def _allocate_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def _store(self, message: ChatMessage) -> None:
        self.all_messages.append(message)
        self._by_id[message.message_id] = message
        if message.from_bot:
            self._events.append(("new", message))
            markup = message.reply_markup
            if markup is not None and "keyboard" in markup:
                self._reply_keyboard = copy.deepcopy(markup)
            elif markup is not None and "remove_keyboard" in markup:
                self._reply_keyboard = None
        self._notify()

    def _edited(self, message: ChatMessage) -> None:
        self._events.append(("edit", message))
        self._notify()

    def _deleted(self, message: ChatMessage) -> None:
        self._events.append(("delete", message))
        self._notify()

    def __repr__(self) -> str:
        return f"SimUser(id={self.id}, first_name={self.first_name!r})"


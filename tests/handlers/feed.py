"""The handler tier: the real application's dispatcher, fed aiogram Updates directly — no HTTP.

`app.dispatcher.feed_update(bot, update)` runs every middleware, filter and handler as polling does.
The bot's outgoing calls go to a `RecordingSession` (aiogram tests its own code the same way, with its
MockedSession) that keeps them in memory and answers each as Telegram would. A `Person` here has the
verbs of tests/e2e/people.py (send, click, forge_click, one_message, assert_answered) and reads what
the bot sent to her chat.

For one update and its reply. What needs time passing, the outbox, several people or Telegram's own
rules (limits, edits of old messages, files) is tested in tests/e2e, against the emulator.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union, get_args, get_origin

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import AnswerCallbackQuery, GetMe, TelegramMethod
from aiogram.types import CallbackQuery, Chat, InlineKeyboardMarkup, Message, MessageEntity, Update, User

from bot.app import Application

BOT_USERNAME = "anabala_test_bot"
_SENDS = ("SendMessage", "SendPhoto", "SendDocument")
_EDITS = ("EditMessageText", "EditMessageCaption", "EditMessageReplyMarkup")


class RecordingSession(BaseSession):
    """Keeps every call the bot makes and answers it with what Telegram would return."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.now = now
        self.calls: list[tuple[TelegramMethod[Any], Any]] = []  # (what the bot asked, what it got back)
        self._message_ids = itertools.count(1_000)

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        result = self._result(bot, method)
        self.calls.append((method, result))
        return result

    def _result(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return User(id=bot.id, is_bot=True, first_name="AnaBala", username=BOT_USERNAME)
        returning = method.__returning__
        kinds = get_args(returning) if get_origin(returning) is Union else (returning,)
        if Message in kinds and getattr(method, "chat_id", None) is not None:
            return self._message(bot, method)
        if bool in kinds:
            return True
        if get_origin(returning) is list:
            return []
        raise AssertionError(f"the handler tier has no answer for {type(method).__name__}: test this in tests/e2e")

    def _message(self, bot: Bot, method: TelegramMethod[Any]) -> Message:
        chat_id = int(method.chat_id)  # type: ignore[attr-defined]
        markup = getattr(method, "reply_markup", None)
        return Message(
            message_id=getattr(method, "message_id", None) or next(self._message_ids),
            date=self.now(),
            chat=Chat(id=chat_id, type="private" if chat_id > 0 else "group"),
            from_user=User(id=bot.id, is_bot=True, first_name="AnaBala", username=BOT_USERNAME),
            text=getattr(method, "text", None),
            caption=getattr(method, "caption", None),
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
        )

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> Any:
        raise AssertionError("the handler tier downloads no files: test this in tests/e2e")
        yield b""  # pragma: no cover - makes this an async generator, as the base class declares

    async def close(self) -> None:
        pass


@dataclass
class Shown:
    """A message of the bot in her chat, as she sees it now (edits applied)."""

    message_id: int
    html: str  # the text or caption exactly as the bot sent it (HTML)
    markup: InlineKeyboardMarkup | None
    kind: str

    def button_labels(self) -> list[str]:
        return [b.text for row in self.markup.inline_keyboard for b in row] if self.markup else []

    def button(self, label: str | None, data: str | None) -> str:
        """The callback data of the button with this label (exactly, or the one that contains it)."""
        buttons = [b for row in self.markup.inline_keyboard for b in row] if self.markup else []
        if data is not None:
            found = [b for b in buttons if b.callback_data == data]
        else:
            found = [b for b in buttons if b.text == label] or [b for b in buttons if label and label in b.text]
        assert len(found) == 1 and found[0].callback_data, f"no one button {label or data!r} in {self.button_labels()}"
        return found[0].callback_data


@dataclass
class FedApp:
    """The application with its outgoing calls recorded; updates go straight to its dispatcher."""

    app: Application
    session: RecordingSession
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _her_message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def feed(self, **update: Any) -> None:
        await self.app.dispatcher.feed_update(self.app.bot, Update(update_id=next(self._update_ids), **update))

    def person(self, user_id: int, lang: str, first_name: str = "Aigerim") -> Person:
        """Someone in a private chat with the bot, whose Telegram app is in `lang`."""
        user = User(id=user_id, is_bot=False, first_name=first_name, language_code=lang)
        return Person(self, user, Chat(id=user_id, type="private", first_name=first_name), lang)

    def in_group(self, person: Person, group_id: int, title: str = "Our family chat") -> Person:
        """The same person, writing in a group the bot was added to (what she sees there: that group)."""
        return Person(self, person.user, Chat(id=group_id, type="supergroup", title=title), person.lang)

    def called(self, method: str, chat_id: int) -> list[TelegramMethod[Any]]:
        """The calls of this Bot API method the bot made about a chat (e.g. "LeaveChat")."""
        return [m for m, _result in self.session.calls if type(m).__name__ == method and getattr(m, "chat_id", None) == chat_id]


@dataclass
class Person:
    fed: FedApp
    user: User
    chat: Chat
    lang: str
    messages: list[Shown] = field(default_factory=list)
    callback_answers: list[AnswerCallbackQuery] = field(default_factory=list)
    _read: int = 0  # how many of the recorded calls are already in `messages`
    _seen: int = 0  # how many of `messages` there were before her last action
    _queries: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _last_press: str | None = None

    def t(self, msgid: str, **params: Any) -> str:
        """What she should see for an English source string, in her language."""
        text = self.fed.app.context.i18n.gettext(msgid, locale=self.lang)
        return text.format(**params) if params else text

    def render(self, view: Callable[..., str], *args: Any, **kwargs: Any) -> str:
        """A text builder of bot/views, as it reads in her language."""
        i18n = self.fed.app.context.i18n
        with i18n.context(), i18n.use_locale(self.lang):
            return view(*args, **kwargs)

    # --- acting -----------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))] if text.startswith("/") else None
        message = Message(message_id=next(self.fed._her_message_ids), date=self.fed.session.now(), chat=self.chat,
                          from_user=self.user, text=text, entities=entities)
        await self._act(message=message)

    async def click(self, label: str | None = None, *, data: str | CallbackData | None = None, on: Shown | None = None,
                    **params: Any) -> None:
        """Press a button on the newest message with a keyboard, or `on` the one given."""
        target = on or next((m for m in reversed(self.messages) if m.markup is not None), None)
        assert target is not None, "no message with buttons in her chat"
        chosen = target.button(self.t(label, **params) if label else None, _packed(data))
        await self._press(chosen, target)

    async def forge_click(self, data: str | CallbackData, *, on: Shown | None = None) -> None:
        """Callback data no button of hers carries (a modified client), under her newest message."""
        target = on or (self.messages[-1] if self.messages else None)
        await self._press(_packed(data) or "", target)

    async def _press(self, data: str, target: Shown | None) -> None:
        self._last_press = f"{self.chat.id}:{next(self._queries)}"
        message = Message(
            message_id=target.message_id if target else 1, date=self.fed.session.now(), chat=self.chat,
            from_user=User(id=self.fed.app.bot.id, is_bot=True, first_name="AnaBala"), text=target.html if target else "",
            reply_markup=target.markup if target else None,
        )
        query = CallbackQuery(id=self._last_press, from_user=self.user, chat_instance=str(-self.user.id), message=message, data=data)
        await self._act(callback_query=query)

    async def _act(self, **update: Any) -> None:
        self._catch_up()
        self._seen = len(self.messages)
        await self.fed.feed(**update)
        self._catch_up()

    def _catch_up(self) -> None:
        """Read the calls made since last time into what her chat shows."""
        calls = self.fed.session.calls
        for method, result in calls[self._read :]:
            name = type(method).__name__
            if isinstance(method, AnswerCallbackQuery) and method.callback_query_id.startswith(f"{self.chat.id}:"):
                self.callback_answers.append(method)
            elif getattr(method, "chat_id", None) != self.chat.id:
                continue
            elif name in _SENDS:
                text = getattr(method, "text", None) or getattr(method, "caption", None) or ""
                markup = getattr(method, "reply_markup", None)
                inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
                self.messages.append(Shown(result.message_id, text, inline, name))
            elif name in _EDITS:
                shown = next((m for m in self.messages if m.message_id == method.message_id), None)  # type: ignore[attr-defined]
                if shown is not None:
                    shown.html = getattr(method, "text", None) or getattr(method, "caption", None) or shown.html
                    markup = getattr(method, "reply_markup", None)
                    shown.markup = markup if isinstance(markup, InlineKeyboardMarkup) else None
        self._read = len(calls)

    # --- reading ----------------------------------------------------------------------------

    def one_message(self) -> Shown:
        """The one new message the bot sent her since her last action; fails when none or several."""
        new = self.messages[self._seen :]
        assert len(new) == 1, f"{len(new)} new messages since her last action, not one: {[m.html for m in new]}"
        return new[0]

    def assert_answered(self, msgid: str | None = None, *, show_alert: bool | None = None, **params: Any) -> None:
        """Her last press was answered — with this text (in her language) and kind of box, when given."""
        answers = [a for a in self.callback_answers if a.callback_query_id == self._last_press]
        assert len(answers) == 1, f"her last press was answered {len(answers)} times"
        (answer,) = answers
        if msgid is not None:
            assert answer.text == self.t(msgid, **params), answer.text
        if show_alert is not None:
            assert bool(answer.show_alert) == show_alert, answer.show_alert


def _packed(data: str | CallbackData | None) -> str | None:
    return data.pack() if isinstance(data, CallbackData) else data

"""A person as a test sees her: she acts, the bot settles, she reads what arrived — in her language.

Her verbs, one per human act:
- `send(text)`, `send_photo(caption)`, `send_document(name)`: she writes;
- `click(label)`: she presses an inline button — the newest keyboard's, or `on=` an older message;
  by its label (an English msgid, shown in her language; a name or a label already in her language is
  pressed as given), or by its callback `data=` where labels repeat;
- `forge_click(data)`: a modified client sends callback data no button of hers carries;
- `share_contact()`: she shares her number with the «📱 Share my phone number» button
  (or, given a phone, sends a contact card from her phone book).
And what she reads: `one_message()` (the one new message since her last action),
`assert_answered(...)` (her last press was answered), `last_text`, `saw(msgid)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.filters.callback_data import CallbackData

from emulator import SimUser
from emulator.users import ChatMessage
from tests.e2e.harness import RunningBot

SHARE_PHONE = "📱 Share my phone number"


def packed(data: str | CallbackData) -> str:
    return data if isinstance(data, str) else data.pack()


@dataclass
class Person:
    bot: RunningBot
    user: SimUser
    lang: str
    # Where her last action began: how many messages the chat held, and the press she made (if any).
    _seen: int = field(default=0, init=False, repr=False)
    _last_press: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def t(self, msgid: str, **params: Any) -> str:
        """What she should see for an English source string, in her language."""
        text = self.bot.app.context.i18n.gettext(msgid, locale=self.lang)
        return text.format(**params) if params else text

    # --- acting -----------------------------------------------------------------------------

    async def _act(self, action: Any) -> Any:
        """A person pauses to read before she acts; then the bot takes the update and settles."""
        self.bot.human_pause()
        self._seen = len(self.user.all_messages)
        result = await action
        await self.bot.settle()
        return result

    async def send(self, text: str) -> None:
        await self._act(self.user.send(text))

    async def send_photo(self, caption: str | None = None) -> None:
        await self._act(self.user.send_photo(caption=caption))

    async def send_document(self, file_name: str) -> None:
        await self._act(self.user.send_document(file_name))

    async def click(
        self, label: str | None = None, *, on: ChatMessage | None = None, data: str | CallbackData | None = None, **params: Any
    ) -> None:
        """Press an inline button: by label (translated when it is a msgid; `params` fill it in) or by
        callback data; on the newest message with a keyboard, or `on` the message given. A label
        matches its button exactly, or the one button that contains it («▫️ 🤰 I am pregnant»)."""
        text = self.t(label, **params) if label is not None else None
        query = self.user.click(text, data=packed(data) if data is not None else None, message=on)
        self._last_press = await self._act(query)

    async def forge_click(self, data: str | CallbackData, *, on: ChatMessage | None = None) -> None:
        """Callback data no button of hers carries (a modified client): the bot must refuse it."""
        self._last_press = await self._act(self.user.forge_click(packed(data), message=on))

    async def share_contact(self, phone: str | None = None, *, own: bool = True) -> None:
        """With no phone: her own number, with the reply keyboard's «📱 Share my phone number» (it must
        be showing). With a phone: a contact card she picks (someone else's when `own` is False)."""
        if phone is None:
            await self._act(self.user.press(self.t(SHARE_PHONE)))
            return
        other = self.user.user_id + 1_000_000
        await self._act(self.user.send_contact(phone_number=phone, user_id=None if own else other))

    # --- reading ----------------------------------------------------------------------------

    def one_message(self) -> ChatMessage:
        """The one new message the bot sent her since her last action (edits of older ones aside);
        fails, showing them, when there were none or several."""
        new = [m for m in self.user.all_messages[self._seen :] if m.from_bot and not m.deleted]
        assert len(new) == 1, f"{len(new)} new messages since her last action, not one:\n" + "\n".join(
            m.describe() for m in new
        ) + f"\n--- her chat ---\n{self.user.transcript()}"
        return new[0]

    def assert_answered(self, msgid: str | None = None, *, show_alert: bool | None = None, **params: Any) -> None:
        """Her last press was answered (the spinner stopped) — with this text, in her language, when
        given; as an alert box (show_alert=True) or a passing notice (False), when given."""
        assert self._last_press is not None, "she has pressed nothing yet"
        query_id = self._last_press["id"]
        answers = [a for a in self.user.callback_answers if a["query_id"] == query_id]
        assert answers, f"her press of {self._last_press['data']!r} was not answered\n{self.user.transcript()}"
        (answer,) = answers
        if msgid is not None:
            expected = self.t(msgid, **params)
            assert answer["text"] == expected, f"{self._last_press['data']!r} answered {answer['text']!r}, not {expected!r}"
        if show_alert is not None:
            assert answer["show_alert"] == show_alert, f"{self._last_press['data']!r}: show_alert={answer['show_alert']}"

    @property
    def last_text(self) -> str:
        """The last message as sent (HTML source), so msgids with tags compare directly."""
        last = self.user.last_message
        return (last.html or last.text or "") if last else ""

    def saw(self, msgid: str, **params: Any) -> bool:
        """Did any message since the start contain this text (translated)?"""
        expected = self.t(msgid, **params)
        return any(expected in (m.html or m.text or "") for m in self.user.messages)

    def recent_texts(self, n: int = 3) -> list[str]:
        return [m.text or "" for m in self.user.messages[-n:]]

    def last_has(self, fragment: str) -> bool:
        return fragment in self.last_text

    def message_with_button(self, msgid: str, **params: Any) -> ChatMessage:
        """The newest message still showing this button (she scrolls up to it, e.g. to her menu)."""
        label = self.t(msgid, **params)
        found = next((m for m in reversed(self.user.messages) if not m.deleted and label in m.button_labels()), None)
        assert found is not None, f"no message shows {label!r}\n{self.user.transcript()}"
        return found

"""A mother as a test sees her: she acts, the bot settles, she reads what arrived — in her language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import SimUser
from tests.e2e.harness import RunningBot


@dataclass
class Person:
    bot: RunningBot
    user: SimUser
    lang: str

    def t(self, msgid: str, **params: Any) -> str:
        """What she should see for an English source string, in her language."""
        text = self.bot.app.context.i18n.gettext(msgid, locale=self.lang)
        return text.format(**params) if params else text

    async def send(self, text: str) -> None:
        self.bot.human_pause()
        await self.user.send(text)
        await self.bot.settle()

    async def click(self, msgid: str, **params: Any) -> None:
        """Press an inline button by its (translated) label."""
        self.bot.human_pause()
        await self.user.click(self.t(msgid, **params))
        await self.bot.settle()

    async def click_exact(self, label: str) -> None:
        self.bot.human_pause()
        await self.user.click(label)
        await self.bot.settle()

    async def click_on(self, message: Any, label: str | None = None, *, data: str | None = None) -> None:
        """Press a button on a given (perhaps older) message, by label or raw callback data."""
        self.bot.human_pause()
        await self.user.click(label, data=data, message=message)
        await self.bot.settle()

    async def forge_click(self, data: str) -> None:
        """Callback data no button of hers carries (a modified client): the bot must refuse it."""
        self.bot.human_pause()
        await self.user.forge_click(data)
        await self.bot.settle()

    async def press(self, msgid: str) -> None:
        """Press a reply-keyboard button (e.g. share contact) by its translated label."""
        self.bot.human_pause()
        await self.user.press(self.t(msgid))
        await self.bot.settle()

    async def share_contact(self, phone: str, *, own: bool = True) -> None:
        self.bot.human_pause()
        await self.user.send_contact(phone_number=phone, user_id=None if own else self.user.user_id + 1_000_000)
        await self.bot.settle()

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


"""Health data never reaches a group: the bot serves private chats only.

An outer middleware on every update, before anything reads a database: an update from a group,
supergroup or channel (or without a sender) never reaches a router. In a group the bot says one
neutral line, once, pointing to the private chat, and leaves (``leaveChat``); a channel it leaves
without a word; a button pressed under one of its messages in a group is answered with the same line
and does nothing. ``my_chat_member`` about a group never touches her private chat's state: removing the
bot from a group does not mark her unreachable, adding it does not mark a blocked mother reachable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.types.update import UpdateTypeLookupError
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import pick_language
from bot.logging_setup import log_event

_JOINED = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR}


def _chat_and_sender(update: Update) -> tuple[Chat | None, User | None, bool]:
    """(the chat, who acted, whether this update kind is ours to judge)."""
    message = update.message or update.edited_message or update.channel_post or update.edited_channel_post
    if message is not None:
        return message.chat, message.from_user, True
    if update.callback_query is not None:
        query = update.callback_query
        return (query.message.chat if query.message is not None else None), query.from_user, True
    if update.my_chat_member is not None:
        return update.my_chat_member.chat, update.my_chat_member.from_user, True
    return None, None, False


class PrivateChatsOnly(BaseMiddleware):
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n
        self._told: set[int] = set()  # groups already given the one line (before the leave took effect)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        chat, sender, judged = _chat_and_sender(event)
        if not judged:
            try:
                event.event_type  # noqa: B018 - a bare Update (one polling could not read) has none
            except UpdateTypeLookupError:
                return UNHANDLED
            return await handler(event, data)
        if chat is not None and chat.type == ChatType.PRIVATE and sender is not None and not sender.is_bot:
            return await handler(event, data)
        await self._outside_private_chat(event, data["bot"], chat, sender)
        return UNHANDLED

    async def _outside_private_chat(self, update: Update, bot: Bot, chat: Chat | None, sender: User | None) -> None:
        log_event("non_private_update", update_id=update.update_id, chat_type=chat.type if chat else "none")
        if chat is None or chat.type == ChatType.PRIVATE:
            return  # an update without a sender (or from a bot) in a private chat: nothing to do
        if update.callback_query is not None:
            await self._safely(update.callback_query.answer(self._line(bot, sender, await bot.me())))
            return
        member = update.my_chat_member
        if member is not None and member.new_chat_member.status not in _JOINED:
            return  # removed from a group, or left it: nothing about anyone's private chat changes
        if chat.type != ChatType.CHANNEL and chat.id not in self._told:
            self._told.add(chat.id)
            await self._safely(bot.send_message(chat.id, self._line(bot, sender, await bot.me())))
        await self._safely(bot.leave_chat(chat.id))
        log_event("left_non_private_chat", chat_id=chat.id, chat_type=chat.type)

    def _line(self, bot: Bot, sender: User | None, me: User) -> str:
        lang = pick_language(sender.language_code if sender else None, self.i18n.default_locale)
        with self.i18n.context(), self.i18n.use_locale(lang):
            return _("I work only in a private chat, so that nobody else sees your health data: open @{username}").format(
                username=me.username or ""
            )

    @staticmethod
    async def _safely(call: Awaitable[Any]) -> None:
        try:
            await call
        except TelegramAPIError as error:  # already removed, no right to write: nothing more to do
            log_event("non_private_call_failed", error=type(error).__name__)

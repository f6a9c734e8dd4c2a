"""Group chats, supergroups and channels, as Telegram shows them to a bot that is added to one.

A ``SimGroup`` reuses ``SimUser``'s message store (the bot's messages there are readable the same way)
but is a chat, not a person: its id is negative, it has a title and members, and the bot is in it
only after someone adds it. What members do there reaches the bot as Telegram sends it:

- ``add_bot(by)`` / ``remove_bot(by)``: a ``my_chat_member`` update about the group (and, on adding,
  the service message with ``new_chat_members``);
- ``say(member, text)``: a message in the group, ``from`` the member;
- ``say_anonymously(text)``: an anonymous admin: ``from`` is @GroupAnonymousBot, ``sender_chat`` the group;
- ``post(text)``: a channel post: no ``from`` at all;
- ``click(member, text)``: a member presses a button under the bot's message in the group.

The bot may write to the group while it is a member; after ``leaveChat`` (or being removed) Telegram
answers 403. Everything the bot sent there stays in ``messages`` so a test can count it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.formatting import add_auto_entities
from emulator.users import ChatMessage, SimUser

if TYPE_CHECKING:
    from emulator.server import BotAPIEmulator

GROUP_ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}


# ChatMemberAdministrator's required rights (Bot API 10.1): Telegram always sends them all.
_ADMIN_RIGHTS = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                 "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                 "can_post_stories", "can_edit_stories", "can_delete_stories")


def _chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object of the bot with this status, with the fields Telegram sends for it."""
    member: dict[str, Any] = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        member |= dict.fromkeys(_ADMIN_RIGHTS, False) | {"can_manage_chat": True, "can_delete_messages": True}
    return member


class SimGroup(SimUser):
    """A group, supergroup or channel. Get one with ``emu.group(...)``."""

    def __init__(self, emulator: BotAPIEmulator, chat_id: int, title: str, kind: str = "supergroup") -> None:
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative in the Bot API")
        if kind not in ("group", "supergroup", "channel"):
            raise ValueError(f"unknown chat type {kind!r}")
        super().__init__(emulator, chat_id, title)
        self.title = title
        self.kind = kind
        self.bot_status = "left"  # "member" | "administrator" once added; "left" / "kicked" after
        self.left_by_bot = False  # the bot called leaveChat

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.kind, "title": self.title}

    @property
    def info(self) -> dict[str, Any]:  # a chat has no User object; only sender_chat
        return self.chat

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status in ("member", "administrator")

    # The server treats a chat the bot cannot write to like a blocked private chat (403).
    @property
    def blocked(self) -> bool:
        return not self.bot_is_member

    @blocked.setter
    def blocked(self, value: bool) -> None:  # SimUser.__init__ sets it; a group ignores it
        pass

    @property
    def known_to_bot(self) -> bool:
        return self.bot_is_member or self.left_by_bot or bool(self.all_messages)

    @known_to_bot.setter
    def known_to_bot(self, value: bool) -> None:
        pass

    # --- what people do there ---------------------------------------------------------------

    def _member_update(self, by: dict[str, Any], old: str, new: str) -> dict[str, Any]:
        bot = self._emu._bot_user()
        return self._emu._enqueue_update(
            "my_chat_member",
            {
                "chat": self.chat,
                "from": by,
                "date": self._emu.now(),
                "old_chat_member": _chat_member(bot, old),
                "new_chat_member": _chat_member(bot, new),
            },
        )

    async def add_bot(self, by: SimUser, *, as_admin: bool = False) -> None:
        """A member adds the bot: ``my_chat_member`` (left → member), then the service message."""
        old, self.bot_status = self.bot_status, "administrator" if as_admin else "member"
        self.left_by_bot = False
        self._log_line(f"{by.first_name} added the bot")
        self._member_update(by.info, old, self.bot_status)
        if self.kind != "channel":
            message = self._new_message(by.info, "new_chat_members", media={"new_chat_members": [self._emu._bot_user()]})
            self._emu._enqueue_update("message", message.to_api())

    async def remove_bot(self, by: SimUser) -> None:
        old, self.bot_status = self.bot_status, "kicked"
        self._log_line(f"{by.first_name} removed the bot")
        self._member_update(by.info, old, "kicked")

    async def say(self, member: SimUser, text: str) -> dict[str, Any]:
        """A member writes in the group (a command gets its bot_command entity, as in Telegram)."""
        message = self._new_message(member.info, "text", text=text, entities=add_auto_entities(text, []))
        return self._to_bot("message", message)

    async def say_anonymously(self, text: str) -> dict[str, Any]:
        """An anonymous group admin: ``from`` is @GroupAnonymousBot and ``sender_chat`` the group itself."""
        message = self._new_message(GROUP_ANONYMOUS_BOT, "text", text=text, entities=add_auto_entities(text, []))
        message.extra["sender_chat"] = self.chat
        return self._to_bot("message", message)

    async def post(self, text: str) -> dict[str, Any]:
        """A channel post: Telegram sends it with no ``from`` field, only ``sender_chat``."""
        message = self._new_message(None, "text", text=text, entities=add_auto_entities(text, []))
        message.extra["sender_chat"] = self.chat
        return self._to_bot("channel_post", message)

    def _to_bot(self, kind: str, message: ChatMessage) -> dict[str, Any]:
        """Only a member bot receives what is said in a chat (as in Telegram)."""
        payload = message.to_api()
        return self._emu._enqueue_update(kind, payload) if self.bot_is_member else payload

    async def click(self, member: SimUser, text: str | None = None, *, data: str | None = None,  # type: ignore[override]  # in a group, a member presses
                    message: ChatMessage | int | None = None) -> dict[str, Any]:
        """A member presses a button under one of the bot's messages in the group."""
        target, buttons = self._inline_buttons(message)
        button = self._pick_button(target, buttons, text, data)
        query = self._emu._new_callback_query(member, target, button["callback_data"])
        return self._emu._enqueue_update("callback_query", query)

    def _new_message(self, sender: dict[str, Any] | None, kind: str, *, text: str | None = None,
                     entities: list[dict[str, Any]] | None = None, media: dict[str, Any] | None = None) -> ChatMessage:
        message = ChatMessage(
            message_id=self._allocate_id(),
            chat=self.chat,
            sender=sender or {},
            date=self._emu.now(),
            kind=kind,
            from_bot=False,
            text=text,
            entities=entities or [],
            media=media or {},
        )
        self._store(message)
        self._log_line(message.describe())
        return message

    def __repr__(self) -> str:
        return f"SimGroup(id={self.id}, type={self.kind!r}, title={self.title!r})"

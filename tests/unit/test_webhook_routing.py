"""Whose turn an update belongs to (bot/webhook.py:chat_of): her chat's, so her updates queue behind each other."""

from __future__ import annotations

from bot.webhook import chat_of


def test_a_message_a_press_and_a_block_belong_to_her_chat() -> None:
    assert chat_of({"update_id": 1, "message": {"message_id": 5, "chat": {"id": 42, "type": "private"}, "from": {"id": 42}}}) == 42
    assert chat_of({"update_id": 2, "callback_query": {"id": "q", "from": {"id": 42}, "message": {"chat": {"id": 42}}}}) == 42
    assert chat_of({"update_id": 3, "my_chat_member": {"chat": {"id": 42}, "from": {"id": 42}}}) == 42
    assert chat_of({"update_id": 4, "message": {"chat": {"id": -100123}, "from": {"id": 42}}}) == -100123  # a group: its own


def test_a_press_on_an_old_inline_message_belongs_to_its_sender_and_nonsense_to_nobody() -> None:
    assert chat_of({"update_id": 5, "callback_query": {"id": "q", "from": {"id": 77}, "inline_message_id": "x"}}) == 77
    assert chat_of({"update_id": 6}) == 0
    assert chat_of({"update_id": 7, "message": "not an object"}) == 0

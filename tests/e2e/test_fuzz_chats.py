"""Random updates from everywhere a Telegram bot can be reached, mixed with a mother's private chat:
groups and supergroups (members typing commands, anonymous admins, the bot added and removed, buttons
pressed under its line there), channel posts without a sender, and now and then an update the library
cannot read. No exception reaches the error handler; a group hears at most one line each time the bot
is added and nothing about anyone; her private chat keeps working."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.harness import RunningBot

COMMANDS = st.sampled_from(["/start", "/profile", "/check", "/alerts", "/families", "/help", "/delete_me",
                            "/nurse", "hello", "Aigerim +7 701 000 00 00", "/start inv_abc"])
EVENTS = st.lists(
    st.one_of(
        st.tuples(st.just("private"), COMMANDS),
        st.tuples(st.just("group_say"), COMMANDS),
        st.tuples(st.just("anonymous"), COMMANDS),
        st.tuples(st.just("channel_post"), COMMANDS),
        st.tuples(st.just("add"), st.booleans()),
        st.tuples(st.just("remove"), st.none()),
        st.tuples(st.just("group_click"), st.none()),
        st.tuples(st.just("malformed"), st.sampled_from(["no_date", "unknown_field", "no_chat"])),
    ),
    min_size=1,
    max_size=25,
)
MALFORMED = {
    "no_date": {"message": {"message_id": 1, "from": {"id": 1, "is_bot": False, "first_name": "x"},
                            "chat": {"id": 1, "type": "private"}, "text": "hi"}},
    "unknown_field": {"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "secret_room"}, "text": "hi"}},
    "no_chat": {"callback_query": {"id": "1", "from": {"id": 1, "is_bot": False, "first_name": "x"}}},
}
_ids = itertools.count(1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=EVENTS)
async def test_updates_from_groups_channels_and_broken_ones_never_raise(bot: RunningBot, events: list[tuple[str, object]]) -> None:
    n = next(_ids)
    mother = bot.emulator.user(user_id=600_000 + n, first_name="Fuzz", language_code="ru")
    await mother.send("/start")
    group = bot.emulator.group(-1006000000000 - n, f"Group {n}")
    channel = bot.emulator.group(-1007000000000 - n, f"Channel {n}", kind="channel")
    joins = 0
    for kind, value in events:
        bot.human_pause()
        if kind == "private":
            await mother.send(str(value))
        elif kind == "group_say":
            await group.say(mother, str(value))
        elif kind == "anonymous":
            await group.say_anonymously(str(value))
        elif kind == "channel_post":
            await channel.post(str(value))
        elif kind == "add":
            joins += 1
            await (channel if value else group).add_bot(mother)
        elif kind == "remove":
            await group.remove_bot(mother)
        elif kind == "group_click":
            if any(m.inline_markup for m in group.messages):
                await group.click(mother, data="chk:pick:1:signs:bleed")
        else:
            bot.emulator.inject_raw_update(MALFORMED[str(value)])
        await bot.settle()
        assert bot.app.context.errors == 0, bot.emulator.chat_log(mother.user_id)
    assert len(group.messages) <= max(1, joins), [m.text for m in group.messages]
    assert all(f"@{bot.emulator.bot_username}" in (m.text or "") and "Fuzz" not in (m.text or "") for m in group.messages)
    assert channel.messages == []
    await mother.send("/help")  # her private chat still answers
    await bot.settle()
    assert mother.messages and bot.app.context.errors == 0

"""Random sequences of texts, commands, contacts and button presses thrown at the registration flow:
no unhandled exception, and every message and every press gets an answer."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.harness import RunningBot

TEXTS = st.sampled_from(
    [
        "Aigerim", "Айгерім", "Мария-Анна", "", " ", "12345", "<b>x</b>", "a & b < c", "😀", "x" * 300,
        "+7 701 123 45 67", "87011234567", "+7 727 255 55 55", "15.03.2027", "1.9.26", "32.13.2026", "2024-02-29",
        "12", "0", "43", "12 апта", "/start", "/help", "/privacy", "/profile", "/language", "/stop", "/delete_me",
        "/unknown", "/start abc",
    ]
) | st.text(max_size=40)

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("text"), TEXTS),
        st.tuples(st.just("click"), st.integers(min_value=0, max_value=30)),
        st.tuples(st.just("contact"), st.booleans()),
        st.tuples(st.just("photo"), st.none()),
    ),
    min_size=1,
    max_size=25,
)

_user_ids = itertools.count(500_000)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=ACTIONS)
async def test_random_input_never_breaks_the_flow(bot: RunningBot, actions: list[tuple[str, object]]) -> None:
    user = bot.emulator.user(user_id=next(_user_ids), first_name="Fuzz", language_code="ru")
    await user.send("/start")
    await bot.settle()
    for kind, value in actions:
        before_messages = len(user.messages)
        before_edits = sum(m.edits for m in user.messages)
        before_answers = len(user.callback_answers)
        bot.human_pause()
        if kind == "text":
            text = str(value)
            if not text.strip():
                continue  # Telegram does not deliver empty messages
            await user.send(text)
        elif kind == "contact":
            await user.send_contact(phone_number="+77011234567", user_id=None if value else 1)
        elif kind == "photo":
            await user.send_photo()
        else:
            buttons = [
                (message, button)
                for message in user.messages[-5:]
                if not message.deleted
                for row in message.inline_buttons
                for button in row
                if button.get("callback_data")
            ]
            if not buttons:
                continue
            message, button = buttons[int(value) % len(buttons)]  # type: ignore[call-overload]
            await user.click(data=button["callback_data"], message=message)
        await bot.settle()
        assert bot.app.context.errors == 0, bot.emulator.chat_log(user.user_id)
        if kind == "click":
            assert len(user.callback_answers) > before_answers, bot.emulator.chat_log(user.user_id)
        else:
            answered = len(user.messages) > before_messages or sum(m.edits for m in user.messages) > before_edits
            assert answered, bot.emulator.chat_log(user.user_id)

"""Bubbles as HTML: built from text and Telegram entities, everything else escaped."""

from __future__ import annotations

import re

from emulator import parse_html
from emulator.formatting import add_auto_entities
from sandbox.render import start_payload, to_html


def from_bot(html: str) -> str:
    """What the page shows for a message the bot sent with parse_mode=HTML."""
    text, entities = parse_html(html)
    return to_html(text, entities, "anabala_sandbox_bot")


def balanced(markup: str) -> bool:
    stack: list[str] = []
    for closing, tag in re.findall(r"<(/?)(\w+)", markup):
        if closing:
            if not stack or stack.pop() != tag:
                return False
        else:
            stack.append(tag)
    return not stack


def test_telegram_formatting_survives_and_text_is_escaped() -> None:
    assert from_bot("<b>Айгерім</b>, week 27 &lt;3 &amp; more") == "<b>Айгерім</b>, week 27 &lt;3 &amp; more"
    assert from_bot("<b>bold <i>both</i></b> <u>u</u> <s>s</s> <code>x&lt;y</code>") == (
        "<b>bold <i>both</i></b> <u>u</u> <s>s</s> <code>x&lt;y</code>"
    )
    assert from_bot("<blockquote>quoted</blockquote>") == "<blockquote>quoted</blockquote>"


def test_offsets_are_utf16_so_emoji_do_not_shift_the_tags() -> None:
    assert from_bot("🤰🏽 <b>week 27</b> 👶") == "🤰🏽 <b>week 27</b> 👶"


def test_overlapping_entities_still_give_balanced_markup() -> None:
    entities = [{"type": "bold", "offset": 0, "length": 6}, {"type": "italic", "offset": 3, "length": 6}]
    markup = to_html("abcdefghi", entities)
    assert balanced(markup)
    assert re.sub(r"<[^>]+>", "", markup) == "abcdefghi"


def test_links_only_with_safe_schemes() -> None:
    assert 'href="https://example.org/a?b=1&amp;c=2"' in from_bot('<a href="https://example.org/a?b=1&amp;c=2">x</a>')
    assert from_bot('<a href="javascript:alert(1)">click</a>') == "click"
    bare = to_html("see example.org", [{"type": "url", "offset": 4, "length": 11}])
    assert 'href="https://example.org"' in bare and 'rel="noopener noreferrer nofollow"' in bare
    assert from_bot('<a href="tg://resolve?domain=x">x</a>') == "x"
    assert from_bot('<a href="data:text/html,hi">x</a>') == "x"


def test_the_console_link_from_console_opens_in_a_new_tab() -> None:
    link = "http://127.0.0.1:8081/login/AbC-123_x"
    text = f"Your link to the AnaBala console:\n{link}\n\nIt works once"
    plain, entities = parse_html(text)  # the bot sends the address as plain text: Telegram finds the link
    markup = to_html(plain, add_auto_entities(plain, entities), "anabala_sandbox_bot")
    assert f'<a href="{link}" target="_blank" rel="noopener noreferrer nofollow">{link}</a>' in markup


def test_a_link_to_this_bot_opens_as_someone_and_commands_can_be_tapped() -> None:
    link = "https://t.me/anabala_sandbox_bot?start=inv_abc-DEF_1"
    markup = to_html(link, [{"type": "url", "offset": 0, "length": len(link)}], "anabala_sandbox_bot")
    assert 'class="start-link" data-start="inv_abc-DEF_1"' in markup
    assert start_payload("https://t.me/another_bot?start=x", "anabala_sandbox_bot") is None
    assert start_payload('https://t.me/anabala_sandbox_bot?start="><script>', "anabala_sandbox_bot") is None
    command = to_html("/help now", [{"type": "bot_command", "offset": 0, "length": 5}])
    assert command == '<button type="button" class="cmd" data-command="/help">/help</button> now'


def test_broken_entities_are_ignored_not_trusted() -> None:
    assert to_html("<x>", [{"type": "bold", "offset": "a", "length": 2}, {"type": "unknown", "offset": 0, "length": 3}]) == "&lt;x&gt;"
    assert to_html("", []) == "" and to_html(None, None) == ""

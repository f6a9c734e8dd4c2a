"""Pure units: the HTML parser and the compiled spec validators."""

from __future__ import annotations

import json

import pytest

from emulator import ApiError, load_spec, parse_html, utf16_len
from emulator.formatting import EntityParseError, format_text


def test_utf16_length() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("Сәлем") == 5
    assert utf16_len("👶") == 2
    assert utf16_len("a👶b") == 4


def test_entity_offsets_are_utf16() -> None:
    text, entities = parse_html("👶 <b>бала</b>")
    assert text == "👶 бала"
    assert entities == [{"type": "bold", "offset": 3, "length": 4}]


def test_nested_and_overlapping_tags() -> None:
    text, entities = parse_html("<b>bold <i>both</i></b> <a href='tg://user?id=42'>her</a>")
    assert text == "bold both her"
    assert sorted((e["type"], e["offset"], e["length"]) for e in entities) == [
        ("bold", 0, 9), ("italic", 5, 4), ("text_mention", 10, 3),
    ]  # fmt: skip


def test_entities_decoding_without_semicolon_and_numeric() -> None:
    assert parse_html("&lt &gt; &#1241; &#x4D9;")[0] == "< > ә ә"


def test_anchor_without_href_uses_its_text_and_bad_urls_are_dropped() -> None:
    assert parse_html("<a>https://x.kz</a>")[1] == [
        {"type": "text_link", "offset": 0, "length": 12, "url": "https://x.kz"}
    ]
    assert parse_html('<a href="javascript alert">x</a>')[1] == []


def test_lenient_ampersand_matches_telegram() -> None:
    assert parse_html("AT&T", strict_ampersand=False)[0] == "AT&T"
    with pytest.raises(EntityParseError, match='Unescaped "&" at byte offset 2'):
        parse_html("AT&T")


def test_byte_offsets_count_utf8_bytes() -> None:
    with pytest.raises(EntityParseError, match='Unsupported start tag "x" at byte offset 10'):
        parse_html("Сәлем<x>")  # five Cyrillic/Kazakh letters are ten bytes


def test_trimming_shifts_entities() -> None:
    text, entities = format_text("  \n<b>hi</b>  ", "HTML", None)
    assert text == "hi" and entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_every_method_of_the_spec_compiles() -> None:
    spec = load_spec()
    assert spec.version.startswith("Bot API")
    assert len(spec.methods) > 150
    assert spec.canonical("SENDMESSAGE") == "sendMessage"
    assert load_spec() is spec  # compiled once per process


def test_keyboard_button_may_be_a_plain_string() -> None:
    spec = load_spec().methods["sendMessage"]
    params = spec.validate({"chat_id": "1", "text": "x", "reply_markup": json.dumps({"keyboard": [["Yes", {"text": "No"}]]})}, {})
    assert params["reply_markup"] == {"keyboard": [[{"text": "Yes"}, {"text": "No"}]]}


def test_subtype_tags_are_checked() -> None:
    spec = load_spec().methods["sendMediaGroup"]
    photos = json.dumps([{"type": "photo", "media": "attach://pic"}, {"type": "photo", "media": "file-id"}])
    params = spec.validate({"chat_id": "1", "media": photos}, {})
    assert [m["media"] for m in params["media"]] == ["attach://pic", "file-id"]
    with pytest.raises(ApiError, match='Field "type" must be "'):
        spec.validate({"chat_id": "1", "media": json.dumps([{"type": "gif", "media": "x"}])}, {})
    scope = load_spec().methods["setMyCommands"]
    with pytest.raises(ApiError, match='Field "type" has unsupported value "gif"'):
        scope.validate({"commands": "[]", "scope": '{"type": "gif"}'}, {})


def test_json_body_values_are_accepted_natively() -> None:
    spec = load_spec().methods["sendMessage"]
    params = spec.validate({"chat_id": "1001", "text": 5, "disable_notification": False, "reply_parameters": {"message_id": 3}}, {})
    assert params == {"chat_id": 1001, "text": "5", "disable_notification": False, "reply_parameters": {"message_id": 3}}
    with pytest.raises(ApiError, match='field "disable_notification" must be of type Boolean'):
        spec.validate({"chat_id": 1, "text": "x", "disable_notification": "yes"}, {})


def test_random_markup_parses_or_fails_cleanly() -> None:
    import random

    pieces = list("<>/&;#=\"' abi") + ["<b>", "</b>", "<a href='https://x.kz'>", "</a>", "<pre>", "</pre>",
                                        '<code class="language-py">', "</code>", "&amp;", "&#65;", "😀", "ә", "\n"]  # fmt: skip
    rng = random.Random(7)
    for _ in range(3000):
        source = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        try:
            text, entities = format_text(source, "HTML", None)
        except EntityParseError:
            continue
        size = utf16_len(text)
        assert all(e["offset"] >= 0 and e["length"] > 0 and e["offset"] + e["length"] <= size for e in entities), source

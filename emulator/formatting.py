"""Telegram text formatting: the HTML parse mode, entity checks and UTF-16 lengths.

The HTML parser follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp) closely, so the
error texts and byte offsets match what api.telegram.org answers. One deliberate difference:
with ``strict_ampersand`` (the default) a bare "&" that does not start a known entity is an
error, whereas Telegram keeps it literally. A bare "&" in bot text almost always means a missing
``html.escape``, and the same text with a "<" in it would fail in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class EntityParseError(ValueError):
    """The text cannot be parsed; ``str(exc)`` is the part after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what Telegram counts for limits and entity offsets."""
    # Characters outside the BMP take two code units; everything else one.
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2  # C speed: this runs on every message


SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "tg-time", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

ENTITY_TYPES = frozenset(
    {
        "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
        "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
        "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
    }
)  # fmt: skip

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAG_ENTITY = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler",
}  # fmt: skip
_SPECIAL = re.compile(r"[<&]")
_ALNUM_DOT_DASH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode "&...;" at pos like tdlib (the ";" is optional); None if it is no known entity."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        code = 0
        if end < n and text[end] in "xX" and end + 1 < n and text[end + 1] in "0123456789abcdefABCDEF":
            end += 1
            start = end
            while end < n and text[end] in "0123456789abcdefABCDEF":
                end += 1
            code = int(text[start:end], 16) if end - start <= 8 else 0x110000
        else:
            start = end
            while end < n and text[end].isdigit() and text[end].isascii():
                end += 1
            if end == start:
                return None
            code = int(text[start:end]) if end - start <= 8 else 0x110000
        if code == 0 or code >= 0x110000 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        start = end
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        char = _NAMED_ENTITIES.get(text[start:end], "")
        if not char:
            return None
    if end < n and text[end] == ";":
        end += 1
    return char, end


@dataclass
class _Open:
    tag: str
    argument: str | None
    utf16_offset: int
    text_index: int  # index into the output pieces, for <a> without href
    byte_pos: int


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) or raise EntityParseError with a Telegram-like reason."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    u16 = 0
    pos = 0
    n = len(text)

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    def emit(piece: str) -> None:
        nonlocal u16
        out.append(piece)
        u16 += utf16_len(piece)

    while pos < n:
        m = _SPECIAL.search(text, pos)
        if m is None:
            emit(text[pos:])
            break
        if m.start() > pos:
            emit(text[pos : m.start()])
        pos = m.start()
        if text[pos] == "&":
            decoded = _decode_entity(text, pos)
            if decoded is None:
                if strict_ampersand:
                    raise EntityParseError(
                        f'Unescaped "&" at byte offset {byte_offset(pos)}; use &amp; '
                        "(the emulator is stricter than Telegram here, see emulator/README.md)"
                    )
                emit("&")
                pos += 1
            else:
                emit(decoded[0])
                pos = decoded[1]
            continue

        begin = pos
        pos += 1
        if pos >= n or text[pos] != "/":
            # Start tag: the name runs to the first space or ">".
            name_start = pos
            while pos < n and not text[pos].isspace() and text[pos] != ">":
                pos += 1
            if pos >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[name_start:pos].lower()
            if tag not in SUPPORTED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            argument: str | None = None
            attrs: dict[str, str] = {}
            while text[pos] != ">":
                while pos < n and text[pos].isspace():
                    pos += 1
                if pos >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[pos] == ">":
                    break
                attr_start = pos
                while pos < n and not text[pos].isspace() and text[pos] not in "=>/\"'":
                    pos += 1
                attr_name = text[attr_start:pos].lower()
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                while pos < n and text[pos].isspace():
                    pos += 1
                if pos >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[pos] != "=":
                    attrs[attr_name] = ""
                    continue
                pos += 1
                while pos < n and text[pos].isspace():
                    pos += 1
                if pos >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[pos] not in "\"'":
                    token_start = pos
                    while pos < n and text[pos] in _ALNUM_DOT_DASH:
                        pos += 1
                    if pos >= n:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                    value = text[token_start:pos].lower()
                    if not text[pos].isspace() and text[pos] != ">":
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {byte_offset(token_start)}"
                        )
                else:
                    quote = text[pos]
                    pos += 1
                    chars: list[str] = []
                    while pos < n and text[pos] != quote:
                        if text[pos] == "&":
                            decoded = _decode_entity(text, pos)
                            if decoded is not None:
                                chars.append(decoded[0])
                                pos = decoded[1]
                                continue
                        chars.append(text[pos])
                        pos += 1
                    if pos >= n:
                        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                    pos += 1
                    value = "".join(chars)
                    if pos >= n:
                        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                attrs[attr_name] = value

            if tag == "a":
                argument = attrs.get("href")
            elif tag == "code":
                cls = attrs.get("class", "")
                argument = cls[len("language-") :] if cls.startswith("language-") else None
            elif tag == "span":
                if attrs.get("class") != "tg-spoiler":
                    raise EntityParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                    )
            elif tag == "tg-emoji":
                argument = attrs.get("emoji-id")
            elif tag == "blockquote":
                argument = "expandable" if "expandable" in attrs else None
            elif tag == "tg-time":
                argument = f"{attrs.get('unix', '')}|{attrs.get('format', '')}"
            stack.append(_Open(tag, argument, u16, len(out), byte_offset(begin)))
            pos += 1  # past ">"
            continue

        # End tag.
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        pos += 1  # past "/"
        name_start = pos
        while pos < n and not text[pos].isspace() and text[pos] != ">":
            pos += 1
        end_name = text[name_start:pos]
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n or text[pos] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        pos += 1
        opened = stack.pop()
        if end_name and end_name != opened.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {byte_offset(begin)}, '
                f'expected "</{opened.tag}>", found "</{end_name}>"'
            )
        length = u16 - opened.utf16_offset
        if length <= 0:
            continue
        entity = _entity_for_tag(opened, length, "".join(out[opened.text_index :]), entities)
        if entity is not None:
            entities.append(entity)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return "".join(out), entities


def _entity_for_tag(
    opened: _Open, length: int, inner_text: str, entities: list[dict[str, Any]]
) -> dict[str, Any] | None:
    offset = opened.utf16_offset
    tag = opened.tag
    if tag in _SIMPLE_TAG_ENTITY or tag == "span":
        return {"type": _SIMPLE_TAG_ENTITY.get(tag, "spoiler"), "offset": offset, "length": length}
    if tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        return {"type": kind, "offset": offset, "length": length}
    if tag == "tg-emoji":
        if not (opened.argument or "").isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": opened.argument}
    if tag == "tg-time":
        unix, _, fmt = (opened.argument or "|").partition("|")
        if not unix.lstrip("-").isdigit():
            raise EntityParseError('Tag "tg-time" must have a valid "unix" attribute')
        entity: dict[str, Any] = {"type": "date_time", "offset": offset, "length": length, "unix_time": int(unix)}
        if fmt:
            entity["date_time_format"] = fmt
        return entity
    if tag == "a":
        url = opened.argument if opened.argument is not None else inner_text
        user_id = _tg_user_id(url)
        if user_id is not None:
            return {"type": "text_mention", "offset": offset, "length": length, "user": {"id": user_id}}
        normalized = normalize_url(url)
        if normalized is None:
            return None  # Telegram silently drops links it cannot parse
        return {"type": "text_link", "offset": offset, "length": length, "url": normalized}
    if tag == "code":
        entity = {"type": "code", "offset": offset, "length": length}
        if opened.argument:
            entity["_language"] = opened.argument
        return entity
    if tag == "pre":
        last = entities[-1] if entities else None
        if last is not None and last["type"] == "code" and last["offset"] == offset and last["length"] == length:
            entities.pop()
            entity = {"type": "pre", "offset": offset, "length": length}
            if last.get("_language"):
                entity["language"] = last["_language"]
            return entity
        return {"type": "pre", "offset": offset, "length": length}
    return None


_TG_USER = re.compile(r"^tg://user\?id=(\d+)$", re.IGNORECASE)
_URL_OK = re.compile(r"^(?:(https?|tg|ton|ftp)://)?([^\s/?#]+)(.*)$", re.IGNORECASE | re.DOTALL)


def _tg_user_id(url: str) -> int | None:
    m = _TG_USER.match(url.strip())
    return int(m.group(1)) if m else None


def normalize_url(url: str) -> str | None:
    """Telegram-ish URL check: http(s)/tg/ton/ftp, or a bare host that gets "http://" added."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    m = _URL_OK.match(url)
    if m is None:
        return None
    scheme, host = m.group(1), m.group(2)
    if scheme is None:
        if "://" in url or "." not in host:
            return None
        return "http://" + url
    if scheme.lower() in ("http", "https", "ftp") and not host:
        return None
    return url


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entity in entities:
        entity.pop("_language", None)
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram and shift/clip the entities to match."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    total = utf16_len(result)
    fixed: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed


# Entities Telegram detects by itself in every message. Deliberately simple patterns.
_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)),
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#[^\W\d_][\w]*")),
)
_BLOCKS_AUTO = frozenset(
    {"code", "pre", "text_link", "text_mention", "url", "email", "mention", "bot_command",
     "hashtag", "cashtag", "phone_number", "custom_emoji", "date_time"}
)  # fmt: skip


def _utf16_index_map(text: str) -> list[int] | None:
    """Python index -> UTF-16 offset, or None when they coincide (pure BMP text)."""
    if text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text):
        return None
    mapping = [0] * (len(text) + 1)
    acc = 0
    for i, ch in enumerate(text):
        mapping[i] = acc
        acc += 2 if ord(ch) > 0xFFFF else 1
    mapping[len(text)] = acc
    return mapping


def add_auto_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add url/email/bot_command/mention/hashtag entities where no explicit one covers the text."""
    if not any(ch in text for ch in "/@#:"):
        return sort_entities(entities)
    mapping = _utf16_index_map(text)
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _BLOCKS_AUTO]
    result = list(entities)
    for kind, pattern in _AUTO_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            if mapping is not None:
                start, end = mapping[start], mapping[end]
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            result.append({"type": kind, "offset": start, "length": end - start})
    return sort_entities(result)


def check_explicit_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate entities passed as JSON (already schema-checked). Raises EntityParseError."""
    total = utf16_len(text)
    checked: list[dict[str, Any]] = []
    for i, entity in enumerate(entities):
        kind = entity["type"]
        if kind not in ENTITY_TYPES:
            raise EntityParseError(f'Unsupported entity type "{kind}" in entity {i}')
        offset, length = entity["offset"], entity["length"]
        if offset < 0 or length <= 0 or offset + length > total:
            # Telegram clips silently; a range outside the text is always a bug in the caller.
            raise EntityParseError(
                f"Entity {i} ({kind}, offset {offset}, length {length}) is outside the text "
                f"of {total} UTF-16 code units (the emulator is stricter than Telegram here)"
            )
        if kind == "text_link" and not entity.get("url"):
            raise EntityParseError(f'Can\'t find field "url" in text_link entity {i}')
        if kind == "text_mention" and not entity.get("user"):
            raise EntityParseError(f'Can\'t find field "user" in text_mention entity {i}')
        if kind == "custom_emoji" and not entity.get("custom_emoji_id"):
            raise EntityParseError(f'Can\'t find field "custom_emoji_id" in custom_emoji entity {i}')
        keep = {"type": kind, "offset": offset, "length": length}
        for extra in ("url", "user", "language", "custom_emoji_id", "unix_time", "date_time_format"):
            if entity.get(extra) is not None:
                keep[extra] = entity[extra]
        checked.append(keep)
    return checked


def format_text(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    strict_ampersand: bool = True,
) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's text pipeline: parse (HTML) or take explicit entities, trim, auto-detect.

    parse_mode wins over entities, as in the Bot API server. Raises EntityParseError or
    UnsupportedParseMode.
    """
    mode = (parse_mode or "").lower()
    if mode and mode != "none":
        if mode != "html":
            raise UnsupportedParseMode(parse_mode or "")
        plain, found = parse_html(text, strict_ampersand=strict_ampersand)
    else:
        plain, found = text, check_explicit_entities(text, entities or [])
    plain, found = strip_text(plain, found)
    return plain, add_auto_entities(plain, found)


class UnsupportedParseMode(ValueError):
    """Markdown/MarkdownV2 are not implemented by the emulator (the bot uses HTML)."""

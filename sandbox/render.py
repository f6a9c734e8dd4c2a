"""A chat message as the web page shows it: safe HTML built from text + entities, buttons, media.

The page never receives HTML that someone typed or that the bot sent: the HTML here is built from
the plain text (escaped) and Telegram's entities (bold, italic, links ...), exactly the subset a
Telegram client draws. So a mother who types `<script>` sees `<script>`, and a bot bug cannot
inject markup either.
"""

from __future__ import annotations

import itertools
import re
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from emulator import ChatMessage

# entity type -> (opening tag, closing tag); links are built separately.
_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
}
_SAFE_SCHEMES = ("http://", "https://", "tg://")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?$")


def _utf16_units(text: str) -> list[int]:
    """For each UTF-16 code-unit offset, the index of the Python character it belongs to."""
    positions: list[int] = []
    for index, char in enumerate(text):
        positions.extend([index] * (2 if ord(char) > 0xFFFF else 1))
    positions.append(len(text))
    return positions


def start_payload(url: str, bot_username: str) -> str | None:
    """The /start payload of a https://t.me/<this bot>?start=... link, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme != "https" or parts.netloc.lower() not in ("t.me", "telegram.me"):
        return None
    if parts.path.strip("/").lower() != bot_username.lower():
        return None
    payload = parse_qs(parts.query).get("start", [""])[0]
    return payload if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload) else None


def _open_tag(entity: dict[str, Any], body: str, bot_username: str) -> tuple[str, str]:
    kind = entity["type"]
    if kind in _TAGS:
        return _TAGS[kind]
    url: str | None = None
    if kind == "text_link":
        url = entity.get("url")
    elif kind == "url":
        url = body if body.startswith(_SAFE_SCHEMES) else "https://" + body
    elif kind == "email":
        url = "mailto:" + body
    elif kind == "phone_number":
        url = "tel:" + re.sub(r"[^0-9+]", "", body)
    elif kind == "bot_command" and _COMMAND.match(body):
        # Tapping a command in a message sends it, as in Telegram.
        return f'<button type="button" class="cmd" data-command="{escape(body.split("@")[0])}">', "</button>"
    if url is None:
        return "", ""
    if url.startswith(("mailto:", "tel:")):
        return f'<a href="{escape(url)}">', "</a>"
    if not _web_address(url):  # javascript:, data:, tg:// ...: shown as text, never followed
        return "", ""
    payload = start_payload(url, bot_username)
    if payload is not None:
        # A link to this bot: the page offers to open it as someone (an invitation, a polyclinic's link).
        return f'<a href="{escape(url)}" class="start-link" data-start="{escape(payload)}">', "</a>"
    # Any other web address (the console's sign-in link from /console ...) opens in a new tab, without
    # a way back to this page (noopener) and without telling the site where it came from (noreferrer).
    return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer nofollow">', "</a>"


def _web_address(url: str) -> bool:
    """http(s) with a host, nothing a browser could run or hand to another program."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and url.startswith(("http://", "https://")) and bool(parts.netloc)


def to_html(text: str | None, entities: list[dict[str, Any]] | None, bot_username: str = "") -> str:
    """Telegram text + entities as HTML; every character of the text is escaped."""
    if not text:
        return ""
    units = _utf16_units(text)
    spans: list[tuple[int, int, int, dict[str, Any]]] = []
    for order, entity in enumerate(entities or []):
        try:
            start = units[max(0, min(int(entity["offset"]), len(units) - 1))]
            end = units[max(0, min(int(entity["offset"]) + int(entity["length"]), len(units) - 1))]
        except (KeyError, TypeError, ValueError):
            continue
        if end > start:
            spans.append((start, end, order, entity))
    # Outer entities first: earlier start, then longer.
    spans.sort(key=lambda s: (s[0], -s[1], s[2]))
    cuts = sorted({0, len(text), *(s[0] for s in spans), *(s[1] for s in spans)})
    out: list[str] = []
    stack: list[tuple[tuple[int, int, int, dict[str, Any]], str]] = []  # (span, closing tag)
    for left, right in itertools.pairwise(cuts):
        active = [s for s in spans if s[0] <= left and s[1] >= right]
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep][0] is active[keep]:
            keep += 1
        while len(stack) > keep:
            out.append(stack.pop()[1])
        for span in active[keep:]:
            opening, closing = _open_tag(span[3], text[span[0] : span[1]], bot_username)
            out.append(opening)
            stack.append((span, closing))
        out.append(escape(text[left:right], quote=True))
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)


def _media(message: ChatMessage) -> dict[str, Any] | None:
    media = message.media
    if "photo" in media and media["photo"]:
        biggest = media["photo"][-1]
        return {"type": "photo", "file_id": biggest["file_id"], "width": biggest.get("width"), "height": biggest.get("height")}
    if "document" in media:
        doc = media["document"]
        return {"type": "document", "file_id": doc["file_id"], "file_name": doc.get("file_name") or "file",
                "mime_type": doc.get("mime_type"), "size": doc.get("file_size")}  # fmt: skip
    if "contact" in media:
        contact = media["contact"]
        return {"type": "contact", "phone_number": contact.get("phone_number"), "first_name": contact.get("first_name")}
    if "location" in media:
        return {"type": "location"}
    for kind in ("video", "audio", "voice", "animation", "sticker", "video_note"):
        if kind in media:
            return {"type": kind}
    return None


def message_view(message: ChatMessage, bot_username: str) -> dict[str, Any]:
    """One bubble: who, when, safe HTML, edits, buttons, media."""
    buttons = [
        [
            {"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")}
            for b in row
            if b.get("callback_data") is not None or (b.get("url") or "").startswith(_SAFE_SCHEMES)
        ]
        for row in (message.inline_markup or {}).get("inline_keyboard", [])
    ]
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "date": message.date,
        "edit_date": message.edit_date,
        "edits": message.edits,
        "deleted": message.deleted,
        "html": to_html(message.text, message.entities, bot_username),
        "media": _media(message),
        "buttons": [row for row in buttons if row],
        "reply_to": message.reply_to.message_id if message.reply_to is not None else None,
    }

"""Rules Telegram applies to keyboards beyond the JSON schema (already checked by spec.py)."""

from __future__ import annotations

from typing import Any

from emulator.errors import ApiError, bad_request
from emulator.formatting import normalize_url

# Fields that are not the button's "action" (spec: "other than text, icon_custom_emoji_id, style").
_DECORATION = frozenset({"text", "icon_custom_emoji_id", "style"})
_STYLES = frozenset({"danger", "success", "primary"})
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_DATA_BYTES = 64


def _inline_button_error(reason: str) -> ApiError:
    return bad_request(f"can't parse inline keyboard button: {reason}")


def check_inline_keyboard(markup: dict[str, Any]) -> None:
    rows = markup["inline_keyboard"]
    total = 0
    for r, row in enumerate(rows):
        for c, button in enumerate(row):
            total += 1
            where = f" (row {r}, button {c})"
            if not button["text"].strip():
                raise bad_request(f"BUTTON_TEXT_INVALID{where}")
            actions = [k for k in button if k not in _DECORATION]
            if not actions:
                raise _inline_button_error(f"Text buttons are unallowed in the inline keyboard{where}")
            if len(actions) > 1:
                raise _inline_button_error(
                    f"exactly one of the optional fields must be used, got {', '.join(sorted(actions))}{where}"
                )
            style = button.get("style")
            if style is not None and style not in _STYLES:
                raise _inline_button_error(f'unsupported button style "{style}"{where}')
            action = actions[0]
            if action == "callback_data":
                size = len(button["callback_data"].encode("utf-8"))
                if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request(f"BUTTON_DATA_INVALID{where}: callback_data is {size} bytes, allowed 1-64")
            elif action == "url":
                url = button["url"]
                if not url.lower().startswith("tg://") and normalize_url(url) is None:
                    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            elif action == "web_app":
                url = button["web_app"]["url"]
                if not url.lower().startswith("https://"):
                    raise bad_request(
                        f"inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed"
                    )
            elif action == "login_url":
                if normalize_url(button["login_url"]["url"]) is None:
                    raise bad_request("BUTTON_URL_INVALID")
            elif action == "copy_text" and not 1 <= len(button["copy_text"]["text"]) <= 256:
                raise _inline_button_error(f"copy_text must be 1-256 characters{where}")
    if total > MAX_INLINE_BUTTONS:
        raise bad_request(f"REPLY_MARKUP_TOO_LONG: {total} buttons, allowed {MAX_INLINE_BUTTONS}")


def check_reply_keyboard(markup: dict[str, Any]) -> None:
    rows = markup["keyboard"]
    if not any(rows):
        raise bad_request("can't parse reply keyboard markup JSON object: keyboard must contain a button")
    for r, row in enumerate(rows):
        for c, button in enumerate(row):
            where = f" (row {r}, button {c})"
            if not button["text"].strip():
                raise bad_request(f"BUTTON_TEXT_INVALID{where}")
            requests = [k for k, v in button.items() if k not in _DECORATION and v is not False]
            if len(requests) > 1:
                raise bad_request(
                    f"can't parse keyboard button: only one of {', '.join(sorted(requests))} can be used{where}"
                )
            if "web_app" in button and not button["web_app"]["url"].lower().startswith("https://"):
                raise bad_request("can't parse keyboard button: Web App URL must use HTTPS")
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(placeholder) <= 64:
        raise bad_request("can't parse reply keyboard markup JSON object: input_field_placeholder must be 1-64 characters")


def check_reply_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Apply semantic checks to an already schema-validated reply_markup; returns it unchanged."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        check_inline_keyboard(markup)
    elif "keyboard" in markup:
        check_reply_keyboard(markup)
    elif "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
        raise bad_request("can't parse reply keyboard markup JSON object: remove_keyboard must be true")
    elif "force_reply" in markup and markup["force_reply"] is not True:
        raise bad_request("can't parse reply keyboard markup JSON object: force_reply must be true")
    return markup

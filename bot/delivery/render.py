"""Message keys → text and buttons, rendered in the recipient's language at send time.

The outbox keeps a key and parameters, never text: a mother who switches to Russian gets Russian
from then on. Features register their renderers with `@renderer("key")`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from db.records import Family


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str  # a photo's caption when `photo` is set (Telegram: at most 1,024 characters)
    markup: InlineKeyboardMarkup | None = None
    photo: str | None = None  # a Telegram file_id: sent as a photo with `text` as its caption


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a renderer may use besides the parameters; the locale is already set.

    `family` is the recipient's own (None for staff); `subject` the family a message to staff is
    about (the outbox row's `about`), read at send time, so a family erased meanwhile is None."""

    lang: str
    today: date
    family: Family | None
    subject: Family | None = None


Renderer = Callable[[dict[str, Any], RenderContext], "Rendered | None"]
_RENDERERS: dict[str, Renderer] = {}


class UnknownMessageKey(KeyError):
    pass


def renderer(key: str) -> Callable[[Renderer], Renderer]:
    def register(function: Renderer) -> Renderer:
        if key in _RENDERERS and _RENDERERS[key] is not function:
            raise ValueError(f"two renderers for {key!r}")
        _RENDERERS[key] = function
        return function

    return register


def render(key: str, params: dict[str, Any], context: RenderContext) -> Rendered | None:
    """None means the message is no longer true (e.g. the item was done meanwhile): drop it."""
    try:
        function = _RENDERERS[key]
    except KeyError:
        raise UnknownMessageKey(key) from None
    return function(params, context)

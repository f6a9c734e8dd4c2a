"""What a rendered message is: text and buttons, rendered in the recipient's language at send time.

The outbox keeps a key and parameters, never text: a mother who switches to Russian gets Russian
from then on. Which function renders which key: bot/delivery/renderers.py.
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

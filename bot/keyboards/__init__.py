"""Keyboard builders, one module per feature, all on the small `Keyboard` below."""

from __future__ import annotations

from collections.abc import Callable
from itertools import cycle, islice

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

MAX_WIDTH = 8  # as aiogram's builder: at most 8 buttons in a row unless told otherwise


class Keyboard:
    """The `button()` / `adjust()` / `as_markup()` of aiogram's InlineKeyboardBuilder, minus its cost.

    InlineKeyboardBuilder deep-copies the whole keyboard on every button it adds; profiling
    /profile showed that copying as the largest single cost of the update (about 1 ms per
    keyboard). The layout rule is the builder's: sizes in order, the last one repeating.
    """

    def __init__(self) -> None:
        self._buttons: list[InlineKeyboardButton] = []
        self._sizes: tuple[int, ...] = (MAX_WIDTH,)

    def button(self, *, text: str, callback_data: CallbackData | str) -> Keyboard:
        data = callback_data.pack() if isinstance(callback_data, CallbackData) else callback_data
        self._buttons.append(InlineKeyboardButton(text=text, callback_data=data))
        return self

    def page_arrows(self, page: int, pages: int, to_page: Callable[[int], CallbackData]) -> int:
        """⬅️ / ➡️ to the neighbouring pages that exist; returns how many were added (0–2)."""
        added = 0
        if page > 0:
            self.button(text="⬅️", callback_data=to_page(page - 1))
            added += 1
        if page + 1 < pages:
            self.button(text="➡️", callback_data=to_page(page + 1))
            added += 1
        return added

    def adjust(self, *sizes: int) -> Keyboard:
        self._sizes = sizes or (MAX_WIDTH,)
        return self

    def as_markup(self) -> InlineKeyboardMarkup:
        sizes = iter(self._sizes[:-1])
        last = self._sizes[-1]
        rows: list[list[InlineKeyboardButton]] = []
        index = 0
        for size in (*sizes, *islice(cycle([last]), len(self._buttons))):
            if index >= len(self._buttons):
                break
            rows.append(self._buttons[index : index + size])
            index += size
        return InlineKeyboardMarkup(inline_keyboard=rows)

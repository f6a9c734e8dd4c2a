"""Our Keyboard lays buttons out exactly as aiogram's InlineKeyboardBuilder does."""

from __future__ import annotations

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.keyboards import Keyboard


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 9])
@pytest.mark.parametrize("sizes", [(), (1,), (2,), (3,), (2, 1), (2, 2, 1, 1), (1, 3)])
def test_same_layout_as_aiogram(count: int, sizes: tuple[int, ...]) -> None:
    ours, theirs = Keyboard(), InlineKeyboardBuilder()
    for i in range(count):
        ours.button(text=f"b{i}", callback_data=f"d{i}")
        theirs.button(text=f"b{i}", callback_data=f"d{i}")
    ours.adjust(*sizes)
    theirs.adjust(*sizes)
    assert ours.as_markup() == theirs.as_markup()

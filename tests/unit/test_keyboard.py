"""Our Keyboard lays buttons out exactly as aiogram's InlineKeyboardBuilder does; a mother's buttons
keep the callback data they always had."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.calendar import TrackCode
from bot.domain.children import Sex
from bot.domain.flow import Role
from bot.domain.pregnancy import DatingMethod
from bot.keyboards import Keyboard
from bot.keyboards.calendar import AppointmentAction, AppointmentCb, CareAction, CareCb
from bot.keyboards.profile import ProfileAction, ProfileCb
from bot.keyboards.registration import (
    CONTINUE,
    DatingMethodCb,
    DraftChildAction,
    DraftChildCb,
    RoleCb,
    SexCb,
    SummaryAction,
    SummaryCb,
)
from bot.keyboards.screening import CheckAction, CheckCb


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


# A mother's buttons are routed by value: the values are the strings old buttons in chats carry.
MOTHERS_BUTTONS = [
    # Since Step 10 a role's button says what it asks for (ticked or not): "role:pregnant" of an older
    # keyboard is answered as a stale button, and her question asked again.
    (RoleCb(role=Role.PREGNANT, on=True), "role:pregnant:1"),
    (RoleCb(role=Role.PREGNANT, on=False), "role:pregnant:0"),
    (RoleCb(role=CONTINUE), "role:done:1"),
    (DatingMethodCb(method=DatingMethod.DUE_DATE), "dm:due_date"),
    (SexCb(sex=Sex.GIRL), "sex:girl"),
    (SummaryCb(action=SummaryAction.CONFIRM), "sum:confirm"),
    (DraftChildCb(action=DraftChildAction.REMOVE, index=1), "dch:remove:1"),
    (ProfileCb(action=ProfileAction.CHILD_REMOVE_YES, child_id=5), "pf:child_remove_yes:5"),
    (ProfileCb(action=ProfileAction.LOST_YES), "pf:lost_yes:0"),
    (CareCb(action=CareAction.APPOINTMENT, track=TrackCode.CHILD, ref=3, item="vac_2m"), "care:appt:c:3:vac_2m"),
    (CareCb(action=CareAction.NOT_FOR_ME, track=TrackCode.PLANNING, ref=0, item="folic"), "care:no:l:0:folic"),
    (AppointmentCb(action=AppointmentAction.NO_TIME), "appt:no_time:0"),
    (AppointmentCb(action=AppointmentAction.CANCEL_YES, id=9), "appt:cancel_yes:9"),
    (CheckCb(action=CheckAction.PICK, id=4, q="signs", o="none"), "chk:pick:4:signs:none"),
]


@pytest.mark.parametrize(("data", "packed"), MOTHERS_BUTTONS)
def test_mothers_buttons_keep_their_callback_data(data: CallbackData, packed: str) -> None:
    assert data.pack() == packed
    assert type(data).unpack(packed) == data


@pytest.mark.parametrize(
    "forged", ["role:mother:1", "dm:guess", "sex:other", "sum:delete", "dch:swap:0", "pf:erase:0", "care:done:x:1:a",
               "care:maybe:p:1:a", "appt:move_all:1", "chk:score:1::"]
)
def test_a_value_no_button_carries_does_not_parse(forged: str) -> None:
    """…so no handler's filter matches, and the factory's last handler (pressed(...)) says it is stale."""
    factory = next(cb for cb, _packed in MOTHERS_BUTTONS if forged.startswith(type(cb).__prefix__ + ":"))
    with pytest.raises(ValueError):
        type(factory).unpack(forged)

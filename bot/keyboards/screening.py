"""Callback data and keyboards of the questionnaires (the mother's) and of the alerts (staff's)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.domain.questions import preview
from bot.keyboards import Keyboard


class CheckAction(StrEnum):
    START = "start"
    PICK = "pick"  # one answer (or "none of these" under a checklist)
    # A checklist's box: ticked, or unticked. A press says which, not "the other way round": a press handled
    # twice (its worker killed before it noted the update done) must not take a danger sign away again.
    TICK = "tick"
    UNTICK = "untick"
    SEND = "send"  # the checklist as ticked
    BACK = "back"
    STOP = "stop"  # "Later": she goes on another time
    RESUME = "resume"
    SHARE = "share"  # her result may be seen by her nurse …
    KEEP = "keep"  # … or it stays private


class CheckCb(CallbackData, prefix="chk"):
    """Her buttons. `id`: a screening row (checked to be hers and open on every press); `q`: the
    question the button belongs to, so a press on an old message changes nothing; `o`: an option.
    `start`: `q` is a questionnaire id and `o` the scheduled occurrence's short code, if any."""

    action: CheckAction
    id: int = 0
    q: str = ""
    o: str = ""


def choose_keyboard(choices: Sequence[tuple[str, str, str]]) -> InlineKeyboardMarkup:
    """(questionnaire id, whom it is about, title) for /check."""
    keyboard = Keyboard()
    for qid, code, title in choices:
        keyboard.button(text=title, callback_data=CheckCb(action=CheckAction.START, q=qid, o=code))
    return keyboard.adjust(1).as_markup()


def start_keyboard(checks: Sequence[tuple[str, str, str]]) -> InlineKeyboardMarkup:
    """Under a scheduled invitation: (questionnaire id, occurrence, title) of each check it lists."""
    keyboard = Keyboard()
    for qid, occurrence, title in checks:
        short, cut = preview(title, 36)
        label = _("▶️ Start") if len(checks) == 1 else f"▶️ {short}{'…' if cut else ''}"
        keyboard.button(text=label, callback_data=CheckCb(action=CheckAction.START, q=qid, o=occurrence))
    return keyboard.adjust(1).as_markup()


def single_keyboard(screening_id: int, question_id: str, options: Sequence[tuple[str, str]], *, can_go_back: bool) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for option_id, label in options:
        keyboard.button(text=label, callback_data=CheckCb(action=CheckAction.PICK, id=screening_id, q=question_id, o=option_id))
    sizes = [1] * len(options)
    sizes.append(_nav(keyboard, screening_id, question_id, can_go_back))
    return keyboard.adjust(*sizes).as_markup()


def multi_keyboard(
    screening_id: int,
    question_id: str,
    options: Sequence[tuple[str, str, bool]],
    none_option: tuple[str, str] | None,
    *,
    can_go_back: bool,
) -> InlineKeyboardMarkup:
    """A checklist: (option id, label, ticked); "none of these" and "send" under it."""
    keyboard = Keyboard()
    ticked_any = False
    for option_id, label, ticked in options:
        ticked_any = ticked_any or ticked
        keyboard.button(
            text=("✅ " if ticked else "◻️ ") + label,
            callback_data=CheckCb(action=CheckAction.UNTICK if ticked else CheckAction.TICK, id=screening_id, q=question_id,
                                  o=option_id),
        )
    sizes = [1] * len(options)
    if ticked_any:
        keyboard.button(text=_("📨 Send"), callback_data=CheckCb(action=CheckAction.SEND, id=screening_id, q=question_id))
        sizes.append(1)
    elif none_option is not None:
        keyboard.button(
            text="🙂 " + none_option[1], callback_data=CheckCb(action=CheckAction.PICK, id=screening_id, q=question_id, o=none_option[0])
        )
        sizes.append(1)
    sizes.append(_nav(keyboard, screening_id, question_id, can_go_back))
    return keyboard.adjust(*sizes).as_markup()


def _nav(keyboard: Keyboard, screening_id: int, question_id: str, can_go_back: bool) -> int:
    if can_go_back:
        keyboard.button(text=_("⬅️ Back"), callback_data=CheckCb(action=CheckAction.BACK, id=screening_id, q=question_id))
    keyboard.button(text=_("⏸ Later"), callback_data=CheckCb(action=CheckAction.STOP, id=screening_id, q=question_id))
    return 2 if can_go_back else 1


def resume_keyboard(screening_id: int) -> InlineKeyboardMarkup:
    return Keyboard().button(text=_("▶️ Go on"), callback_data=CheckCb(action=CheckAction.RESUME, id=screening_id)).as_markup()


def share_keyboard(screening_id: int) -> InlineKeyboardMarkup:
    return (
        Keyboard()
        .button(text=_("Yes, my nurse may see it"), callback_data=CheckCb(action=CheckAction.SHARE, id=screening_id))
        .button(text=_("No, keep it private"), callback_data=CheckCb(action=CheckAction.KEEP, id=screening_id))
        .adjust(1)
        .as_markup()
    )



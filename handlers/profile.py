"""/profile: see and change every detail, record a birth or a loss, manage children.

The profile's buttons are a registered mother's: a press from anyone else is answered first (see
build_router), so every handler after it receives her `family` and `user`. A child id in a button is
only a claim: `_her_child` lets a child's button through only for one of her own children.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, MagicData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.children import MAX_CHILDREN
from bot.domain.flow import EditTarget
from bot.filters import pressed
from bot.keyboards import profile as kb
from bot.keyboards.profile import ProfileAction, ProfileCb
from bot.keyboards.registration import language_keyboard
from bot.services import families as family_service
from bot.views.profile import child_line, loss_question_text, loss_recorded_text
from bot.views.registration import children_limit_text, language_prompt
from db.records import ChildRecord, Family, UserRecord
from handlers.replies import alert, stale
from handlers.steps import (
    advance,
    reask,
    send_profile,
    start_profile_edit,
    step_of,
)

# Profile buttons that start an edit flow, and what the flow changes.
_EDITS: dict[ProfileAction, EditTarget] = {
    ProfileAction.NAME: EditTarget.NAME,
    ProfileAction.PHONE: EditTarget.PHONE,
    ProfileAction.PLACE: EditTarget.PLACE,
    ProfileAction.PREGNANCY: EditTarget.PREGNANCY,
    ProfileAction.BORN: EditTarget.BIRTH,
    ProfileAction.ADD_CHILD: EditTarget.ADD_CHILD,
    ProfileAction.CHILD_NAME: EditTarget.CHILD_NAME,
    ProfileAction.CHILD_BIRTH: EditTarget.CHILD_BIRTH,
    ProfileAction.CHILD_SEX: EditTarget.CHILD_SEX,
}
# Buttons about one of her children, and about her pregnancy: refused once it is not hers (any more).
_ABOUT_A_CHILD = {
    ProfileAction.CHILD, ProfileAction.CHILD_NAME, ProfileAction.CHILD_BIRTH, ProfileAction.CHILD_SEX,
    ProfileAction.CHILD_REMOVE, ProfileAction.CHILD_REMOVE_YES,
}
_ABOUT_THE_PREGNANCY = {ProfileAction.BORN, ProfileAction.LOST, ProfileAction.LOST_YES}


async def on_profile(
    message: Message, bot: Bot, state: FSMContext, app: AppContext, family: Family | None, raw_state: str | None
) -> None:
    if family is None:
        if step_of(raw_state) is not None:
            await message.answer(_("Let's finish your registration first."))
            await reask(bot, message.chat.id, state, app)
        else:
            await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    if raw_state is not None:  # an unfinished edit is dropped
        await state.clear()
    await send_profile(bot, message.chat.id, app, family)


async def _her_child(callback: CallbackQuery, callback_data: ProfileCb, family: Family) -> dict[str, ChildRecord] | bool:
    """A filter: the button's child, as `child`, if she is one of hers."""
    child = next((c for c in family.children if c.id == callback_data.child_id), None)
    return {"child": child} if child is not None else False


# --- presses that do nothing -------------------------------------------------------------------

async def on_unregistered(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    alert(callback_answer, _("Please register first: send /start."))


async def on_children_full(callback: CallbackQuery, bot: Bot) -> None:
    await bot.send_message(callback.from_user.id, children_limit_text())


async def on_gone(callback: CallbackQuery, bot: Bot, app: AppContext, callback_answer: CallbackAnswer) -> None:
    """The child or the pregnancy a button is about is not hers (any more): her profile as it is now."""
    stale(callback_answer)
    await send_profile(bot, callback.from_user.id, app)


async def on_stale_profile_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)


# --- her profile -------------------------------------------------------------------------------

async def on_show(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext) -> None:
    await state.clear()
    await send_profile(bot, callback.from_user.id, app)


async def on_language(callback: CallbackQuery, bot: Bot, app: AppContext) -> None:
    await bot.send_message(callback.from_user.id, language_prompt(app.i18n), reply_markup=language_keyboard())


async def on_planning(callback: CallbackQuery, bot: Bot, app: AppContext, user: UserRecord) -> None:
    await family_service.set_planning(app, user.id, not user.planning)
    await send_profile(bot, callback.from_user.id, app)


async def on_edit(
    callback: CallbackQuery, callback_data: ProfileCb, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord
) -> None:
    """Name, phone, place or the pregnancy's dates: its question, then saved."""
    await start_profile_edit(state, {"lang": user.language, "target": _EDITS[callback_data.action].value})
    await advance(bot, callback.from_user.id, state, app)


async def on_new_child(
    callback: CallbackQuery, callback_data: ProfileCb, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord
) -> None:
    """Her baby is born, or a child to add: the child's questions, then saved."""
    await start_profile_edit(state, {"lang": user.language, "target": _EDITS[callback_data.action].value, "child": {}})
    await advance(bot, callback.from_user.id, state, app)


# --- the pregnancy ends ------------------------------------------------------------------------

async def on_lost(callback: CallbackQuery, bot: Bot) -> None:
    await bot.send_message(callback.from_user.id, loss_question_text(), reply_markup=kb.confirm_loss_keyboard())


async def on_loss_confirmed(callback: CallbackQuery, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord) -> None:
    await family_service.record_pregnancy_loss(app, user.id)
    await state.clear()
    await bot.send_message(callback.from_user.id, loss_recorded_text())


# --- one of her children -----------------------------------------------------------------------

async def on_child(callback: CallbackQuery, bot: Bot, app: AppContext, child: ChildRecord) -> None:
    await bot.send_message(
        callback.from_user.id,
        child_line(child.name, child.birth_date, child.sex, app.today()),
        reply_markup=kb.child_keyboard(child.id),
    )


async def on_edit_child(
    callback: CallbackQuery, callback_data: ProfileCb, bot: Bot, state: FSMContext, app: AppContext, user: UserRecord,
    child: ChildRecord,
) -> None:
    """A child's name, date of birth, or sex: its question, then saved."""
    target = _EDITS[callback_data.action].value
    await start_profile_edit(state, {"lang": user.language, "target": target, "child_id": child.id, "child": {}})
    await advance(bot, callback.from_user.id, state, app)


async def on_remove_child(callback: CallbackQuery, bot: Bot, child: ChildRecord) -> None:
    await bot.send_message(
        callback.from_user.id,
        _("Remove {name} from your profile?").format(name=html.quote(child.name)),
        reply_markup=kb.confirm_remove_child_keyboard(child.id),
    )


async def on_child_removed(callback: CallbackQuery, bot: Bot, app: AppContext, user: UserRecord, child: ChildRecord) -> None:
    await family_service.remove_child(app, user.id, child.id)
    await bot.send_message(callback.from_user.id, _("Removed."))
    await send_profile(bot, callback.from_user.id, app)


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="profile")
    router.message.register(on_profile, Command("profile"))
    # First: what no handler below has to check again.
    router.callback_query.register(on_unregistered, pressed(ProfileCb), MagicData(F.family.is_(None)))
    router.callback_query.register(
        on_children_full,
        ProfileCb.filter(F.action.in_({ProfileAction.ADD_CHILD, ProfileAction.BORN})),
        MagicData(F.family.children.len() >= MAX_CHILDREN),
    )
    pregnant = MagicData(F.family.pregnancy.is_not(None))
    router.callback_query.register(on_show, ProfileCb.filter(F.action == ProfileAction.SHOW))
    router.callback_query.register(on_language, ProfileCb.filter(F.action == ProfileAction.LANGUAGE))
    router.callback_query.register(on_planning, ProfileCb.filter(F.action == ProfileAction.PLANNING))
    router.callback_query.register(
        on_edit,
        ProfileCb.filter(F.action.in_({ProfileAction.NAME, ProfileAction.PHONE, ProfileAction.PLACE, ProfileAction.PREGNANCY})),
    )
    router.callback_query.register(on_new_child, ProfileCb.filter(F.action == ProfileAction.ADD_CHILD))
    router.callback_query.register(on_new_child, ProfileCb.filter(F.action == ProfileAction.BORN), pregnant)
    router.callback_query.register(on_lost, ProfileCb.filter(F.action == ProfileAction.LOST), pregnant)
    router.callback_query.register(on_loss_confirmed, ProfileCb.filter(F.action == ProfileAction.LOST_YES), pregnant)
    router.callback_query.register(on_child, ProfileCb.filter(F.action == ProfileAction.CHILD), _her_child)
    router.callback_query.register(
        on_edit_child,
        ProfileCb.filter(F.action.in_({ProfileAction.CHILD_NAME, ProfileAction.CHILD_BIRTH, ProfileAction.CHILD_SEX})),
        _her_child,
    )
    router.callback_query.register(on_remove_child, ProfileCb.filter(F.action == ProfileAction.CHILD_REMOVE), _her_child)
    router.callback_query.register(on_child_removed, ProfileCb.filter(F.action == ProfileAction.CHILD_REMOVE_YES), _her_child)
    # Last: a child or a pregnancy that is not hers (any more), then data no profile button carries.
    router.callback_query.register(on_gone, ProfileCb.filter(F.action.in_(_ABOUT_A_CHILD | _ABOUT_THE_PREGNANCY)))
    router.callback_query.register(on_stale_profile_button, pressed(ProfileCb))
    return router

"""/profile: see and change every detail, record a birth or a loss, manage children."""

from __future__ import annotations

from aiogram import Bot, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.context import AppContext
from bot.domain.children import MAX_CHILDREN
from bot.domain.flow import EditTarget
from bot.keyboards import profile as kb
from bot.keyboards.profile import ProfileCb
from bot.keyboards.registration import language_keyboard
from bot.services import families as family_service
from bot.views.profile import child_line
from bot.views.registration import children_limit_text, language_prompt
from db.records import Family, UserRecord
from handlers.steps import (
    advance,
    reask,
    send_profile,
    start_profile_edit,
    step_of,
)

# Profile buttons that start an edit flow, and what the flow starts with.
_EDITS: dict[str, EditTarget] = {
    "name": EditTarget.NAME,
    "phone": EditTarget.PHONE,
    "place": EditTarget.PLACE,
    "pregnancy": EditTarget.PREGNANCY,
    "born": EditTarget.BIRTH,
    "add_child": EditTarget.ADD_CHILD,
    "child_name": EditTarget.CHILD_NAME,
    "child_birth": EditTarget.CHILD_BIRTH,
    "child_sex": EditTarget.CHILD_SEX,
}


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


async def on_profile_button(
    callback: CallbackQuery,
    callback_data: ProfileCb,
    bot: Bot,
    state: FSMContext,
    app: AppContext,
    user: UserRecord | None,
) -> None:
    chat_id = callback.from_user.id
    if user is None:
        await callback.answer(_("Please register first: send /start."), show_alert=True)
        return
    family = await family_service.load_family(app, user.id)
    assert family is not None
    action = callback_data.action
    # The child id in a button is only a claim: it must be one of her own children.
    child = next((c for c in family.children if c.id == callback_data.child_id), None)
    needs_child = action.startswith("child")
    needs_pregnancy = action in {"born", "lost", "lost_yes"}
    if action in ("add_child", "born") and len(family.children) >= MAX_CHILDREN:
        await callback.answer()
        await bot.send_message(chat_id, children_limit_text())
        return
    if (needs_child and child is None) or (needs_pregnancy and family.pregnancy is None):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        await send_profile(bot, chat_id, app)
        return
    await callback.answer()

    if action == "show":
        await state.clear()
        await send_profile(bot, chat_id, app)
    elif action == "language":
        await bot.send_message(chat_id, language_prompt(app.i18n), reply_markup=language_keyboard())
    elif action == "planning":
        await family_service.set_planning(app, user.id, not user.planning)
        await send_profile(bot, chat_id, app)
    elif action == "child" and child is not None:
        await bot.send_message(
            chat_id, child_line(child.name, child.birth_date, child.sex, app.today()), reply_markup=kb.child_keyboard(child.id)
        )
    elif action == "child_remove" and child is not None:
        await bot.send_message(
            chat_id,
            _("Remove {name} from your profile?").format(name=html.quote(child.name)),
            reply_markup=kb.confirm_remove_child_keyboard(child.id),
        )
    elif action == "child_remove_yes" and child is not None:
        await family_service.remove_child(app, user.id, child.id)
        await bot.send_message(chat_id, _("Removed."))
        await send_profile(bot, chat_id, app)
    elif action == "lost":
        await bot.send_message(
            chat_id,
            _(
                "I am so sorry. Shall I record that your pregnancy has ended? "
                "I will stop all pregnancy messages."
            ),
            reply_markup=kb.confirm_loss_keyboard(),
        )
    elif action == "lost_yes":
        await family_service.record_pregnancy_loss(app, user.id)
        await state.clear()
        await bot.send_message(
            chat_id,
            _(
                "We are very sorry for your loss. I have stopped all pregnancy messages.\n\n"
                "Your patronage nurse will be told, so that she can support you; you do not have to explain anything. "
                "Be gentle with yourself. If you feel very unwell or unsafe, call 103 or 112 at any time; "
                "the 111 support line is free and open day and night."
            ),
        )
    elif action in _EDITS:
        extra = {"child_id": child.id, "child": {}} if child is not None else {}
        if _EDITS[action] in (EditTarget.BIRTH, EditTarget.ADD_CHILD):
            extra = {"child": {}}
        await start_profile_edit(state, user.language, _EDITS[action].value, **extra)
        await advance(bot, chat_id, state, app)
    else:
        await send_profile(bot, chat_id, app)


def build_router() -> Router:
    """A fresh router per application: aiogram attaches a router to one dispatcher only."""
    router = Router(name="profile")
    router.message.register(on_profile, Command("profile"))
    router.callback_query.register(on_profile_button, ProfileCb.filter())
    return router

"""Self-checks for a mother: /check, one question per message with buttons, her result.

Every button re-checks, in the service, that the screening is hers and open and that the button
belongs to the question she is on; anything else is answered as a button no longer active."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, MagicData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import Questionnaire, questionnaire
from bot.context import AppContext
from bot.filters import pressed
from bot.keyboards.screening import (
    CheckAction,
    CheckCb,
    choose_keyboard,
    multi_keyboard,
    resume_keyboard,
    share_keyboard,
    single_keyboard,
)
from bot.logging_setup import log_event
from bot.services import screening as screening_service
from bot.services.screening import Asking, Finished, Subject
from bot.views.screening import (
    intro_text,
    question_text,
    recent_checks_text,
    result_text,
    share_answer_text,
    stopped_text,
    subject_prefix,
)
from db.records import Family
from handlers.replies import alert, show_in_place, stale


def _about_child(q: Questionnaire, subject: Subject | None) -> str | None:
    """The name of the child a questionnaire about a child is about (None for one about her)."""
    return subject.child.name if subject is not None and subject.child and q.about_child else None


def _asking_view(asking: Asking, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    q, question = asking.questionnaire, asking.question
    shown = asking.options or question.options  # the signs that fit her stage today
    text = question_text(q, question.id, asking.number, asking.total, lang, _about_child(q, asking.subject), shown)
    can_go_back = asking.number > 1
    if question.multi:
        none_option = next((o for o in shown if o.exclusive), None)
        options = [(o.id, o.label(lang), o.id in asking.ticks) for o in shown if not o.exclusive]
        markup = multi_keyboard(
            asking.screening.id, question.id, options,
            (none_option.id, none_option.label(lang)) if none_option is not None else None, can_go_back=can_go_back,
        )
    else:
        markup = single_keyboard(
            asking.screening.id, question.id, [(o.id, o.label(lang)) for o in shown], can_go_back=can_go_back
        )
    return text, markup


async def _show(
    callback: CallbackQuery, callback_answer: CallbackAnswer, family: Family, action: CheckAction, step: Asking | Finished | None
) -> None:
    """The next question or her result, in place of the one she answered; None: the service said no."""
    if step is None:
        stale(callback_answer)
        log_event("screening_button_refused", user_id=family.user.id, action=action.value)
        return
    lang = family.user.language
    if isinstance(step, Asking):
        await show_in_place(callback, *_asking_view(step, lang))
        return
    text = result_text(
        step.questionnaire, step.result, lang, told=step.told, ask_consent=step.ask_consent, next_check=step.next_check
    )
    await show_in_place(callback, text, share_keyboard(step.screening.id) if step.ask_consent else None)


async def on_check(message: Message, app: AppContext, family: Family | None) -> None:
    """/check: what she left half-way, the checks that fit her now, and her last results."""
    if family is None:
        await message.answer(_("You are not registered yet. Send /start to begin."))
        return
    lang = family.user.language
    for open_one in await screening_service.unfinished(app, family.user.id):
        q = questionnaire(open_one.questionnaire)
        if q is not None:
            await message.answer(
                _("⏸ You began “{title}”. Go on where you stopped?").format(title=q.title(lang)),
                reply_markup=resume_keyboard(open_one.id),
            )
    choices = screening_service.choices(app, family)
    if not choices:
        await message.answer(_("There is no self-check for your stage right now. I will let you know when there is one."))
    else:
        labels = [
            (c.questionnaire.id, c.subject.code, subject_prefix(_about_child(c.questionnaire, c.subject)) + c.questionnaire.title(lang))
            for c in choices
        ]
        await message.answer(
            _("🩺 Short self-checks. Choose one; each takes a minute or two.\n\n"
              "If something worries you right now, do not wait: call 103 (ambulance) or 112."),
            reply_markup=choose_keyboard(labels),
        )
    past = await screening_service.history(app, family.user.id)
    if past:
        await message.answer(recent_checks_text(past, lang, app.settings.tz))


async def on_unregistered(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    alert(callback_answer, _("Please register first: send /start."))


async def on_stale_check_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    stale(callback_answer)


async def on_start(callback: CallbackQuery, callback_data: CheckCb, bot: Bot, app: AppContext, family: Family,
                   callback_answer: CallbackAnswer) -> None:
    code, _sep, label = callback_data.o.partition(".")
    asking = await screening_service.start(app, family, callback_data.q, code, label or None)
    if asking is None:
        stale(callback_answer)
        log_event("screening_refused", user_id=family.user.id)
        return
    lang = family.user.language
    q = asking.questionnaire
    await bot.send_message(family.user.id, intro_text(q, lang, _about_child(q, asking.subject)))
    text, markup = _asking_view(asking, lang)
    await bot.send_message(family.user.id, text, reply_markup=markup)


async def on_pick(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                  callback_answer: CallbackAnswer) -> None:
    step = await screening_service.pick(app, family, callback_data.id, callback_data.q, (callback_data.o,))
    await _show(callback, callback_answer, family, CheckAction.PICK, step)


async def on_tick(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                  callback_answer: CallbackAnswer) -> None:
    on = callback_data.action == CheckAction.TICK
    step = await screening_service.tick(app, family, callback_data.id, callback_data.q, callback_data.o, on)
    await _show(callback, callback_answer, family, CheckAction.TICK, step)


async def on_send(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                  callback_answer: CallbackAnswer) -> None:
    step = await screening_service.send(app, family, callback_data.id, callback_data.q)
    await _show(callback, callback_answer, family, CheckAction.SEND, step)


async def on_back(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                  callback_answer: CallbackAnswer) -> None:
    step = await screening_service.back(app, family, callback_data.id, callback_data.q)
    await _show(callback, callback_answer, family, CheckAction.BACK, step)


async def on_resume(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                    callback_answer: CallbackAnswer) -> None:
    step = await screening_service.resume(app, family, callback_data.id)
    await _show(callback, callback_answer, family, CheckAction.RESUME, step)


async def on_stop(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                  callback_answer: CallbackAnswer) -> None:
    if not await screening_service.stop(app, family.user.id, callback_data.id):
        stale(callback_answer)
        return
    await show_in_place(callback, stopped_text(), resume_keyboard(callback_data.id))


async def on_share(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family,
                   callback_answer: CallbackAnswer) -> None:
    """May her nurse see her result: yes (SHARE) or no (KEEP)."""
    shared = await screening_service.share(app, family, callback_data.id, callback_data.action is CheckAction.SHARE)
    if shared is None:
        stale(callback_answer)
        return
    await show_in_place(callback, share_answer_text(shared.agreed, shared.told), None)


def build_router() -> Router:
    router = Router(name="screening")
    router.message.register(on_check, Command("check"))
    # First: a press from someone not registered (any more), so every handler below has her `family`.
    unregistered = MagicData(F.family.is_(None))
    asks_registration = {
        CheckAction.START, CheckAction.PICK, CheckAction.TICK, CheckAction.UNTICK, CheckAction.SEND, CheckAction.BACK,
        CheckAction.RESUME
    }
    router.callback_query.register(on_unregistered, CheckCb.filter(F.action.in_(asks_registration)), unregistered)
    router.callback_query.register(on_stale_check_button, pressed(CheckCb), unregistered)
    router.callback_query.register(on_start, CheckCb.filter(F.action == CheckAction.START))
    router.callback_query.register(on_pick, CheckCb.filter(F.action == CheckAction.PICK))
    router.callback_query.register(on_tick, CheckCb.filter(F.action.in_({CheckAction.TICK, CheckAction.UNTICK})))
    router.callback_query.register(on_send, CheckCb.filter(F.action == CheckAction.SEND))
    router.callback_query.register(on_back, CheckCb.filter(F.action == CheckAction.BACK))
    router.callback_query.register(on_resume, CheckCb.filter(F.action == CheckAction.RESUME))
    router.callback_query.register(on_stop, CheckCb.filter(F.action == CheckAction.STOP))
    router.callback_query.register(on_share, CheckCb.filter(F.action.in_({CheckAction.SHARE, CheckAction.KEEP})))
    router.callback_query.register(on_stale_check_button, pressed(CheckCb))
    return router

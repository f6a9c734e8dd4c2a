"""Self-checks for a mother: /check, one question per message with buttons, her result."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import questionnaire
from bot.context import AppContext
from bot.keyboards.screening import (
    CheckCb,
    choose_keyboard,
    multi_keyboard,
    resume_keyboard,
    share_keyboard,
    single_keyboard,
)
from bot.logging_setup import log_event
from bot.services import screening as screening_service
from bot.services.screening import Asking, Finished
from bot.views.screening import (
    intro_text,
    question_text,
    result_text,
    stopped_text,
    subject_prefix,
    summary_line,
    told_text,
)
from db.records import Family
from handlers.replies import show_in_place, stale


def _asking_view(asking: Asking, lang: str) -> tuple[str, object]:
    q, question = asking.questionnaire, asking.question
    child = asking.subject.child.name if asking.subject is not None and asking.subject.child and q.about_child else None
    shown = asking.options or question.options  # the signs that fit her stage today
    text = question_text(q, question.id, asking.number, asking.total, lang, child, shown)
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


async def _show(callback: CallbackQuery, step: Asking | Finished, lang: str) -> None:
    if isinstance(step, Asking):
        text, markup = _asking_view(step, lang)
        await show_in_place(callback, text, markup)  # type: ignore[arg-type]
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
            (c.questionnaire.id, c.subject.code, subject_prefix(c.subject.child.name if c.questionnaire.about_child and c.subject.child else None)
             + c.questionnaire.title(lang))
            for c in choices
        ]
        await message.answer(
            _("🩺 Short self-checks. Choose one; each takes a minute or two.\n\n"
              "If something worries you right now, do not wait: call 103 (ambulance) or 112."),
            reply_markup=choose_keyboard(labels),
        )
    past = await screening_service.history(app, family.user.id)
    if past:
        await message.answer("\n".join([_("<b>Your recent checks</b>"), *(summary_line(r, lang, app.settings.tz) for r in past)]))


async def on_start(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family | None) -> None:
    if family is None:
        await callback.answer(_("Please register first: send /start."), show_alert=True)
        return
    code, _sep, label = callback_data.o.partition(".")
    asking = await screening_service.start(app, family, callback_data.q, code, label or None)
    if asking is None:
        await stale(callback)
        log_event("screening_refused", user_id=family.user.id)
        return
    await callback.answer()
    lang = family.user.language
    child = asking.subject.child.name if asking.subject is not None and asking.subject.child and asking.questionnaire.about_child else None
    assert callback.message is not None and callback.bot is not None
    await callback.bot.send_message(family.user.id, intro_text(asking.questionnaire, lang, child))
    text, markup = _asking_view(asking, lang)
    await callback.bot.send_message(family.user.id, text, reply_markup=markup)  # type: ignore[arg-type]


async def on_answer(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family | None) -> None:
    """pick / tick / send / back / resume: each re-checks that the screening is hers and open and
    that the button belongs to the question she is on."""
    if family is None:
        await callback.answer(_("Please register first: send /start."), show_alert=True)
        return
    sid, qid, action = callback_data.id, callback_data.q, callback_data.action
    step: Asking | Finished | None
    if action == "pick":
        step = await screening_service.pick(app, family, sid, qid, (callback_data.o,))
    elif action == "tick":
        step = await screening_service.tick(app, family, sid, qid, callback_data.o)
    elif action == "send":
        step = await screening_service.send(app, family, sid, qid)
    elif action == "back":
        step = await screening_service.back(app, family, sid, qid)
    else:
        step = await screening_service.resume(app, family, sid)
    if step is None:
        await stale(callback)
        log_event("screening_button_refused", user_id=family.user.id, action=action)
        return
    await callback.answer()
    await _show(callback, step, family.user.language)


async def on_stop(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family | None) -> None:
    if family is None or not await screening_service.stop(app, family.user.id, callback_data.id):
        await stale(callback)
        return
    await callback.answer()
    await show_in_place(callback, stopped_text(), resume_keyboard(callback_data.id))


async def on_share(callback: CallbackQuery, callback_data: CheckCb, app: AppContext, family: Family | None) -> None:
    if family is None:
        await stale(callback)
        return
    shared = await screening_service.share(app, family, callback_data.id, callback_data.action == "share")
    if shared is None:
        await stale(callback)
        return
    await callback.answer()
    if not shared.agreed:
        text = _("All right: it stays private. If you change your mind, tell your nurse yourself any time with /nurse.")
    elif shared.told is not None:
        text = "\n\n".join([_("Thank you. You are not alone."), told_text(shared.told, urgent=False)])
    else:
        text = _("Thank you. The health workers who look after your family can now see it on your family card.")
    await show_in_place(callback, text, None)


def build_router() -> Router:
    router = Router(name="screening")
    router.message.register(on_check, Command("check"))
    router.callback_query.register(on_start, CheckCb.filter(F.action == "start"))
    router.callback_query.register(on_stop, CheckCb.filter(F.action == "stop"))
    router.callback_query.register(on_share, CheckCb.filter(F.action.in_({"share", "keep"})))
    router.callback_query.register(on_answer, CheckCb.filter(F.action.in_({"pick", "tick", "send", "back", "resume"})))
    return router

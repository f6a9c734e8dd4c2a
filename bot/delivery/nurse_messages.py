"""Messages of the nurse's day: to her (an appointment her nurse set, a goal of her support plan and
its reminder) and to staff about a family (her answer, a changed appointment, a ticked-off goal, a
baby born, a pregnancy lost). Staff messages read her family at send time (`context.subject`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.delivery.calendar_messages import appointment_text
from bot.delivery.render import RenderContext, Rendered
from bot.domain.dates import format_date
from bot.domain.pregnancy import LifeEventKind
from bot.keyboards.nurse import (
    about_appointment_keyboard,
    appointment_answer_keyboard,
    my_plan_button,
    open_card_keyboard,
)
from bot.views.caseload import birth_facts_line


def _goal_lines(params: dict[str, Any]) -> list[str]:
    return [
        f"<b>{html.quote(str(params['text']))}</b>",
        _("Next step: {step}").format(step=html.quote(str(params["step"]))),
        _("By: {date}").format(date=format_date(date.fromisoformat(params["due"]))),
    ]


def goal_added(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if context.family is None:
        return None
    lines = [_("👩‍⚕️ Your nurse added a goal to your support plan:"), "", *_goal_lines(params)]
    lines += ["", _("You will find your whole plan in /plan. I will remind you on the date.")]
    return Rendered("\n".join(lines), my_plan_button())


def goal_due(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    # She ticked it off, or the nurse moved or removed it: the service takes the pending reminder
    # out of the outbox in the same transaction. She may also have erased her data meanwhile.
    if context.family is None:
        return None
    lines = [_("📋 Today is the date of a goal in your support plan:"), "", *_goal_lines(params)]
    lines += ["", _("Have you done it? Press «Done». If it did not work out, that's all right: talk it over with your nurse.")]
    return Rendered("\n".join(lines), my_plan_button(int(params["goal"])))


def appointment_set(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if context.family is None:
        return None
    if params.get("moved"):
        lead = _("👩‍⚕️ Your nurse gave your appointment a new date")
    else:
        lead = _("👩‍⚕️ Your nurse has made an appointment for you")
    text = appointment_text(params, lead) + "\n\n" + _(
        "Can you come? I will remind you the evening before and, if it has a time, two hours before."
    )
    return Rendered(text, appointment_answer_keyboard(int(params["appointment"])))


def _appointment_about(params: dict[str, Any]) -> str:
    what = html.quote(str(params.get("what") or ""))
    on = format_date(date.fromisoformat(params["on_date"])) + (f", {params['at_time']}" if params.get("at_time") else "")
    return f"{what}, {on}"


def appointment_answer(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:  # she erased her data meanwhile
        return None
    name, about = html.quote(family.user.name), _appointment_about(params)
    other_time = params.get("response") == "other_time"
    if other_time:
        text = _(
            "🔁 <b>{name}</b> needs another time for: {appointment}.\n\n"
            "The appointment stays (and she is reminded of it) until you give another date or she cancels it."
        ).format(name=name, appointment=about)
    else:
        text = _("✅ <b>{name}</b> will come: {appointment}.").format(name=name, appointment=about)
    return Rendered(text, about_appointment_keyboard(family.user.id, int(params["appointment"]), other_time))


def appointment_changed(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:
        return None
    name, about = html.quote(family.user.name), _appointment_about(params)
    if params.get("change") == "cancelled":
        text = _("🗑 <b>{name}</b> cancelled the appointment you set: {appointment}.").format(name=name, appointment=about)
    else:
        text = _("✏️ <b>{name}</b> changed the appointment you set. Now: {appointment}.").format(name=name, appointment=about)
    return Rendered(text, open_card_keyboard(family.user.id))


def goal_done(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:
        return None
    text = _("✅ <b>{name}</b> ticked off a goal of her support plan: {goal}").format(
        name=html.quote(family.user.name), goal=html.quote(str(params["text"]))
    )
    return Rendered(text, open_card_keyboard(family.user.id))


def early_baby(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    baby = next((c for c in family.children if c.id == params.get("child")), None) if family else None
    if family is None or baby is None:
        return None
    return Rendered(
        "\n".join([
            _("🍼 <b>{name}</b>: her baby {baby} was born early or small.").format(
                name=html.quote(family.user.name), baby=html.quote(baby.name)),
            birth_facts_line(params.get("weeks"), params.get("grams")),
            "",
            _("Please plan an early home visit and consider progressive patronage for this family."),
        ]),
        open_card_keyboard(family.user.id),
    )


def life_event(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:
        return None
    name, on = html.quote(family.user.name), format_date(date.fromisoformat(params["on"]))
    if params.get("kind") == LifeEventKind.PREGNANCY_LOST:
        text = _(
            "💔 <b>{name}</b> has told the bot that her pregnancy has ended ({date}). "
            "She no longer gets any pregnancy messages.\n\n"
            "Please reach out to her with care, at her pace: a gentle call or a visit. "
            "She was told that you would know, so she does not have to explain."
        ).format(name=name, date=on)
    else:
        baby = next((c for c in family.children if c.pregnancy_id is not None and c.pregnancy_id == params.get("pregnancy")), None)
        text = _(
            "👶 <b>{name}</b> has told the bot that her baby is born: {baby}, {date}. "
            "Her baby's calendar has started; please plan the first newborn home visit."
        ).format(name=name, baby=html.quote(baby.name) if baby else "—", date=on)
    return Rendered(text, open_card_keyboard(family.user.id))

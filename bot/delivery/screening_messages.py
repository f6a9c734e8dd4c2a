"""What self-screening sends on its own: a scheduled check's invitation and its one nudge (to
her), and alerts to staff (a new or escalated alert; who took it). Rendered at send time in the
recipient's language; an invitation no longer true for her (the pregnancy ended) is dropped."""

from __future__ import annotations

from html import unescape
from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import Option, Questionnaire, questionnaire
from bot.delivery.calendar_messages import track_still_true
from bot.delivery.render import RenderContext, Rendered
from bot.domain.escalation import AlertOutcome
from bot.domain.phone import format_phone
from bot.keyboards.alerts import alert_keyboard
from bot.keyboards.screening import start_keyboard
from bot.views.questions import who
from bot.views.screening import trigger_labels

MAX_TRIGGERS = 12


def _invitation(params: dict[str, Any], context: RenderContext, nudge: bool) -> Rendered | None:
    """One message for all the checks of a day (older rows carry a single check), each with its own
    "Start" button; checks no longer true for her (the pregnancy ended) are left out."""
    offered: list[tuple[Questionnaire, str, str]] = []  # (questionnaire, whom, start code)
    for check in params.get("checks") or [params]:
        q = questionnaire(check["q"])
        whom = track_still_true(check["track"], int(check["ref"]), context)
        if q is None or whom is None:
            continue
        offered.append((q, whom if q.about_child else "", f"{check['code']}.{check['occ']}"))
    if not offered:
        return None
    if len(offered) == 1:
        q, whom, code = offered[0]
        lead = _("🩺 A gentle reminder: a self-check is waiting for you.") if nudge else _("🩺 Time for a self-check.")
        lines = [lead, "", f"<b>{whom}{html.quote(q.title(context.lang))}</b>", html.quote(q.intro(context.lang))]
    else:
        lead = (_("🩺 A gentle reminder: these self-checks are waiting for you.") if nudge
                else _("🩺 Time for these self-checks. Start with the first; each takes a minute or two."))
        lines = [lead, ""] + [f"• <b>{whom}{html.quote(q.title(context.lang))}</b>" for q, whom, _code in offered]
    lines += ["", _("If something worries you right now, do not wait: call 103.")]
    # Button labels are plain text: the child's name unescaped again.
    buttons = [(q.id, code, f"{unescape(whom)}{q.title(context.lang)}") for q, whom, code in offered]
    return Rendered("\n".join(lines), start_keyboard(buttons))


def check_invite(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return _invitation(params, context, nudge=False)


def check_nudge(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return _invitation(params, context, nudge=True)


def alert_new(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    q = questionnaire(params["q"])
    if family is None or q is None:  # she erased her data meanwhile
        return None
    urgent = params["band"] == "urgent"
    head = _("🚨 <b>URGENT</b>: a danger sign reported") if urgent else _("🟠 <b>High risk</b> in a self-check")
    raised = [_trigger_option(q, t) for t in params.get("triggers", [])]
    if any(o is not None and o.harm_baby for o in raised):
        head = _("🚨 <b>URGENT</b>: she answered that she has thoughts of harming her baby")
    elif params.get("self_harm"):
        head = _("🚨 <b>URGENT</b>: she answered that she has thoughts of harming herself")
    lines = [head, ""]
    lines.append(who(family, context.today))
    lines.append(f"📞 {html.quote(format_phone(family.user.phone))}")
    lines.append(f"🩺 {html.quote(q.title(context.lang))}")
    triggers = trigger_labels(q, [tuple(t) for t in params.get("triggers", [])], context.lang)
    lines += [f"• {html.quote(t)}" for t in triggers[:MAX_TRIGGERS]]
    if params.get("total") is not None and not params.get("self_harm"):
        lines.append(_("Score: {total} of {most}").format(total=params["total"], most=q.max_total))
    lines.append(_("🕒 Answered {at}").format(at=html.quote(params["at"])))
    if params.get("round", 1) > 1:
        if params.get("nurse"):
            lines += ["", _("Nobody has taken it yet; her nurse is {nurse}. Can you?").format(nurse=html.quote(params["nurse"]))]
        else:
            lines += ["", _("Nobody has taken it yet, and she has no nurse. Can you?")]
    elif params.get("tier", 0) > 0:
        lines += ["", _("She has no nurse who can be reached. Can you take it?")]
    lines += ["", _("Press “I'm on it” so the others know, then call her.")]
    return Rendered("\n".join(lines), alert_keyboard(int(params["alert"]), taken=False))


def _trigger_option(q: Questionnaire, trigger: list[str]) -> Option | None:
    question = q.question(trigger[0]) if len(trigger) == 2 else None
    return question.option(trigger[1]) if question is not None else None


def alert_seen(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    """To her: a person has her answers now (the loop closed), in her language."""
    name = html.quote(params.get("by") or "")
    outcome = params.get("outcome")
    if outcome == AlertOutcome.UNREACHED:
        return Rendered(_("📞 {name} tried to reach you about your answers and could not. Please answer when the "
                          "polyclinic calls, or call it yourself. If you feel worse, call 103 or 112 now."
                          ).format(name=name))
    if outcome is not None:  # she already called, planned a visit, referred or resolved it
        return Rendered(_("💬 {name} has seen your answers.").format(name=name) + "\n\n"
                        + _("If you feel worse, do not wait: call 103 or 112."))
    if params.get("her_nurse"):
        text = _("💬 {name}, your nurse, has seen your answers and will contact you soon.").format(name=name)
    elif params.get("role") == "admin":
        text = _("💬 {name}, a health worker of the programme, has seen your answers and will contact you soon."
                 ).format(name=name)
    else:
        text = _("💬 {name}, a nurse of your polyclinic, has seen your answers and will contact you soon."
                 ).format(name=name)
    return Rendered(text + "\n\n" + _("If you feel worse before then, do not wait: call 103 or 112."))


def alert_taken(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:
        return None
    return Rendered(
        _("✅ The alert about {who} was taken by {name} ({at}).").format(
            who=who(family, context.today), name=html.quote(params["by"]), at=html.quote(params["at"])
        )
    )

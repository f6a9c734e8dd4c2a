"""What self-screening sends on its own: a scheduled check's invitation and its one nudge (to
her), and alerts to staff (a new or escalated alert; who took it). Rendered at send time in the
recipient's language; an invitation no longer true for her (the pregnancy ended) is dropped."""

from __future__ import annotations

from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import questionnaire
from bot.delivery.messages import track_still_true
from bot.delivery.render import Rendered, RenderContext, renderer
from bot.delivery.question_messages import who
from bot.domain.phone import format_phone
from bot.keyboards.screening import alert_keyboard, start_keyboard
from bot.screening_views import trigger_labels

MAX_TRIGGERS = 12


def _invitation(params: dict[str, Any], context: RenderContext, nudge: bool) -> Rendered | None:
    q = questionnaire(params["q"])
    whom = track_still_true(params["track"], int(params["ref"]), context)
    if q is None or whom is None:
        return None
    if not q.about_child:
        whom = ""  # about herself, after that birth
    lead = _("🩺 A gentle reminder: a short check is waiting for you.") if nudge else _("🩺 Time for a short check.")
    text = "\n".join(
        [
            lead,
            "",
            f"<b>{whom}{html.quote(q.title(context.lang))}</b>",
            html.quote(q.intro(context.lang)),
            "",
            _("It takes a minute or two. If something worries you right now, do not wait for it: call 103."),
        ]
    )
    return Rendered(text, start_keyboard(q.id, f"{params['code']}.{params['occ']}"))


@renderer("check.invite")
def check_invite(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return _invitation(params, context, nudge=False)


@renderer("check.nudge")
def check_nudge(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return _invitation(params, context, nudge=True)


@renderer("alert.new")
def alert_new(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    q = questionnaire(params["q"])
    if family is None or q is None:  # she erased her data meanwhile
        return None
    urgent = params["band"] == "urgent"
    head = _("🚨 <b>URGENT</b>: a danger sign reported") if urgent else _("🟠 <b>High risk</b> in a self-check")
    if params.get("self_harm"):
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


@renderer("alert.taken")
def alert_taken(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:
        return None
    return Rendered(
        _("✅ The alert about {who} was taken by {name} ({at}).").format(
            who=who(family, context.today), name=html.quote(params["by"]), at=html.quote(params["at"])
        )
    )

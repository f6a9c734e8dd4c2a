"""Questions and answers between a family and the nurses: the notices to staff, what staff wrote to
her, and the texts of /nurse and of answering (shared by the handlers).

The outbox carries text only: a photo is mentioned here and shown by a button or when a nurse
opens the question (handlers/questions.py sends it there)."""

from __future__ import annotations

from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.delivery.render import RenderContext, Rendered
from bot.keyboards.questions import question_notice_keyboard, staff_message_keyboard
from bot.views.questions import (
    who,
)
from db.records import Family


def _heading(head: str, params: dict[str, Any], family: Family, context: RenderContext) -> str:
    names = {"who": who(family, context.today), "asked": params["asked"], "nurse": html.quote(params.get("nurse") or "")}
    headings = {
        "question": _("💬 A question from {who}:"),
        "reply": _("💬 {who} replied:"),
        "reply_to_you": _("💬 {who} replied to your message:"),
        "question_no_nurse": _("💬 A question from {who}, who has no nurse yet:"),
        "remind": _("⏰ A question from {who} has waited a day for an answer (asked {asked}):"),
        "remind_no_nurse": _("⏰ A question from {who}, who has no nurse yet, has waited a day for an answer (asked {asked}):"),
        "escalate": _(
            "🆘 A question from {who}, a family of {nurse}, has had no answer for two days (asked {asked}). "
            "Could you answer it?"
        ),
        "escalate_no_nurse": _(
            "🆘 A question from {who}, who has no nurse yet, has had no answer for two days (asked {asked}). "
            "Could you answer it?"
        ),
        "handover": _("💬 {who} is now in your care. Her question waits for an answer (asked {asked}):"),
        "handover_no_nurse": _("💬 {who} has no nurse now. Her question waits for an answer (asked {asked}):"),
    }
    return headings.get(head, headings["question"]).format(**names)


def question_to_staff(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:  # she erased her data meanwhile
        return None
    lines = [_heading(str(params["head"]), params, family, context)]
    if params.get("text"):
        lines += ["", html.quote(params["text"]) + ("…" if params.get("cut") else "")]
    if params.get("cut"):
        lines += ["", _("The question goes on: press «✍️ Answer» to read all of it.")]
    if params.get("photo"):
        lines += ["", _("📷 She sent a photo: press «✍️ Answer» to see it.")]
    markup = question_notice_keyboard(int(params["question"]), family.user.id, bool(params.get("card")))
    return Rendered("\n".join(lines), markup)


def message_to_family(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if context.family is None:  # she erased her data meanwhile
        return None
    name = html.quote(params["author"])
    role = str(params.get("as"))  # nurse | colleague | anyone else of the programme
    if params.get("answer"):
        head = {
            "nurse": _("👩‍⚕️ Your nurse <b>{name}</b> answered:"),
            "colleague": _("👩‍⚕️ <b>{name}</b>, a nurse of your polyclinic, answered:"),
        }.get(role, _("👩‍⚕️ <b>{name}</b> of the patronage programme answered:"))
    else:
        head = {
            "nurse": _("👩‍⚕️ A message from your nurse <b>{name}</b>:"),
            "colleague": _("👩‍⚕️ A message from <b>{name}</b>, a nurse of your polyclinic:"),
        }.get(role, _("👩‍⚕️ A message from <b>{name}</b> of the patronage programme:"))
    lines = [head.format(name=name)]
    if params.get("re"):
        lines.append(f"<i>«{html.quote(params['re'])}»</i>")
    if params.get("text"):
        lines += ["", html.quote(params["text"])]
    if params.get("photo"):
        lines += ["", _("📷 With a photo: press «🖼 Show the photo».")]
    return Rendered("\n".join(lines), staff_message_keyboard(int(params["message"]), bool(params.get("photo"))))


# --- texts of the handlers -----------------------------------------------------------------------



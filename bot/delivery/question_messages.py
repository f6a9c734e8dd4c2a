"""Questions and answers between a family and the nurses: the notices to staff, what staff wrote to
her, and the texts of /nurse and of answering (shared by the handlers).

The outbox carries text only: a photo is mentioned here and shown by a button or when a nurse
opens the question (handlers/questions.py sends it there)."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content import polyclinic as find_polyclinic
from bot.delivery.render import Rendered, RenderContext, renderer
from bot.delivery.staff_messages import nurse_contact_lines
from bot.keyboards.questions import question_notice_keyboard, staff_message_keyboard
from bot.views import stage_label
from db.records import Family, StaffRecord, UserRecord


def who(family: Family, today: date) -> str:
    """"<b>Aigerim</b> (week 12 of pregnancy)": a family as staff read it."""
    return _("<b>{name}</b> ({stage})").format(name=html.quote(family.user.name), stage=stage_label(family, today))


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


@renderer("question.to_staff")
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


@renderer("question.to_family")
def message_to_family(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if context.family is None:  # she erased her data meanwhile
        return None
    name = html.quote(params["author"])
    role = params.get("as")
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

def polyclinic_lines(user: UserRecord, lang: str) -> list[str]:
    """How to reach her polyclinic (the lines after the nurse's in nurse_contact_lines)."""
    if user.polyclinic is None or find_polyclinic(user.polyclinic) is None:
        return [_("Your polyclinic is not in my list yet, so I cannot show its phone number.")]
    return nurse_contact_lines("", None, user.polyclinic, lang)[1:]


def nurse_text(user: UserRecord, nurse: StaffRecord | None) -> str:
    """/nurse: who her nurse is, how to reach the polyclinic, and that she can write here."""
    if nurse is not None:
        lines = nurse_contact_lines(nurse.name, nurse.phone, nurse.polyclinic, user.language)
        lines += ["", _("You can write to her here: press «✍️ Ask a question». She usually answers within a day.")]
    else:
        lines = [
            _(
                "Your polyclinic has no patronage nurse in AnaBala yet. A nurse will be assigned to you, "
                "and I will tell you who she is."
            ),
            "",
            *polyclinic_lines(user, user.language),
            "",
            _("You can already ask a question here: the programme's coordinators will read it and answer."),
        ]
    return "\n".join([*lines, "", _("In an emergency call 103 (ambulance) or 112.")])


def asked_text(nurse: StaffRecord | None) -> str:
    if nurse is not None:
        sent = _("✅ Sent to your nurse {name}. She usually answers within a day; her answer will come here.").format(
            name=html.quote(nurse.name)
        )
    else:
        sent = _("✅ Sent to the programme's coordinators. They usually answer within a day; the answer will come here.")
    return "\n\n".join(
        [sent, _("Please do not use this for emergencies: if you or your child need help now, call 103 (ambulance) or 112.")]
    )


def thread_line(asked: str, text: str | None) -> str:
    """One of her questions as the nurse reads it when she opens it."""
    return "🗓 " + asked + (f"\n{html.quote(text)}" if text else "")


def answer_prompt(family: Family, today: date, answered_by: StaffRecord | None, answered_at: str | None,
                  parent: str | None, earlier: int) -> str:
    lines = []
    if earlier:
        lines.append(
            ngettext(
                "(and {count} earlier question of hers, also waiting)",
                "(and {count} earlier questions of hers, also waiting)",
                earlier,
            ).format(count=earlier)
        )
    if parent is not None:
        lines.append(_("She replies to this message: «{text}»").format(text=html.quote(parent)))
    if answered_by is not None:
        lines.append(
            _("⚠️ {name} already answered this question ({at}). You can still write to her.").format(
                name=html.quote(answered_by.name), at=answered_at
            )
        )
    lines.append(
        _("✍️ Your answer to {who}: type it in one message (text, or a photo with a caption). It goes to her in this chat.").format(
            who=who(family, today)
        )
    )
    return "\n\n".join(lines)

"""Questions and answers between a family and the nurses, as people read them: who a family is
to staff, her nurse's contacts, the thread of a question and the prompt to answer it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content import polyclinic as find_polyclinic
from bot.domain.dates import format_moment
from bot.domain.phone import format_phone
from bot.domain.questions import MAX_TEXT, preview
from bot.services.questions import Delivered
from bot.views.profile import stage_label
from db.questions import MessageRecord
from db.records import Family, StaffRecord, UserRecord


def nurse_contact_lines(nurse: str, phone: str | None, polyclinic: str | None, lang: str) -> list[str]:
    """Her nurse and how to reach the polyclinic, as shown in /nurse and when her nurse changes."""
    lines = [_("Your patronage nurse: <b>{name}</b>").format(name=html.quote(nurse))]
    if phone:
        lines.append(_("Phone: {phone}").format(phone=html.quote(format_phone(phone))))
    clinic = find_polyclinic(polyclinic) if polyclinic else None
    if clinic is not None:
        lines.append(_("Polyclinic: {name}").format(name=html.quote(clinic.name(lang))))
        if clinic.phone:
            lines.append(_("Polyclinic phone: {phone}").format(phone=html.quote(clinic.phone)))
        if clinic.address:
            lines.append(_("Address: {address}").format(address=html.quote(clinic.address)))
    return lines


def who(family: Family, today: date) -> str:
    """"<b>Aigerim</b> (week 12 of pregnancy)": a family as staff read it."""
    return _("<b>{name}</b> ({stage})").format(name=html.quote(family.user.name), stage=stage_label(family, today))


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


def too_long_text() -> str:
    return _("This is too long for one message (at most {limit} characters). Please shorten it, or send it in parts.").format(
        limit=MAX_TEXT
    )


def open_questions_text(total: int, items: Sequence[tuple[MessageRecord, Family]], first: int, today: date, tz: tzinfo) -> str:
    """/questions: how many wait for an answer, then this page of them (numbered from `first`)."""
    lines = [_("<b>Questions waiting for an answer:</b> {count}").format(count=total), ""]
    for number, (question, family) in enumerate(items, start=first):
        mark = "🆘 " if question.escalated_at else ("⏰ " if question.reminded_at else "")
        snippet, cut = preview(question.text or "", 80)
        body = f"«{html.quote(snippet)}{'…' if cut else ''}»" if snippet else ""
        photo = " 📷" if question.photo_file_id else ""
        lines.append(f"{number}. {mark}{who(family, today)}, {format_moment(question.created_at, tz)}{photo}\n{body}".rstrip())
    return "\n".join(lines)


def sent_text(result: Delivered, tz: tzinfo) -> str:
    """What staff read once their answer or message is on its way to her."""
    lines = [_("✅ Sent to {name}.").format(name=html.quote(result.family.name))]
    if result.already_by is not None and result.already_at is not None:
        lines.append(
            _("Note: {name} had already answered this question ({at}). She gets both answers.").format(
                name=html.quote(result.already_by.name), at=format_moment(result.already_at, tz)
            )
        )
    if result.family.unreachable_at is not None:
        lines.append(_("⚠️ She has blocked the bot, so this may not reach her. Please call her."))
    return "\n\n".join(lines)

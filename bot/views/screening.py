"""The texts of self-screening, for the mother (questions, her result, her history) and for staff
(an alert, a line on the family card, the full answers). Questionnaire texts come from the data
file (validated to hold no markup); what we add goes through gettext. The locale is set by the
caller (a handler, or the delivery engine for the recipient)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import Band, Option, Questionnaire, questionnaire
from bot.domain import screening as rules
from bot.domain.dates import format_date
from bot.domain.questions import Tier
from bot.services.alerts import Raised
from db.screenings import ScreeningRecord

BAND_MARK = {"urgent": "🔴", "high": "🟠", "moderate": "🟡", "none": "🟢"}
CHECKLIST_SHOWN = 6  # triggers listed in one line of the card before "…"


def band_text(band: str) -> str:
    return {
        "urgent": _("urgent"),
        "high": _("high risk"),
        "moderate": _("moderate"),
        "none": _("no concerns"),
    }.get(band, band)


def subject_prefix(child_name: str | None) -> str:
    return f"{html.quote(child_name)}: " if child_name else ""


def question_text(q: Questionnaire, question_id: str, number: int, total: int, lang: str, child_name: str | None,
                  options: Sequence[Option] | None = None) -> str:
    question = q.question(question_id)
    assert question is not None
    shown = question.options if options is None else options
    lines = [
        f"🩺 <b>{subject_prefix(child_name)}{html.quote(q.title(lang))}</b> · "
        + _("{number} of {total}").format(number=number, total=total),
        "",
        html.quote(question.text(lang)),
    ]
    details = [f"• <b>{html.quote(o.label(lang))}</b>: {html.quote(d)}" for o in shown if (d := o.detail(lang))]
    if details:
        lines += ["", *details]
    if question.multi:
        lines += ["", _("Tick everything that is true now, then press “Send”.")]
    return "\n".join(lines)


def intro_text(q: Questionnaire, lang: str, child_name: str | None) -> str:
    return "\n".join(
        [
            f"🩺 <b>{subject_prefix(child_name)}{html.quote(q.title(lang))}</b>",
            "",
            html.quote(q.intro(lang)),
            "",
            _("It takes a minute or two. Your answers stay private unless you agree to show them to your nurse.")
            if q.consent_to_share
            else _("It takes a minute or two. Only you and the health workers who look after you see your answers."),
        ]
    )


def told_text(told: Raised, urgent: bool) -> str:
    """Exactly who was told of her answers: her nurse by name, her polyclinic's or region's health
    workers, the programme's coordinators, or nobody yet (then: do not wait for us)."""
    if told.tier is Tier.NURSE and told.nurse_name:
        return _("🔔 We have sent your answers to your nurse, {name}. She will contact you.").format(
            name=html.quote(told.nurse_name))
    if told.tier is Tier.POLYCLINIC:
        return _("🔔 You have no nurse of your own yet, so we have sent your answers to the nurses of your "
                 "polyclinic. One of them will contact you.")
    if told.tier is Tier.REGION:
        return _("🔔 Your polyclinic has no nurse in the programme yet, so we have sent your answers to the "
                 "health workers of your region. One of them will contact you.")
    if told.tier is Tier.NATIONAL:
        return _("🔔 Your polyclinic has no nurse in the programme yet, so we have sent your answers to the "
                 "programme's health coordinators. One of them will contact you.")
    if urgent:
        return _("⚠️ We could not reach a health worker right now. Please do not wait for us: "
                 "call 103 (ambulance) or 112 now.")
    return _("⚠️ We could not reach a health worker right now. Please call your polyclinic; "
             "if it gets worse, call 103 (ambulance) or 112.")


def result_text(
    q: Questionnaire, result: rules.Result, lang: str, *, told: Raised | None, ask_consent: bool,
    next_check: date | None,
) -> str:
    """What she reads when she has answered: what to do (for urgent: act now, first), exactly who was
    told, and when the next check is. A self-harm answer: support and crisis numbers, never a score;
    no score is shown to her at all."""
    advice = [html.quote(text) for text in rules.advice(q, result, lang)]
    lines = [part for text in advice for part in ("", text)][1:]  # a blank line between two texts
    if told is not None:
        lines += ["", told_text(told, result.band is Band.URGENT)]
    if ask_consent:
        if q.hotline:
            lines += ["", _("☎️ Free helpline: {number}").format(number=html.quote(q.hotline))]
        lines += [
            "",
            _(
                "May I share this answer with your nurse, so she can help? "
                "If you say no, it stays private: only you can see it."
            ),
        ]
    if result.band is Band.NONE and result.step_to is None and next_check is not None:
        lines += ["", _("The next check: {date}. I will remind you.").format(date=format_date(next_check))]
    return "\n".join(lines)


def recent_checks_text(past: Sequence[ScreeningRecord], lang: str, tz: tzinfo) -> str:
    """/check: her last results in plain words."""
    return "\n".join([_("<b>Your recent checks</b>"), *(summary_line(r, lang, tz) for r in past)])


def share_answer_text(agreed: bool, told: Raised | None) -> str:
    """Her answer to "may your nurse see it?", and who was told (a high result raises an alert once she agrees)."""
    if not agreed:
        return _("All right: it stays private. If you change your mind, tell your nurse yourself any time with /nurse.")
    if told is not None:
        return "\n\n".join([_("Thank you. You are not alone."), told_text(told, urgent=False)])
    return _("Thank you. The health workers who look after your family can now see it on your family card.")


def stopped_text() -> str:
    return _("⏸ Saved. You can go on within 24 hours: /check, or the button below.")


def local_date_text(moment: datetime | None, tz: tzinfo) -> str:
    """The local calendar date of a stored (UTC) moment: an answer at 00:30 in Almaty is that day's."""
    return format_date(moment.astimezone(tz).date()) if moment is not None else ""


def _raised_options(q: Questionnaire | None, triggers: Sequence[tuple[str, str]]) -> list[Option]:
    if q is None:
        return []
    found = [(question.option(option_id) if (question := q.question(question_id)) else None)
             for question_id, option_id in triggers]
    return [option for option in found if option is not None]


def summary_line(record: ScreeningRecord, lang: str, tz: tzinfo) -> str:
    """One past result in plain words, for her (no scores)."""
    q = questionnaire(record.questionnaire)
    title = html.quote(q.title(lang)) if q is not None else record.questionnaire
    on = local_date_text(record.completed_at, tz)
    raised = _raised_options(q, record.triggers)
    if record.band == "urgent" and any(not (o.self_harm or o.harm_baby) for o in raised):
        said = _("you were advised to get help at once")  # a danger sign, with or without thoughts of harm
    elif record.self_harm:
        said = _("you told us you were going through a very hard time")
    elif record.step_to is not None:
        said = _("a few more questions followed")
    else:
        said = {
            "urgent": _("you were advised to get help at once"),
            "high": _("a health worker was asked to contact you"),
            "moderate": _("some advice for you"),
            "none": _("nothing worrying"),
        }.get(record.band or "none", "")
    if record.shared is False:
        said += " " + _("(kept private)")
    return f"• {on} · {title}: {said}"


def trigger_labels(q: Questionnaire, triggers: Sequence[tuple[str, str]], lang: str) -> list[str]:
    """The answers that raised a result, as staff read them."""
    labels = []
    for question_id, option_id in triggers:
        question = q.question(question_id)
        option = question.option(option_id) if question is not None else None
        if question is None or option is None:
            continue
        if question.multi or len(q.questions) == 1:
            labels.append(option.label(lang))
        else:
            labels.append(f"{question.text(lang)} — {option.label(lang)}")
    return labels


def staff_result_line(record: ScreeningRecord, lang: str, tz: tzinfo, answered_in: str | None = None) -> str:
    """A result on the family card: mark, date, questionnaire, band (score for staff), triggers.
    ``answered_in``: her language; a score from our own unvalidated translation says so."""
    q = questionnaire(record.questionnaire)
    if q is None:
        return f"• {record.questionnaire}"
    band = record.band or "none"
    on = local_date_text(record.completed_at, tz)
    score = f", {record.total}/{q.max_total}" if record.total is not None else ""
    if score and answered_in in q.unvalidated:
        score += " " + _("({language} wording not validated)").format(language=answered_in)
    # An urgent answer overrides the total's band: its label ("negative", "minimal") would mislead.
    label = f" ({html.quote(record.label.replace('_', ' '))})" if record.label and band != "urgent" else ""
    parts = [f"{BAND_MARK.get(band, '•')} {on} {html.quote(q.title(lang))}: {band_text(band)}{score}{label}"]
    if record.step_to is not None:
        parts.append(_("→ went on to the full questionnaire"))
    raised = _raised_options(q, record.triggers)
    if any(o.self_harm for o in raised):
        parts.append(_("⚠️ thoughts of self-harm"))
    if any(o.harm_baby for o in raised):
        parts.append(_("⚠️ thoughts of harming the baby"))
    triggers = trigger_labels(q, record.triggers, lang)
    if triggers:
        shown = "; ".join(html.quote(t) for t in triggers[:CHECKLIST_SHOWN]) + ("…" if len(triggers) > CHECKLIST_SHOWN else "")
        parts.append(shown)
    return " — ".join(parts)


def full_answers_text(record: ScreeningRecord, lang: str, tz: tzinfo, answered_in: str | None = None) -> str:
    """Every question and her answer, for her nurse."""
    q = questionnaire(record.questionnaire)
    if q is None:
        return ""
    lines = [staff_result_line(record, lang, tz, answered_in), ""]
    for question in q.questions:
        chosen = record.answers.get(question.id, ())
        answer = ", ".join(o.label(lang) for o in question.options if o.id in chosen) or "—"
        lines.append(f"<b>{html.quote(question.text(lang))}</b>\n{html.quote(answer)}")
    return "\n".join(lines)


def missed_title(questionnaire_id: str, lang: str) -> str:
    q = questionnaire(questionnaire_id)
    return q.title(lang) if q is not None else questionnaire_id


def answers_text(records: Sequence[ScreeningRecord], lang: str, tz: tzinfo, answered_in: str | None = None,
                 limit: int = 3900) -> str:
    """Her latest checks in full, newest first, as many as fit in one Telegram message (whole
    checks only: a check cut in the middle could hide the answer that matters)."""
    parts: list[str] = []
    used = 0
    for record in records:
        text = full_answers_text(record, lang, tz, answered_in)
        size = len(text.encode("utf-16-le")) // 2 + 2
        if parts and used + size > limit:
            break
        parts.append(text)
        used += size
    return "\n\n".join(parts)

"""Risk alerts as staff read them: one alert (who she is, how to reach her, her answers, who took it
and what came of it), the open ones of /alerts, and their buttons' labels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.questionnaires import questionnaire
from bot.domain.dates import format_moment
from bot.domain.phone import format_phone
from bot.services.alerts import AlertView
from bot.views.questions import who
from bot.views.screening import BAND_MARK, full_answers_text


def outcome_text(outcome: str) -> str:
    """What came of an alert, as its buttons say it."""
    return {
        "called": _("📞 Called"),
        "visit": _("🏠 Visit planned"),
        "referred": _("🏥 Referred to hospital"),
        "unreached": _("📵 Could not reach"),
        "resolved": _("✔️ Resolved"),
    }.get(outcome, outcome)


def alert_text(view: AlertView, lang: str, today: date, tz: tzinfo) -> str:
    alert = view.alert
    lines = [
        f"{BAND_MARK.get(alert.band, '•')} " + who(view.family, today),
        f"📞 {html.quote(format_phone(view.family.user.phone))}",
        "",
        full_answers_text(view.screening, lang, tz, view.family.user.language),
        "",
        _("🕒 Answered {at}").format(at=format_moment(alert.created_at, tz)),
    ]
    if view.taken_by is not None and alert.acknowledged_at is not None:
        lines.append(
            _("✅ Taken by {name} ({at})").format(name=html.quote(view.taken_by.name), at=format_moment(alert.acknowledged_at, tz))
        )
    if alert.outcome is not None:
        lines.append(outcome_text(alert.outcome))
    return "\n".join(lines)


def _title(view: AlertView, lang: str) -> str:
    q = questionnaire(view.screening.questionnaire)
    return q.title(lang) if q is not None else view.screening.questionnaire


def open_alerts_text(total: int, views: Sequence[AlertView], lang: str, today: date, tz: tzinfo) -> str:
    """/alerts: how many nobody has taken yet, then this page of them, oldest first."""
    if total == 0:
        return _("✅ No open alerts: every alert has someone on it.")
    lines = [_("🚨 <b>Open alerts</b> (nobody has taken them yet), oldest first: {count}").format(count=total), ""]
    for view in views:
        mark = BAND_MARK.get(view.alert.band, "•")
        lines.append(f"{mark} {format_moment(view.alert.created_at, tz)} · {who(view.family, today)} · {html.quote(_title(view, lang))}")
    return "\n".join(lines)


def alert_button_label(view: AlertView, lang: str) -> str:
    """The button of /alerts that opens one alert."""
    return f"{BAND_MARK.get(view.alert.band, '•')} {view.family.user.name[:30]} · {_title(view, lang)[:25]}"

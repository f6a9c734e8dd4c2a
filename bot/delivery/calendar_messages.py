"""What the calendar sends, rendered in her language at send time (see render.py).

A renderer returns None when the message is no longer true for her family (the pregnancy ended,
the child was removed): the engine then drops it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content.care import care_item
from bot.content.guidance import child_guidance, pregnancy_guidance
from bot.delivery.render import RenderContext, Rendered
from bot.domain.calendar import Track, TrackCode
from bot.domain.dates import format_date
from bot.keyboards.calendar import reminder_keyboard
from bot.views.profile import age_label


def track_still_true(track: str, ref: int, context: RenderContext) -> str | None:
    """Whom the item is for, as a prefix ("" for her own pregnancy); None if it no longer applies."""
    family = context.family
    if family is None:
        return None
    if track == Track.PREGNANCY:
        return "" if family.pregnancy is not None and family.pregnancy.id == ref else None
    if track == Track.CHILD:
        child = next((c for c in family.children if c.id == ref), None)
        return f"{html.quote(child.name)}: " if child is not None else None
    if track == Track.PLANNING:
        return "" if family.user.planning and family.pregnancy is None else None
    return None


def when_text(opens: date, closes: date, official: bool, today: date) -> str:
    if opens <= today:  # the window is already open: what matters is until when
        if official:
            return _("When: by {closes}.").format(closes=format_date(closes))
        return _(
            "Usually by {closes}. This is guidance, not an official date: "
            "please check the exact date with your polyclinic."
        ).format(closes=format_date(closes))
    if official:
        return _("When: {opens} – {closes}.").format(opens=format_date(opens), closes=format_date(closes))
    return _(
        "Usually around {opens} – {closes}. This is guidance, not an official date: "
        "please check the exact date with your polyclinic."
    ).format(opens=format_date(opens), closes=format_date(closes))


def _care(params: dict[str, Any], context: RenderContext, heads_up: bool) -> Rendered | None:
    item = care_item(params["item"])
    whom = track_still_true(params["track"], int(params["ref"]), context)
    if item is None or whom is None:
        return None
    if item.for_mother:
        whom = ""  # her own check-up after the birth, not the baby's
    opens, closes = date.fromisoformat(params["opens"]), date.fromisoformat(params["closes"])
    lead = _("📅 Coming up soon:") if heads_up else _("🔔 A reminder:")
    question = _("Have you been already? Let me know below.") if not heads_up else _("Do you have a date for it?")
    text = "\n".join(
        [
            f"{lead} <b>{whom}{html.quote(item.title(context.lang))}</b>",
            "",
            html.quote(item.about(context.lang)),
            "",
            when_text(opens, closes, item.is_official, context.today),
            "",
            question,
        ]
    )
    return Rendered(text, reminder_keyboard(TrackCode.of(Track(params["track"])), int(params["ref"]), item.id))


def heads_up(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return _care(params, context, heads_up=True)


def nudge(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return _care(params, context, heads_up=False)


def pregnancy_week(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    guidance = pregnancy_guidance(int(params["week"]))
    if guidance is None or track_still_true(Track.PREGNANCY, int(params["ref"]), context) is None:
        return None
    heading = _("🌱 Week {week} of your pregnancy").format(week=params["week"])
    return Rendered(f"<b>{heading}</b>\n\n{html.quote(guidance.text(context.lang))}")


def child_month(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    guidance = child_guidance(int(params["month"]))
    family = context.family
    child = next((c for c in family.children if c.id == int(params["ref"])), None) if family else None
    if guidance is None or child is None:
        return None
    heading = f"🌱 {html.quote(child.name)}, {age_label(child.birth_date, context.today)}"
    return Rendered(f"<b>{heading}</b>\n\n{html.quote(guidance.text(context.lang))}")


def appointment_text(params: dict[str, Any], lead: str) -> str:
    lines = [f"<b>{lead}</b>", "", html.quote(str(params.get("what") or ""))]
    when = format_date(date.fromisoformat(params["on_date"])) if params.get("on_date") else ""
    if params.get("at_time"):
        when += f", {params['at_time']}"
    lines.append(_("When: {when}").format(when=when))
    if params.get("place"):
        lines.append(_("Where: {place}").format(place=html.quote(str(params["place"]))))
    return "\n".join(lines)


def appointment_tomorrow(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if not params.get("on_date"):
        return None
    return Rendered(appointment_text(params, _("⏰ Tomorrow you have an appointment")))


def appointment_soon(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if not params.get("on_date"):
        return None
    return Rendered(appointment_text(params, _("⏰ Your appointment is in two hours")))

"""Messages about who looks after a family: to her (her nurse) and to the nurse (a new family)."""

from __future__ import annotations

from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content import polyclinic as find_polyclinic
from bot.delivery.render import Rendered, RenderContext, renderer
from bot.domain.phone import format_phone
from bot.views import stage_label


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


@renderer("nurse.assigned")
def nurse_assigned(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if context.family is None:
        return None
    lines = [_("👩‍⚕️ A nurse from your polyclinic will look after you and your family.")]
    lines += nurse_contact_lines(params["nurse"], params.get("phone"), params.get("polyclinic"), context.lang)
    lines += ["", _("To write to her, send /nurse.")]
    return Rendered("\n".join(lines))


@renderer("staff.new_family")
def new_family(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:  # she erased her data meanwhile
        return None
    return Rendered(
        _("👪 A new family in your care: <b>{name}</b>, {stage}.\nSee your families: /families").format(
            name=html.quote(family.user.name), stage=stage_label(family, context.today)
        )
    )


@renderer("staff.unassigned_today")
def unassigned_today(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return Rendered(_("🏥 New families have registered at polyclinics where no nurse can take them yet. "
                      "Assign them a nurse: /unassigned"))


@renderer("staff.deactivated")
def staff_deactivated(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return Rendered(
        _(
            "Your staff access in AnaBala has ended. Thank you for your work. "
            "If this is a mistake, please talk to your programme coordinator."
        )
    )

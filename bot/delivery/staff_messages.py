"""Messages about who looks after a family: to her (her nurse) and to the nurse (a new family)."""

from __future__ import annotations

from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.delivery.render import RenderContext, Rendered
from bot.views.profile import stage_label
from bot.views.questions import nurse_contact_lines


def nurse_assigned(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    if context.family is None:
        return None
    lines = [_("👩‍⚕️ A nurse from your polyclinic will look after you and your family.")]
    lines += nurse_contact_lines(params["nurse"], params.get("phone"), params.get("polyclinic"), context.lang)
    lines += ["", _("To write to her, send /nurse.")]
    return Rendered("\n".join(lines))


def new_family(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.subject
    if family is None:  # she erased her data meanwhile
        return None
    return Rendered(
        _("👪 A new family in your care: <b>{name}</b>, {stage}.\nSee your families: /families").format(
            name=html.quote(family.user.name), stage=stage_label(family, context.today)
        )
    )


def unassigned_today(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return Rendered(_("🏥 New families have registered at polyclinics where no nurse can take them yet. "
                      "Assign them a nurse: /unassigned"))


def staff_deactivated(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    return Rendered(
        _(
            "Your staff access in AnaBala has ended. Thank you for your work. "
            "If this is a mistake, please talk to your programme coordinator."
        )
    )

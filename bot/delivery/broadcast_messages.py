"""Announcements: the message each family gets (rendered at send time), and what the admin reads
about an announcement — its audience in words, the live progress and the final report.

Each outbox row carries the text for the recipient's language as it was when the row was written
(`t`, chosen from the broadcast's language → text map), the stage part of the audience (`s`) and
the photo (`ph`). A renderer cannot read the database, and one text per row (not all three)
keeps a national announcement's rows small. At send time the family is read afresh: a mother who
lost her pregnancy or whose child was removed no longer fits a pregnancy or baby announcement,
and it is dropped.
"""

from __future__ import annotations

from typing import Any

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.delivery.render import RenderContext, Rendered
from bot.domain.audience import (
    Recipient,
    still_fits,
)
from bot.views.broadcasts import (
    count_lines,
    duration_text,
)
from db.broadcasts import BatchCounts
from db.records import Family


def recipient_of(family: Family) -> Recipient:
    user = family.user
    return Recipient(
        language=user.language,
        region=user.region,
        polyclinic=user.polyclinic,
        planning=user.planning,
        due_date=family.pregnancy.due_date if family.pregnancy is not None else None,
        births=tuple(child.birth_date for child in family.children),
    )


def announcement(text: str, photo: str | None = None) -> Rendered:
    """The message as families get it, and as the admin's preview shows it: her text as typed."""
    if photo is not None:
        return Rendered(html.quote(text), photo=photo)
    return Rendered(html.quote(text))


def broadcast(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    family = context.family
    if family is None:  # she erased her data meanwhile
        return None
    if not still_fits(params.get("s"), recipient_of(family), context.today):
        return None  # no pregnancy or baby content for a mother whose pregnancy or baby it no longer is
    return announcement(params["t"], params.get("ph"))


def report(params: dict[str, Any], context: RenderContext) -> Rendered | None:
    counts = BatchCounts(
        sent=params["sent"], blocked=params["blocked"], failed=params["failed"], cancelled=params.get("cancelled", 0)
    )
    lines = [_("✅ <b>Announcement #{id} is sent.</b>").format(id=params["b"]), ""]
    lines += count_lines(counts, params.get("skipped", 0))
    lines += ["", _("It took {duration}.").format(duration=duration_text(params["seconds"])), _("All announcements: /broadcasts")]
    return Rendered("\n".join(lines))


# --- what the admin reads -------------------------------------------------------------------------



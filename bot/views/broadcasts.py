"""Announcements as the admin reads about them: the audience builder, the prompts for the text, the
preview, the live progress, the final report and the list of past announcements."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, time, tzinfo
from typing import TYPE_CHECKING

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.domain.audience import (
    PARENT,
    PLANNING,
    PREGNANT,
    Audience,
)
from bot.domain.dates import format_date
from bot.views.profile import LANGUAGE_NAMES
from db.broadcasts import BatchCounts, BroadcastRecord, BroadcastStatus

if TYPE_CHECKING:  # the service renders its progress message with this module
    from bot.services.broadcasts import HistoryPage



AGE_LABELS = {"0_1": "0–1", "1_2": "1–2", "2_3": "2–3", "3_5": "3–5"}


BAR_WIDTH = 10


def role_label(role: str) -> str:
    return {PREGNANT: _("🤰 Pregnant"), PLANNING: _("🌱 Planning a pregnancy"), PARENT: _("👶 Parents")}[role]


def trimester_label(trimester: int) -> str:
    return _("Trimester {number}").format(number=trimester)


def age_label(band: str) -> str:
    return _("{ages} years").format(ages=AGE_LABELS[band])


def region_name(code: str, lang: str) -> str:
    found = find_region(code)
    return found.name(lang) if found else code


def polyclinic_name(code: str, lang: str) -> str:
    found = find_polyclinic(code)
    return found.name(lang) if found else code


def audience_lines(audience: Audience, lang: str, *, regional: str | None = None) -> list[str]:
    """Who, where, which language, in words (HTML). `regional`: the admin's own region, if any."""
    who: list[str] = []
    for role in sorted(audience.roles, key=[PREGNANT, PLANNING, PARENT].index):
        if role == PREGNANT:
            who.append(
                _("pregnant women ({trimesters})").format(
                    trimesters=", ".join(trimester_label(t) for t in sorted(audience.trimesters))
                )
                if audience.trimesters
                else _("pregnant women")
            )
        elif role == PLANNING:
            who.append(_("women planning a pregnancy"))
        else:
            who.append(
                _("parents of children {ages}").format(ages=", ".join(age_label(a) for a in sorted(audience.ages)))
                if audience.ages
                else _("parents of young children")
            )
    regions = sorted(audience.regions) or ([regional] if regional else [])
    where = ", ".join(region_name(code, lang) for code in regions) if regions else _("all regions")
    if audience.polyclinics:
        where += ": " + ", ".join(polyclinic_name(code, lang) for code in sorted(audience.polyclinics))
    languages = (
        ", ".join(LANGUAGE_NAMES[code] for code in ("kk", "ru", "en") if code in audience.languages)
        if audience.languages
        else _("all languages")
    )
    return [
        _("<b>Who:</b> {who}").format(who=html.quote("; ".join(who)) if who else _("every registered family")),
        _("<b>Where:</b> {where}").format(where=html.quote(where)),
        _("<b>Language:</b> {languages}").format(languages=languages),
    ]


def reach_lines(counts: dict[str, int], *, now: bool) -> list[str]:
    """How many families it reaches (`now`: while she chooses; else: when she sends), and in which language."""
    total = sum(counts.values())
    line = (
        ngettext("👥 It reaches <b>{count}</b> family now.", "👥 It reaches <b>{count}</b> families now.", total)
        if now
        else ngettext("It goes to <b>{count}</b> family.", "It goes to <b>{count}</b> families.", total)
    )
    languages = ", ".join(f"{LANGUAGE_NAMES[code]} {counts[code]}" for code in ("kk", "ru", "en") if counts.get(code))
    return [line.format(count=total)] + ([_("By language: {counts}").format(counts=languages)] if languages else [])


def duration_text(seconds: float) -> str:
    seconds = max(round(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if minutes:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=secs)
    return _("{seconds} s").format(seconds=secs)


def progress_bar(done: int, total: int) -> str:
    share = done / total if total else 1.0
    filled = min(BAR_WIDTH, int(share * BAR_WIDTH))
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {int(share * 100)}%"


def count_lines(counts: BatchCounts, skipped: int) -> list[str]:
    lines = [
        _("✅ Sent: {count}").format(count=counts.sent),
        _("🚫 Blocked the bot, not delivered: {count}").format(count=counts.blocked),
        _("⚠️ Failed: {count}").format(count=counts.failed),
    ]
    if counts.cancelled:
        lines.append(_("✖️ Cancelled, not sent: {count}").format(count=counts.cancelled))
    if skipped:
        lines.append(_("➖ Not sent (paused messages, or no longer in the audience): {count}").format(count=skipped))
    return lines


def skipped_of(broadcast: BroadcastRecord, counts: BatchCounts) -> int:
    """Rows the engine dropped (she paused, erased her data, or no longer fits)."""
    return max(broadcast.total - counts.rows, 0) if broadcast.total else 0


def status_label(status: BroadcastStatus) -> str:
    return {
        BroadcastStatus.DONE: _("finished"),
        BroadcastStatus.PAUSED: _("paused"),
        BroadcastStatus.CANCELLED: _("cancelled"),
    }.get(status, _("sending"))


def progress_text(
    broadcast: BroadcastRecord, counts: BatchCounts, *, rate: float, open_for: float | None, window: tuple[time, time]
) -> str:
    """The live progress message: a bar, the counts, and when it should be done (at `rate` messages
    a second; `open_for`: seconds until the delivery window closes today, None outside it)."""
    if broadcast.total == 0 and broadcast.status not in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
        return "\n".join(
            [
                _("📣 <b>Announcement #{id}</b>: preparing the list of families…").format(id=broadcast.id),
                _("Ready so far: {count}").format(count=counts.rows),
            ]
        )
    total = broadcast.total or counts.rows
    lines = [
        _("📣 <b>Announcement #{id}</b>: {status}").format(id=broadcast.id, status=status_label(broadcast.status)),
        progress_bar(total - counts.waiting - counts.cancelled, total),
        _("Families: {count}").format(count=total),
        *count_lines(counts, skipped_of(broadcast, counts)),
    ]
    if counts.waiting and broadcast.status not in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED):
        lines.append(_("⏳ Waiting: {count}").format(count=counts.waiting))
        if broadcast.status == BroadcastStatus.PAUSED:
            lines.append(_("Paused: nothing more is sent until you press «Resume»."))
        else:
            seconds = math.ceil(counts.waiting / rate)
            if open_for is not None:
                lines.append(_("About {duration} left.").format(duration=duration_text(seconds)))
            if open_for is None or seconds > open_for:
                lines.append(
                    _("Families get announcements between {start} and {end} their time: the rest goes in the morning.").format(
                        start=window[0].strftime("%H:%M"), end=window[1].strftime("%H:%M")
                    )
                )
    return "\n".join(lines)


def _local(moment: datetime, tz: tzinfo) -> tuple[str, str]:
    local = moment.astimezone(tz)
    return format_date(local.date()), local.strftime("%H:%M")


# --- composing: the audience, the text, the preview -----------------------------------------------

def builder_text(audience: Audience, counts: dict[str, int], lang: str, *, regional: str | None) -> str:
    """Step 1, the audience builder: who it goes to so far, and how many families that reaches now."""
    return "\n".join(
        [
            _("📣 <b>New announcement</b>, step 1 of 3: who gets it"),
            "",
            *audience_lines(audience, lang, regional=regional),
            "",
            *reach_lines(counts, now=True),
            _("Counted: registered families who have not paused messages and can be reached. Choose with the buttons; the number follows."),
        ]
    )


def mode_question(languages: Sequence[str]) -> str:
    return _(
        "📣 Step 2 of 3: the text.\n\n"
        "Would you like to write one text for everyone, or a text in each language ({languages})?"
    ).format(languages=", ".join(LANGUAGE_NAMES[code] for code in languages))


def text_prompt(language: str | None, *, only_language: bool) -> str:
    """Asking for a text: for every family (`language` None), for the one language chosen, or for one
    of several."""
    if language is None:
        prompt = _(
            "Please send the text of the announcement.\n\n"
            "⚠️ One text for everyone: families who chose another language will get it in the language you write it in."
        )
    elif only_language:
        prompt = _("📣 Step 2 of 3: the text.\n\nPlease send the text of the announcement in {language}.").format(
            language=LANGUAGE_NAMES[language]
        )
    else:
        prompt = _("Please send the text for families who chose {language}.").format(language=LANGUAGE_NAMES[language])
    limits = _(
        "It is sent exactly as you type it: up to 4096 characters, or 1024 under a photo "
        "(send the photo with the text as its caption)."
    )
    return f"{prompt}\n{limits}"


def preview_label(language: str | None) -> str:
    """Above each preview: for whom it is (`language` None: one text for every family)."""
    if language is None:
        return _("👇 Preview: what every family will get")
    return _("👇 Preview: what families who chose {language} will get").format(language=LANGUAGE_NAMES[language])


def preview_text(
    audience: Audience, counts: dict[str, int], lang: str, *, regional: str | None, one_text: bool, window: tuple[time, time]
) -> str:
    """Step 3, under the previews: to whom, how many, and when families get it."""
    lines = [
        _("📣 Step 3 of 3: check and send."),
        "",
        *audience_lines(audience, lang, regional=regional),
        "",
        *reach_lines(counts, now=False),
    ]
    if one_text and len([c for c in counts if counts[c]]) > 1:
        lines.append(_("⚠️ One text for everyone: families who chose another language will get it in this language."))
    start, end = window
    lines.append(
        _("Families get it between {start} and {end} their time, a little at a time.").format(
            start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
        )
    )
    return "\n".join(lines)


# --- past announcements ---------------------------------------------------------------------------

def history_text(page: HistoryPage, lang: str, tz: tzinfo) -> str:
    lines = [_("<b>Announcements</b> (page {page} of {pages})").format(page=page.page + 1, pages=page.pages)]
    if not page.items:
        lines += ["", _("None yet. Send one: /broadcast")]
    for item in page.items:
        counts = page.counts.get(item.id, BatchCounts())
        on, at = _local(item.created_at, tz)
        lines += [
            "",
            _("<b>#{id}</b> · {date} {time} · {sender}").format(
                id=item.id, date=on, time=at, sender=html.quote(page.senders.get(item.created_by, "—")),
            ),
            *audience_lines(Audience.from_json(item.audience), lang, regional=item.region)[:2],
            _("{status}: {sent} sent · {blocked} blocked the bot · {failed} failed").format(
                status=status_label(item.status).capitalize(), sent=counts.sent, blocked=counts.blocked, failed=counts.failed
            ),
        ]
    return "\n".join(lines)


def broadcast_card_text(
    broadcast: BroadcastRecord, counts: BatchCounts, sender: str | None, lang: str, tz: tzinfo, took_seconds: float
) -> str:
    """One past announcement: who sent it when, to whom, and what became of it."""
    on, at = _local(broadcast.created_at, tz)
    lines = [
        _("📣 <b>Announcement #{id}</b>").format(id=broadcast.id),
        _("Sent by {sender} on {date} at {time}.").format(sender=html.quote(sender or "—"), date=on, time=at),
        "",
        *audience_lines(Audience.from_json(broadcast.audience), lang, regional=broadcast.region),
        "",
        _("Status: {status}").format(status=status_label(broadcast.status)),
        _("Families: {count}").format(count=broadcast.total),
        *count_lines(counts, skipped_of(broadcast, counts)),
    ]
    if counts.waiting:
        lines.append(_("⏳ Waiting: {count}").format(count=counts.waiting))
    if broadcast.finished_at is not None:
        lines.append(_("It took {duration}.").format(duration=duration_text(took_seconds)))
    if broadcast.photo_file_id:
        lines.append(_("With a photo."))
    return "\n".join(lines)

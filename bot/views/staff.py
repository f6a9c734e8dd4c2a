"""Staff as staff read about themselves and each other: invitations, the staff menu and list, /help for staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aiogram import html
from aiogram.utils.i18n import gettext as _

from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.domain.access import Actor, StaffRole
from bot.domain.dates import format_date
from bot.domain.phone import format_phone
from bot.services.staff import Invitation, InvitationProblem
from db.records import Family, StaffRecord


def problem_text(problem: InvitationProblem) -> str:
    if problem is InvitationProblem.ALREADY_STAFF:
        return _("You already work in AnaBala as staff. Your menu: /start")
    return _(
        "This invitation link cannot be used: it may have been used already, expired (links last 7 days) "
        "or been withdrawn. Please ask your coordinator for a new one."
    )


def role_text(offer: Invitation | StaffRecord, lang: str) -> str:
    region = find_region(offer.region) if offer.region else None
    region_name = region.name(lang) if region else ""
    if offer.role in (StaffRole.NURSE, StaffRole.HEAD):
        clinic = find_polyclinic(offer.polyclinic) if offer.polyclinic else None
        text = _("patronage nurse, {polyclinic} ({region})") if offer.role == StaffRole.NURSE else _(
            "head of {polyclinic} ({region})")
        return text.format(polyclinic=html.quote(clinic.name(lang) if clinic else "—"), region=html.quote(region_name))
    if offer.region is None:
        return _("national programme admin")
    return _("programme admin for {region}").format(region=html.quote(region_name))


def menu_text(member: StaffRecord) -> str:
    return _("<b>{name}</b>, {role}.\nWhat would you like to do?").format(
        name=html.quote(member.name), role=role_text(member, member.language)
    )


def staff_help_text(actor: Actor) -> str:
    if actor.is_head:
        return _(
            "<b>AnaBala for polyclinic heads</b>\n\n"
            "/console — a one-time link to the console: your polyclinic's open alerts live, its nurses, "
            "its families and their figures (the link works once, for 10 minutes)\n"
            "/language — change the language\n"
            "/start — your menu"
        )
    if actor.is_nurse:
        return _(
            "<b>AnaBala for nurses</b>\n\n"
            "/families — your families: stage, next check-up, risk; open a card to see everything, "
            "record a visit, set an appointment or write to the mother\n"
            "/questions — questions from your families waiting for an answer\n"
            "/alerts — risky answers to self-checks that nobody has taken yet, oldest first\n"
            "/today — your day: alerts, questions, newborns to visit, overdue visits, appointments\n"
            "/console — a one-time link to the web console\n"
            "/language — change the language\n"
            "/start — your menu\n\n"
            "Families see only what you send them through the bot; your notes stay with staff."
        )
    return _(
        "<b>AnaBala for admins</b>\n\n"
        "/families — families in your area\n"
        "/unassigned — families whose polyclinic has no nurse yet\n"
        "/alerts — risky answers to self-checks in your area that nobody has taken yet\n"
        "/invite — invite a nurse or an admin (the link works once, for 7 days)\n"
        "/staff — staff in your area; deactivate someone who left\n"
        "/broadcast — send an announcement; /broadcasts — past ones\n"
        "/stats — the programme's numbers\n"
        "/console — a one-time link to the web console: live alerts, nurses, families, exports\n"
        "/language — change the language\n"
        "/start — your menu"
    )


def staff_line(member: StaffRecord, lang: str) -> str:
    return f"• <b>{html.quote(member.name)}</b> — {role_text(member, lang)}"


def staff_list_text(members: list[StaffRecord], page: int, pages: int, lang: str) -> str:
    lines = [_("<b>Staff</b> (page {page} of {pages})").format(page=page + 1, pages=pages), ""]
    lines += [staff_line(member, lang) for member in members] or [_("Nobody yet. Invite someone: /invite")]
    return "\n".join(lines)


def staff_card_text(member: StaffRecord, families: int, lang: str) -> str:
    """One colleague as an admin opens her from the staff list (a nurse with her number of families)."""
    return "\n".join(
        [
            staff_line(member, lang),
            _("Phone: {phone}").format(phone=format_phone(member.phone) if member.phone else "—"),
            _("Families: {count}").format(count=families) if member.role == StaffRole.NURSE else "",
        ]
    ).strip()


def invitation_text(place: str, link: str, expires_on: date) -> str:
    return _(
        "Invitation for: {place}\n\n{link}\n\n"
        "Send this link yourself to the person you are inviting. It works once, until {date}; "
        "whoever opens it first joins, so share it with nobody else."
    ).format(place=place, link=html.quote(link), date=format_date(expires_on))


def registration_link_caption(polyclinic: str, link: str) -> str:
    """Under the QR code of a polyclinic's registration link for families."""
    return _(
        "Registration link for families of {polyclinic}:\n{link}\n\n"
        "Print the QR code or share the link: a family who opens it registers with this polyclinic filled in, "
        "and gets one of its nurses."
    ).format(polyclinic=html.quote(polyclinic), link=html.quote(link))


def unassigned_text(total: int, families: Sequence[Family], lang: str) -> str:
    """/unassigned: how many families wait for a nurse, then this page of them with where they are."""
    lines = [_("<b>Families without a nurse:</b> {count}").format(count=total), ""]
    for family in families:
        clinic = find_polyclinic(family.user.polyclinic) if family.user.polyclinic else None
        region = find_region(family.user.region)
        where = clinic.name(lang) if clinic else _("polyclinic not in the list")
        lines.append(
            f"• <b>{html.quote(family.user.name)}</b>, {html.quote(format_phone(family.user.phone))} — "
            f"{html.quote(where)}, {html.quote(region.name(lang) if region else '')}"
        )
    if not families:
        lines.append(_("Every family has a nurse."))
    return "\n".join(lines)

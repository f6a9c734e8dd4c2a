"""Texts built from records: the summary, the profile, dates and ages in her language.

Everything here returns HTML for parse_mode=HTML; whatever she typed is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aiogram import html
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.domain.children import child_age
from bot.domain.dates import format_date
from bot.domain.flow import Draft, Role
from bot.domain.phone import format_phone
from bot.domain.pregnancy import PregnancyDating
from bot.services.families import dating_of
from db.records import Family

# Each language in itself: how she finds hers before she can read anything else.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def sex_label(sex: str) -> str:
    return _("girl") if sex == "girl" else _("boy")


def age_label(birth: date, today: date) -> str:
    age = child_age(birth, today)
    if age.years >= 1:
        years = ngettext("{n} year", "{n} years", age.years).format(n=age.years)
        if age.months:
            return years + " " + ngettext("{n} month", "{n} months", age.months).format(n=age.months)
        return years
    if age.total_months >= 1:
        return ngettext("{n} month", "{n} months", age.total_months).format(n=age.total_months)
    return ngettext("{n} day", "{n} days", age.total_days).format(n=age.total_days)


def place_label(region_code: str, polyclinic_code: str | None, lang: str) -> tuple[str, str]:
    region = find_region(region_code)
    clinic = find_polyclinic(polyclinic_code) if polyclinic_code else None
    region_name = region.name(lang) if region else "—"
    clinic_name = clinic.name(lang) if clinic else _("not in the list")
    return region_name, clinic_name


def pregnancy_line(dating: PregnancyDating, today: date) -> str:
    return _("week {week}, expected due date {due}").format(
        week=dating.week(today), due=format_date(dating.due_date)
    )


def dating_check_text(dating: PregnancyDating, today: date) -> str:
    return _(
        "By my count you are in <b>week {week}</b> of pregnancy (trimester {trimester}), "
        "and your expected due date is <b>{due}</b>.\n\nIs this right?"
    ).format(week=dating.week(today), trimester=dating.trimester(today), due=format_date(dating.due_date))


def child_line(name: str, birth: date, sex: str, today: date) -> str:
    return _("{name}, born {birth} ({sex}, {age})").format(
        name=html.quote(name), birth=format_date(birth), sex=sex_label(sex), age=age_label(birth, today)
    )


def summary_text(data: Draft, dating: PregnancyDating | None, today: date) -> str:
    lang = data["lang"]
    region_name, clinic_name = place_label(data["region"], data.get("polyclinic") or None, lang)
    lines = [
        _("<b>Please check your details</b>"),
        "",
        _("Name: {name}").format(name=html.quote(data["name"])),
        _("Phone: {phone}").format(phone=format_phone(data["phone"])),
        _("Region: {region}").format(region=html.quote(region_name)),
        _("Polyclinic: {polyclinic}").format(polyclinic=html.quote(clinic_name)),
    ]
    roles = data.get("roles", [])
    if dating is not None and Role.PREGNANT in roles:
        lines.append(_("Pregnancy: {details}").format(details=pregnancy_line(dating, today)))
    if Role.PLANNING in roles:
        lines.append(_("Planning a pregnancy"))
    if Role.PARENT in roles:
        lines.append(_("Children:"))
        for child in data.get("children", []):
            lines.append("• " + child_line(child["name"], date.fromisoformat(child["birth"]), child["sex"], today))
    lines += ["", _("If everything is right, press «Confirm».")]
    return "\n".join(lines)


def loss_question_text() -> str:
    return _("I am so sorry. Shall I record that your pregnancy has ended? I will stop all pregnancy messages.")


def loss_recorded_text() -> str:
    return _(
        "We are very sorry for your loss. I have stopped all pregnancy messages.\n\n"
        "Your patronage nurse will be told, so that she can support you; you do not have to explain anything. "
        "Be gentle with yourself. If you feel very unwell or unsafe, call 103 or 112 at any time; "
        "the 111 support line is free and open day and night."
    )


def profile_text(
    *,
    name: str,
    phone: str,
    lang: str,
    region: str,
    polyclinic: str | None,
    planning: bool,
    paused: bool,
    dating: PregnancyDating | None,
    kids: Sequence[tuple[str, date, str]],
    today: date,
) -> str:
    region_name, clinic_name = place_label(region, polyclinic, lang)
    lines = [
        _("<b>Your profile</b>"),
        "",
        _("Name: {name}").format(name=html.quote(name)),
        _("Phone: {phone}").format(phone=format_phone(phone)),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(lang, lang)),
        _("Region: {region}").format(region=html.quote(region_name)),
        _("Polyclinic: {polyclinic}").format(polyclinic=html.quote(clinic_name)),
    ]
    if dating is not None:
        lines.append(_("Pregnancy: {details}").format(details=pregnancy_line(dating, today)))
    if planning:
        lines.append(_("Planning a pregnancy"))
    if kids:
        lines.append(_("Children:"))
        lines += ["• " + child_line(kid_name, birth, sex, today) for kid_name, birth, sex in kids]
    lines.append("")
    lines.append(_("Messages: paused (send /start to turn them on)") if paused else _("Messages: on"))
    return "\n".join(lines)


def stage_label(family: Family, today: date) -> str:
    """Her stage in a few words, for staff: "week 12 of pregnancy · Aruzhan, 3 months"."""
    parts = []
    if family.pregnancy is not None:
        parts.append(_("week {week} of pregnancy").format(week=dating_of(family.pregnancy).week(today)))
    parts.extend(f"{html.quote(child.name)}, {age_label(child.birth_date, today)}" for child in family.children)
    if not parts and family.user.planning:
        parts.append(_("planning a pregnancy"))
    return " · ".join(parts) if parts else "—"

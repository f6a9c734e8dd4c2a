"""Admins: invitations (and a polyclinic's registration link), the staff list and deactivation,
and families whose polyclinic has no nurse yet. Every action re-checks role and scope in the service."""

from __future__ import annotations

import io

import segno
from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _

from bot.commands import clear_chat_commands
from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.context import AppContext
from bot.delivery import REMINDER
from bot.domain.access import Actor, StaffRole, can_manage_staff
from bot.domain.dates import format_date
from bot.domain.phone import format_phone
from bot.filters import IsStaff
from bot.keyboards import staff as kb
from bot.keyboards.staff import AssignCb, InviteCb, StaffCb, StaffMenuCb
from bot.services import staff as staff_service
from bot.services.staff import POLYCLINIC_PREFIX, place_of
from bot.views.staff import role_text, staff_line, staff_list_text
from db import families, outbox
from db import staff as staff_db
from db.outbox import OutgoingMessage
from db.records import StaffRecord
from handlers.replies import known_action, mark_answered, refuse

PAGE = kb.PAGE

STAFF_ACTIONS = frozenset({"open", "deactivate", "confirm", "back", "page"})  # StaffCb


async def _reply(event: Message | CallbackQuery, bot: Bot, text: str, **kwargs: object) -> None:
    """Commands and menu buttons lead to the same screens."""
    chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id
    if isinstance(event, CallbackQuery):
        await event.answer()
    await bot.send_message(chat_id, text, **kwargs)  # type: ignore[arg-type]


async def _denied(callback: CallbackQuery, app: AppContext, actor: Actor, action: str) -> None:
    await refuse(callback, app, action)


# --- invitations -------------------------------------------------------------------------------

async def on_invite(event: Message | CallbackQuery, bot: Bot, staff: Actor) -> None:
    await _reply(event, bot, _("Whom would you like to invite?"), reply_markup=kb.invite_role_keyboard(staff.is_national))


async def on_invite_step(
    callback: CallbackQuery, callback_data: InviteCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """Role → region (national admins only; a regional admin's is hers) → polyclinic (nurses and
    registration links) → the link. Each step checks what the button says against her scope."""
    lang = staff_member.language
    step, role = callback_data.step, callback_data.role
    if step == "cancel":
        await callback.answer()
        await mark_answered(callback)
        return
    if role not in ("nurse", "admin", "link"):
        await _denied(callback, app, staff, "invite")
        return
    if step == "role" and staff.is_national:
        await callback.answer()
        await mark_answered(callback)
        await bot.send_message(callback.from_user.id, _("Which region?"), reply_markup=kb.invite_region_keyboard(role, lang))
        return
    if step in ("role", "region"):
        region = callback_data.region if step == "region" else (staff.region or "")
        if find_region(region) is None or not (staff.region is None or staff.region == region):
            await _denied(callback, app, staff, "invite")
            return
        if role == "admin":
            await _create_invitation(callback, bot, app, staff, StaffRole.ADMIN, region, None, lang)
            return
        await callback.answer()
        await mark_answered(callback)
        await bot.send_message(
            callback.from_user.id, _("Which polyclinic?"), reply_markup=kb.invite_polyclinic_keyboard(role, region, lang)
        )
        return
    clinic = find_polyclinic(callback_data.polyclinic) if step == "polyclinic" else None
    if clinic is None:
        await _denied(callback, app, staff, "invite")
        return
    if role == "link":
        await _polyclinic_link(callback, bot, app, staff, clinic.code, lang)
        return
    await _create_invitation(callback, bot, app, staff, StaffRole(role), clinic.region, clinic.code, lang)


async def _create_invitation(
    callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, role: StaffRole, region: str, polyclinic: str | None, lang: str
) -> None:
    invitation = await staff_service.create_invitation(app, staff, role, region, polyclinic)
    if invitation is None:
        await callback.answer(_("This is not available to you."), show_alert=True)
        return
    await callback.answer()
    await mark_answered(callback)
    link = await create_start_link(bot, invitation.payload)
    place = role_text(staff_service.Invitation(role, region, polyclinic), lang)
    await bot.send_message(
        callback.from_user.id,
        _(
            "Invitation for: {place}\n\n{link}\n\n"
            "Send this link yourself to the person you are inviting. It works once, until {date}; "
            "whoever opens it first joins, so share it with nobody else."
        ).format(place=place, link=html.quote(link), date=format_date(invitation.expires_at.astimezone(app.settings.tz).date())),
    )


async def _polyclinic_link(callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, code: str, lang: str) -> None:
    clinic = find_polyclinic(code)
    if clinic is None or not (staff.region is None or staff.region == clinic.region):
        await _denied(callback, app, staff, "polyclinic_link")
        return
    await callback.answer()
    await mark_answered(callback)
    link = await create_start_link(bot, POLYCLINIC_PREFIX + code)
    picture = io.BytesIO()
    segno.make(link, error="m").save(picture, kind="png", scale=8, border=4)
    await bot.send_photo(
        callback.from_user.id,
        BufferedInputFile(picture.getvalue(), filename=f"anabala-{code}.png"),
        caption=_(
            "Registration link for families of {polyclinic}:\n{link}\n\n"
            "Print the QR code or share the link: a family who opens it registers with this polyclinic filled in, "
            "and gets one of its nurses."
        ).format(polyclinic=html.quote(clinic.name(lang)), link=html.quote(link)),
    )


# --- the staff list ----------------------------------------------------------------------------


async def _staff_page(app: AppContext, staff: Actor, page: int) -> tuple[list[StaffRecord], int]:
    members = await staff_service.staff_in_scope(app, staff)
    pages = max(1, -(-len(members) // PAGE))
    page = min(max(page, 0), pages - 1)
    return members[page * PAGE : (page + 1) * PAGE], pages


async def on_staff_list(event: Message | CallbackQuery, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    members, pages = await _staff_page(app, staff, 0)
    await _reply(event, bot, staff_list_text(members, 0, pages, staff_member.language), reply_markup=kb.staff_list_keyboard(members, 0, pages))


async def on_staff_button(
    callback: CallbackQuery, callback_data: StaffCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    lang = staff_member.language
    if callback_data.action == "page":
        members, pages = await _staff_page(app, staff, callback_data.page)
        await callback.answer()
        await callback.message.edit_text(  # type: ignore[union-attr]
            staff_list_text(members, callback_data.page, pages, lang),
            reply_markup=kb.staff_list_keyboard(members, callback_data.page, pages),
        )
        return
    async with app.database.reading() as conn:
        target = await staff_db.get_staff(conn, callback_data.staff_id)
        caseload = len(await staff_db.families_of(conn, callback_data.staff_id)) if target else 0
    if target is None or not target.active or not (staff.region is None or staff.region == target.region):
        await _denied(callback, app, staff, "staff_" + known_action(callback_data.action, STAFF_ACTIONS))
        return
    allowed = can_manage_staff(staff, place_of(target))
    if callback_data.action == "open":
        await callback.answer()
        text = "\n".join(
            [
                staff_line(target, lang),
                _("Phone: {phone}").format(phone=format_phone(target.phone) if target.phone else "—"),
                _("Families: {count}").format(count=caseload) if target.role == StaffRole.NURSE else "",
            ]
        ).strip()
        await callback.message.edit_text(text, reply_markup=kb.staff_card_keyboard(target, callback_data.page, allowed))  # type: ignore[union-attr]
        return
    if not allowed:
        await _denied(callback, app, staff, "deactivate")
        return
    if callback_data.action == "deactivate":
        await callback.answer()
        await callback.message.edit_text(  # type: ignore[union-attr]
            _("Deactivate {name}? Access ends at once; their families go to other nurses of the same polyclinic.").format(
                name=html.quote(target.name)
            ),
            reply_markup=kb.deactivate_confirm_keyboard(target, callback_data.page),
        )
        return
    if callback_data.action == "confirm":
        result = await staff_service.deactivate(app, staff, target.id)
        if result is None:
            await _denied(callback, app, staff, "deactivate")
            return
        await callback.answer()
        await clear_chat_commands(bot, target.user_id)
        async with app.database.transaction() as conn:
            now = app.clock.now()
            await outbox.enqueue(
                conn, [OutgoingMessage(target.user_id, REMINDER, "staff", "staff.deactivated", {}, now, f"deact:{target.id}")], now
            )
        await callback.message.edit_text(  # type: ignore[union-attr]
            _("{name} is deactivated. Families moved to other nurses: {moved}. Waiting for a nurse: {left} (/unassigned).").format(
                name=html.quote(target.name), moved=result.reassigned, left=result.unassigned
            )
        )
        return
    await _denied(callback, app, staff, "staff_" + known_action(callback_data.action, STAFF_ACTIONS))


# --- families without a nurse ------------------------------------------------------------------

async def _unassigned_view(app: AppContext, staff: Actor, page: int, lang: str) -> tuple[str, object]:
    total, ids = await staff_service.unassigned_families(app, staff, limit=PAGE, offset=page * PAGE)
    pages = max(1, -(-total // PAGE))
    found = await families.cached_families(app.database, ids)
    lines = [_("<b>Families without a nurse:</b> {count}").format(count=total), ""]
    names = []
    for family_id in ids:
        family = found.get(family_id)
        if family is None:
            continue
        clinic = find_polyclinic(family.user.polyclinic) if family.user.polyclinic else None
        region = find_region(family.user.region)
        where = clinic.name(lang) if clinic else _("polyclinic not in the list")
        lines.append(
            f"• <b>{html.quote(family.user.name)}</b>, {html.quote(format_phone(family.user.phone))} — "
            f"{html.quote(where)}, {html.quote(region.name(lang) if region else '')}"
        )
        names.append(family.user.name)
    if not ids:
        lines.append(_("Every family has a nurse."))
    return "\n".join(lines), kb.unassigned_keyboard(ids, names, page, pages)


async def on_unassigned(event: Message | CallbackQuery, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord) -> None:
    if not staff.is_admin:
        await _reply(event, bot, _("This is not available to you."))
        return
    text, markup = await _unassigned_view(app, staff, 0, staff_member.language)
    await _reply(event, bot, text, reply_markup=markup)


async def on_assign_button(
    callback: CallbackQuery, callback_data: AssignCb, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    lang = staff_member.language
    if not staff.is_admin:
        await _denied(callback, app, staff, "assign")
        return
    if callback_data.action == "page":
        text, markup = await _unassigned_view(app, staff, callback_data.page, lang)
        await callback.answer()
        await callback.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr, arg-type]
        return
    async with app.database.reading() as conn:
        place = await staff_service.family_place(conn, callback_data.family_id)
        nurses = await staff_db.list_staff(conn, region=place.region if place else "", role="nurse")
    if place is None or not (staff.region is None or staff.region == place.region):
        await _denied(callback, app, staff, "assign")
        return
    if callback_data.action == "pick":
        await callback.answer()
        # Her own polyclinic's nurses first.
        nurses.sort(key=lambda nurse: (nurse.polyclinic != place.polyclinic, nurse.name))
        if not nurses:
            await callback.message.edit_text(_("There are no nurses in this region yet. Invite one: /invite"))  # type: ignore[union-attr]
            return
        await callback.message.edit_text(  # type: ignore[union-attr]
            _("Whom should she be assigned to?"), reply_markup=kb.nurse_choice_keyboard(place.user_id, nurses[:20], callback_data.page)
        )
        return
    if callback_data.action == "to":
        if not await staff_service.reassign(app, staff, callback_data.family_id, callback_data.staff_id):
            await callback.answer(_("This is not available to you."), show_alert=True)
            return
        await callback.answer(_("Assigned. She and her nurse are told."))
        text, markup = await _unassigned_view(app, staff, callback_data.page, lang)
        await callback.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr, arg-type]
        return
    await _denied(callback, app, staff, "assign")


async def on_forbidden(event: Message | CallbackQuery, app: AppContext) -> None:
    """An admin command or button from someone who is not an admin (or not any more)."""
    await refuse(event, app, "admin_only")


def build_router() -> Router:
    router = Router(name="admin")
    admin = IsStaff(StaffRole.ADMIN)
    router.message.register(on_invite, Command("invite"), admin)
    router.callback_query.register(on_invite, StaffMenuCb.filter(F.action == "invite"), admin)
    router.callback_query.register(on_invite_step, InviteCb.filter(), admin)
    router.message.register(on_staff_list, Command("staff"), admin)
    router.callback_query.register(on_staff_list, StaffMenuCb.filter(F.action == "staff"), admin)
    router.callback_query.register(on_staff_button, StaffCb.filter(), admin)
    router.message.register(on_unassigned, Command("unassigned"), admin)
    router.callback_query.register(on_unassigned, StaffMenuCb.filter(F.action == "unassigned"), admin)
    router.callback_query.register(on_assign_button, AssignCb.filter(), admin)
    # Everyone else who reaches these: refused and written down.
    for callback_data in (InviteCb, StaffCb, AssignCb):
        router.callback_query.register(on_forbidden, callback_data.filter())
    # An admin's own menu buttons go on to their feature's router (broadcast, stats, ...).
    router.callback_query.register(on_forbidden, StaffMenuCb.filter(F.action.in_(ADMIN_ACTIONS)), ~admin)
    router.message.register(on_forbidden, Command("invite", "staff", "unassigned"), IsStaff())
    return router


ADMIN_ACTIONS = ("invite", "staff", "unassigned", "broadcast", "broadcasts", "stats")

"""Admins: invitations (and a polyclinic's registration link), the staff list and deactivation,
and families whose polyclinic has no nurse yet. Every action re-checks role and scope in the service.
The admin menu's buttons are routed in handlers/staff.py, to the same handlers as the commands."""

from __future__ import annotations

import io

import segno
from aiogram import Bot, F, Router, html
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    User,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _

from bot.commands import clear_chat_commands
from bot.content import polyclinic as find_polyclinic
from bot.content import region as find_region
from bot.context import AppContext
from bot.domain.access import Actor, FamilyPlace, StaffRole, can_manage_staff
from bot.filters import IsStaff, pressed
from bot.keyboards import staff as kb
from bot.keyboards.staff import (
    AssignAction,
    AssignCb,
    InviteCb,
    InviteRole,
    InviteStep,
    StaffAction,
    StaffCb,
)
from bot.services import staff as staff_service
from bot.services.staff import POLYCLINIC_PREFIX, place_of
from bot.views.staff import (
    invitation_text,
    registration_link_caption,
    role_text,
    staff_card_text,
    staff_list_text,
    unassigned_text,
)
from db.records import StaffRecord
from handlers.replies import mark_answered, refuse, refusing, say_refused, show_in_place

PAGE = kb.PAGE


# --- invitations -------------------------------------------------------------------------------

async def on_invite(event: Message | CallbackQuery, event_from_user: User, bot: Bot, staff: Actor) -> None:
    """/invite and the menu's "✉️ Invite"."""
    await bot.send_message(
        event_from_user.id, _("Whom would you like to invite?"), reply_markup=kb.invite_role_keyboard(staff.is_national)
    )


# Role → region (national admins only; a regional admin's is hers) → polyclinic (nurses and
# registration links) → the link. Each step checks what the button says against her scope.

async def on_invite_cancel(callback: CallbackQuery) -> None:
    await mark_answered(callback)


async def on_invite_role(
    callback: CallbackQuery, callback_data: InviteCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    role = callback_data.role
    assert role is not None  # routed only with a role
    if staff.is_national:
        await mark_answered(callback)
        await bot.send_message(
            callback.from_user.id, _("Which region?"), reply_markup=kb.invite_region_keyboard(role, staff_member.language)
        )
        return
    await _invite_in_region(callback, bot, app, staff, staff_member.language, callback_answer, role, staff.region or "")


async def on_invite_region(
    callback: CallbackQuery, callback_data: InviteCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    role = callback_data.role
    assert role is not None  # routed only with a role
    await _invite_in_region(callback, bot, app, staff, staff_member.language, callback_answer, role, callback_data.region)


async def _invite_in_region(
    callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, lang: str, answer: CallbackAnswer, role: InviteRole,
    region: str,
) -> None:
    """The region is known: an admin's invitation now, or the question of the polyclinic."""
    if find_region(region) is None or not (staff.region is None or staff.region == region):
        await refuse(callback, app, "invite", answer)
        return
    if role is InviteRole.ADMIN:
        await _create_invitation(callback, bot, app, staff, answer, StaffRole.ADMIN, region, None, lang)
        return
    await mark_answered(callback)
    await bot.send_message(
        callback.from_user.id, _("Which polyclinic?"), reply_markup=kb.invite_polyclinic_keyboard(role, region, lang)
    )


async def on_invite_polyclinic(
    callback: CallbackQuery, callback_data: InviteCb, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    clinic = find_polyclinic(callback_data.polyclinic)
    if clinic is None:
        await refuse(callback, app, "invite", callback_answer)
        return
    lang = staff_member.language
    if callback_data.role is InviteRole.LINK:
        await _polyclinic_link(callback, bot, app, staff, callback_answer, clinic.code, lang)
        return
    roles = {InviteRole.ADMIN: StaffRole.ADMIN, InviteRole.HEAD: StaffRole.HEAD}
    role = roles.get(callback_data.role, StaffRole.NURSE) if callback_data.role is not None else StaffRole.NURSE
    await _create_invitation(callback, bot, app, staff, callback_answer, role, clinic.region, clinic.code, lang)


async def _create_invitation(
    callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, answer: CallbackAnswer, role: StaffRole, region: str,
    polyclinic: str | None, lang: str,
) -> None:
    invitation = await staff_service.create_invitation(app, staff, role, region, polyclinic)
    if invitation is None:
        await say_refused(callback, answer)
        return
    await mark_answered(callback)
    link = await create_start_link(bot, invitation.payload)
    place = role_text(staff_service.Invitation(role, region, polyclinic), lang)
    expires_on = invitation.expires_at.astimezone(app.settings.tz).date()
    await bot.send_message(callback.from_user.id, invitation_text(place, link, expires_on))


async def _polyclinic_link(
    callback: CallbackQuery, bot: Bot, app: AppContext, staff: Actor, answer: CallbackAnswer, code: str, lang: str
) -> None:
    clinic = find_polyclinic(code)
    if clinic is None or not (staff.region is None or staff.region == clinic.region):
        await refuse(callback, app, "polyclinic_link", answer)
        return
    await mark_answered(callback)
    link = await create_start_link(bot, POLYCLINIC_PREFIX + code)
    picture = io.BytesIO()
    segno.make(link, error="m").save(picture, kind="png", scale=8, border=4)
    await bot.send_photo(
        callback.from_user.id,
        BufferedInputFile(picture.getvalue(), filename=f"anabala-{code}.png"),
        caption=registration_link_caption(clinic.name(lang), link),
    )


# --- the staff list ----------------------------------------------------------------------------

async def _staff_page(app: AppContext, staff: Actor, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    members = await staff_service.staff_in_scope(app, staff)
    pages = max(1, -(-len(members) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = members[page * PAGE : (page + 1) * PAGE]
    return staff_list_text(shown, page, pages, lang), kb.staff_list_keyboard(shown, page, pages)


async def on_staff_list(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """/staff and the menu's "🧑‍⚕️ Staff"."""
    text, markup = await _staff_page(app, staff, 0, staff_member.language)
    await bot.send_message(event_from_user.id, text, reply_markup=markup)


async def on_staff_page(
    callback: CallbackQuery, callback_data: StaffCb, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await show_in_place(callback, *await _staff_page(app, staff, callback_data.page, staff_member.language))


async def _colleague(
    callback: CallbackQuery, callback_data: StaffCb, app: AppContext, staff: Actor, answer: CallbackAnswer
) -> StaffRecord | None:
    """The active colleague a staff-list button is about, if she is in the admin's region; else refused."""
    target = await staff_service.colleague(app, staff, callback_data.staff_id)
    if target is None:
        await refuse(callback, app, f"staff_{callback_data.action}", answer)
        return None
    return target


async def _manageable(
    callback: CallbackQuery, callback_data: StaffCb, app: AppContext, staff: Actor, answer: CallbackAnswer
) -> StaffRecord | None:
    """The colleague, if the admin may also deactivate her; else refused."""
    target = await _colleague(callback, callback_data, app, staff, answer)
    if target is not None and not can_manage_staff(staff, place_of(target)):
        await refuse(callback, app, "deactivate", answer)
        return None
    return target


async def on_staff_open(
    callback: CallbackQuery, callback_data: StaffCb, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    target = await _colleague(callback, callback_data, app, staff, callback_answer)
    if target is None:
        return
    caseload = await staff_service.caseload_size(app, target.id)
    allowed = can_manage_staff(staff, place_of(target))
    await show_in_place(
        callback, staff_card_text(target, caseload, staff_member.language), kb.staff_card_keyboard(target, callback_data.page, allowed)
    )


async def on_staff_deactivate(
    callback: CallbackQuery, callback_data: StaffCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    """"⛔ Deactivate": asked first."""
    target = await _manageable(callback, callback_data, app, staff, callback_answer)
    if target is None:
        return
    await show_in_place(
        callback,
        _("Deactivate {name}? Access ends at once; their families go to other nurses of the same polyclinic.").format(
            name=html.quote(target.name)
        ),
        kb.deactivate_confirm_keyboard(target, callback_data.page),
    )


async def on_staff_confirm(
    callback: CallbackQuery, callback_data: StaffCb, bot: Bot, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    """"Yes, deactivate"."""
    target = await _manageable(callback, callback_data, app, staff, callback_answer)
    if target is None:
        return
    result = await staff_service.deactivate(app, staff, target.id)
    if result is None:
        await refuse(callback, app, "deactivate", callback_answer)
        return
    await clear_chat_commands(bot, target.user_id)
    await show_in_place(
        callback,
        _("{name} is deactivated. Families moved to other nurses: {moved}. Waiting for a nurse: {left} (/unassigned).").format(
            name=html.quote(target.name), moved=result.reassigned, left=result.unassigned
        ),
        None,
    )


# --- families without a nurse ------------------------------------------------------------------

async def _unassigned_view(app: AppContext, staff: Actor, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    total, shown = await staff_service.unassigned_families(app, staff, limit=PAGE, offset=page * PAGE)
    pages = max(1, -(-total // PAGE))
    markup = kb.unassigned_keyboard([f.user.id for f in shown], [f.user.name for f in shown], page, pages)
    return unassigned_text(total, shown, lang), markup


async def on_unassigned(
    event: Message | CallbackQuery, event_from_user: User, bot: Bot, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    """/unassigned and the menu's "🕓 Without a nurse"."""
    if not staff.is_admin:
        await bot.send_message(event_from_user.id, _("This is not available to you."))
        return
    text, markup = await _unassigned_view(app, staff, 0, staff_member.language)
    await bot.send_message(event_from_user.id, text, reply_markup=markup)


async def on_unassigned_page(
    callback: CallbackQuery, callback_data: AssignCb, app: AppContext, staff: Actor, staff_member: StaffRecord
) -> None:
    await show_in_place(callback, *await _unassigned_view(app, staff, callback_data.page, staff_member.language))


async def _family_place(
    callback: CallbackQuery, callback_data: AssignCb, app: AppContext, staff: Actor, answer: CallbackAnswer
) -> FamilyPlace | None:
    """Where the family the button is about lives, if in the admin's region; else refused."""
    place = await staff_service.family_to_assign(app, staff, callback_data.family_id)
    if place is None:
        await refuse(callback, app, "assign", answer)
        return None
    return place


async def on_assign_pick(
    callback: CallbackQuery, callback_data: AssignCb, app: AppContext, staff: Actor, callback_answer: CallbackAnswer
) -> None:
    """"Assign <name>": the nurses of her region, her own polyclinic's first."""
    place = await _family_place(callback, callback_data, app, staff, callback_answer)
    if place is None:
        return
    nurses = await staff_service.nurses_for(app, place)
    if not nurses:
        await show_in_place(callback, _("There are no nurses in this region yet. Invite one: /invite"), None)
        return
    await show_in_place(
        callback, _("Whom should she be assigned to?"), kb.nurse_choice_keyboard(place.user_id, nurses[:20], callback_data.page)
    )


async def on_assign_to(
    callback: CallbackQuery, callback_data: AssignCb, app: AppContext, staff: Actor, staff_member: StaffRecord,
    callback_answer: CallbackAnswer,
) -> None:
    if await _family_place(callback, callback_data, app, staff, callback_answer) is None:
        return
    if not await staff_service.reassign(app, staff, callback_data.family_id, callback_data.staff_id):
        await say_refused(callback, callback_answer)
        return
    callback_answer.text = _("Assigned. She and her nurse are told.")
    await show_in_place(callback, *await _unassigned_view(app, staff, callback_data.page, staff_member.language))


# --- refusals ------------------------------------------------------------------------------------

async def on_forbidden(event: Message | CallbackQuery, app: AppContext, callback_answer: CallbackAnswer | None = None) -> None:
    """An admin command or button from someone who is not an admin (or not any more)."""
    await refuse(event, app, "admin_only", callback_answer)


def build_router() -> Router:
    router = Router(name="admin")
    admin = IsStaff(StaffRole.ADMIN)
    button = router.callback_query.register
    router.message.register(on_invite, Command("invite"), admin)
    button(on_invite_cancel, InviteCb.filter(F.step == InviteStep.CANCEL), admin)
    button(on_invite_role, InviteCb.filter((F.step == InviteStep.ROLE) & F.role), admin)
    button(on_invite_region, InviteCb.filter((F.step == InviteStep.REGION) & F.role), admin)
    button(on_invite_polyclinic, InviteCb.filter((F.step == InviteStep.POLYCLINIC) & F.role), admin)
    router.message.register(on_staff_list, Command("staff"), admin)
    button(on_staff_page, StaffCb.filter(F.action == StaffAction.PAGE), admin)
    button(on_staff_open, StaffCb.filter(F.action == StaffAction.OPEN), admin)
    button(on_staff_deactivate, StaffCb.filter(F.action == StaffAction.DEACTIVATE), admin)
    button(on_staff_confirm, StaffCb.filter(F.action == StaffAction.CONFIRM), admin)
    router.message.register(on_unassigned, Command("unassigned"), admin)
    button(on_unassigned_page, AssignCb.filter(F.action == AssignAction.PAGE), admin)
    button(on_assign_pick, AssignCb.filter(F.action == AssignAction.PICK), admin)
    button(on_assign_to, AssignCb.filter(F.action == AssignAction.TO), admin)
    # Everyone else who reaches these: refused and written down; from an admin, data no button carries.
    for factory in (InviteCb, StaffCb, AssignCb):
        button(on_forbidden, pressed(factory), ~admin)
    button(refusing("invite"), pressed(InviteCb))
    button(refusing("staff_unknown"), pressed(StaffCb))
    button(refusing("assign"), pressed(AssignCb))
    router.message.register(on_forbidden, Command("invite", "staff", "unassigned"), IsStaff())
    return router

"""Announcements end to end: an admin builds the audience, sees how many families it reaches,
writes the text, sees the preview, sends; progress is shown and edited; pause, resume, cancel;
a regional admin stays in her region; a mother whose pregnancy ended gets no pregnancy content;
the real process killed while sending messages nobody twice."""

from __future__ import annotations

import math
import re
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from bot.domain.audience import Audience
from bot.keyboards.broadcast import BcAudienceCb, BcComposeCb, BcControlCb, BcListCb
from bot.services import broadcasts as broadcast_service
from bot.services import staff as staff_service
from bot.views.broadcasts import duration_text
from db import broadcasts as broadcasts_db
from db import families
from db import staff as staff_db
from db.engine import Database
from db.migrate import upgrade_to_head
from emulator import BotAPIEmulator
from tests.e2e.harness import RunningBot, spawn_main
from tests.e2e.people import Person
from tests.story import ADMIN_ID, FamilySpec, invite, join, national_admin, register_families, registered_at_week

TEXT = "Screening day on Saturday <3 — bring your passport & your child's card"
QUOTED = "Screening day on Saturday &lt;3 — bring your passport &amp; your child's card"
LANGS = ("kk", "ru", "en")


def plural(person: Person, singular: str, many: str, count: int) -> str:
    return person.bot.app.context.i18n.gettext(singular, many, count, locale=person.lang).format(count=count)


async def families_known(bot: RunningBot, specs: list[FamilySpec], *, blocked: frozenset[int] | set[int] = frozenset()) -> None:
    """Registered long ago (rows written directly), and they pressed Start in Telegram; some blocked the bot since."""
    await register_families(bot.app.context.database, specs, bot.clock.now())
    for spec in specs:
        person = bot.emulator.user(user_id=spec.id, first_name="M", language_code=spec.lang)
        person.known_to_bot = True
        person.blocked = spec.id in blocked


def got(bot: RunningBot, user_id: int, fragment: str = TEXT) -> int:
    return sum(1 for m in bot.emulator.user(user_id=user_id).messages if fragment in (m.text or ""))


def fast(bot: RunningBot) -> None:
    """Send as fast as the loopback allows (the clock is manual; limits are the emulator's)."""
    bot.app.delivery.pacer.interval = timedelta(seconds=1 / 1000)
    bot.emulator.rate_limits = None


async def progress_job(bot: RunningBot) -> int:
    """What the scheduler does every 5 seconds."""
    edited = await broadcast_service.show_progress(bot.app.context, bot.app.bot)
    await bot.settle()
    return edited


def progress_message(admin: Person, broadcast_id: int = 1):  # type: ignore[no-untyped-def]
    heading = admin.t("📣 <b>Announcement #{id}</b>: {status}", id=broadcast_id, status="")
    found = [m for m in admin.user.messages if not m.deleted and (m.html or "").startswith(heading)]
    assert found, admin.user.transcript()
    return found[-1]


def recipients_shown(text: str) -> int:
    found = re.search(r"<b>(\d+)</b>", text)
    assert found, text
    return int(found.group(1))


async def compose_one_text(admin: Person, text: str = TEXT) -> None:
    """From the audience builder on: next, one text for all, the text."""
    await admin.click(data=BcAudienceCb(f="next"))
    await admin.click("One text for everyone")
    await admin.send(text)


# --- the whole way, with 2,000 families ------------------------------------------------------------

async def test_an_admin_sends_to_2000_families_of_whom_100_blocked_the_bot(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    fast(bot)
    admin = await national_admin(bot)
    almaty = [FamilySpec(100_000 + i, lang=LANGS[i % 3]) for i in range(2000)]
    elsewhere = [FamilySpec(200_000 + i, region="astana", polyclinic="astana_pc1") for i in range(30)]
    blocked = {spec.id for spec in almaty[::20]}
    await families_known(bot, almaty + elsewhere, blocked=blocked)

    await admin.send("/broadcast")
    assert recipients_shown(admin.last_text) == 2030  # everyone, everywhere
    await admin.click(data=BcAudienceCb(f="view", v="rg"))
    await admin.click(data=BcAudienceCb(f="rg", v="almaty_city"))
    await admin.click(data=BcAudienceCb(f="view", v="main"))
    builder = admin.last_text
    assert recipients_shown(builder) == 2000 and "Almaty city" in builder
    await compose_one_text(admin)
    previews = [m.html for m in admin.user.messages[-3:]]
    assert previews[0] == admin.t("👇 Preview: what every family will get")
    assert previews[1] == QUOTED  # exactly as mothers will see it: her text, escaped, nothing added
    assert plural(admin, "It goes to <b>{count}</b> family.", "It goes to <b>{count}</b> families.", 2000) in admin.last_text
    assert admin.t("⚠️ One text for everyone: families who chose another language will get it in this language.") in admin.last_text
    await admin.click(data=BcComposeCb(action="send"))

    progress = progress_message(admin)
    assert admin.t("Families: {count}", count=2000) in progress.html
    assert admin.t("⏳ Waiting: {count}", count=2000) in progress.html
    assert "▓" not in progress.html and "0%" in progress.html
    edits = progress.edits

    await bot.app.delivery.drain(limit=700)
    assert await progress_job(bot) == 1
    progress = progress_message(admin)
    assert progress.edits == edits + 1
    sent_so_far = int(re.search(r"✅ [^:]+: (\d+)", progress.html).group(1))  # type: ignore[union-attr]
    waiting = int(re.search(r"⏳ [^:]+: (\d+)", progress.html).group(1))  # type: ignore[union-attr]
    assert 500 < sent_so_far < 2000 and "▓" in progress.html
    with bot.app.context.i18n.context(), bot.app.context.i18n.use_locale("en"):  # at DELIVERY_RATE (25/s)
        assert admin.t("About {duration} left.", duration=duration_text(math.ceil(waiting / 25))) in progress.html
    edit_calls = len(bot.emulator.calls_of("editMessageText"))
    assert await progress_job(bot) == 0  # nothing changed: not even an attempt ("message is not modified")
    assert len(bot.emulator.calls_of("editMessageText")) == edit_calls

    # The progress message deleted by hand: the next update is a new message, edited from then on.
    await bot.app.bot.delete_message(ADMIN_ID, progress.message_id)
    await bot.app.delivery.drain(limit=100)
    assert await progress_job(bot) == 1
    assert progress_message(admin).message_id != progress.message_id

    await bot.tick()  # the rest
    assert await progress_job(bot) == 1  # done: the final progress
    await bot.tick()  # the report goes through the delivery engine
    final = progress_message(admin)
    assert final.html.startswith(admin.t("📣 <b>Announcement #{id}</b>: {status}", id=1, status=admin.t("finished")))
    assert "100%" in final.html and not final.inline_buttons
    report = admin.last_text
    assert report.startswith(admin.t("✅ <b>Announcement #{id} is sent.</b>", id=1))
    assert admin.t("✅ Sent: {count}", count=1900) in report
    assert admin.t("🚫 Blocked the bot, not delivered: {count}", count=100) in report
    assert admin.t("⚠️ Failed: {count}", count=0) in report

    received = Counter({spec.id: got(bot, spec.id) for spec in almaty + elsewhere})
    assert all(received[spec.id] == 1 for spec in almaty if spec.id not in blocked), "every reachable family exactly once"
    assert all(received[user_id] == 0 for user_id in blocked)
    assert all(received[spec.id] == 0 for spec in elsewhere)
    async with bot.app.context.database.reading() as conn:
        marked = [await families.get_user(conn, user_id) for user_id in sorted(blocked)]
        broadcast = await broadcasts_db.get_broadcast(conn, 1)
        audit = [e for e in await staff_db.audit_entries(conn) if e["action"] == "broadcast_sent"]
    assert all(user is not None and user.unreachable_at is not None for user in marked)
    assert broadcast is not None and broadcast.status == "done" and broadcast.total == 2000
    assert [(e["actor_id"], e["details"]) for e in audit] == [(ADMIN_ID, {"broadcast": 1, "recipients": 2000})]
    assert await progress_job(bot) == 0  # finished: no more edits
    assert bot.app.context.errors == 0


# --- texts ----------------------------------------------------------------------------------------

async def test_a_text_in_each_language_reaches_each_family_in_hers(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await families_known(bot, [FamilySpec(300 + i, lang=LANGS[i % 3]) for i in range(6)])
    await admin.send("/broadcast")
    await admin.click(data=BcAudienceCb(f="next"))
    await admin.click("A text in each language")
    assert admin.last_text.startswith(admin.t("Please send the text for families who chose {language}.", language="Қазақша"))
    await admin.send("Сенбі күні скрининг")
    await admin.send("Скрининг в субботу")
    await admin.send("Screening on Saturday")
    shown = [m.html for m in admin.user.messages[-7:-1]]
    assert shown == [
        admin.t("👇 Preview: what families who chose {language} will get", language="Қазақша"), "Сенбі күні скрининг",
        admin.t("👇 Preview: what families who chose {language} will get", language="Русский"), "Скрининг в субботу",
        admin.t("👇 Preview: what families who chose {language} will get", language="English"), "Screening on Saturday",
    ]
    assert "⚠️" not in admin.last_text  # each family gets her own language
    await admin.click(data=BcComposeCb(action="send"))
    await bot.tick()
    expected = {"kk": "Сенбі күні скрининг", "ru": "Скрининг в субботу", "en": "Screening on Saturday"}
    for i in range(6):
        assert [m.text for m in bot.emulator.user(user_id=300 + i).messages] == [expected[LANGS[i % 3]]]


async def test_one_language_chosen_asks_for_that_text_only_and_the_edit_button_goes_back(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await families_known(bot, [FamilySpec(400 + i, lang=LANGS[i % 3]) for i in range(6)])
    await admin.send("/broadcast")
    await admin.click(data=BcAudienceCb(f="lang", v="ru"))
    assert recipients_shown(admin.last_text) == 2
    await admin.click(data=BcAudienceCb(f="next"))
    assert admin.t("Please send the text of the announcement in {language}.", language="Русский") in admin.last_text
    await admin.send("Первый вариант")
    await admin.click("✏️ Edit the text")
    await admin.send("Второй вариант")
    await admin.click("👥 Edit the audience")
    await admin.click(data=BcAudienceCb(f="lang", v="en"))
    assert recipients_shown(admin.last_text) == 4
    await admin.click("✖️ Cancel")
    assert admin.saw("Cancelled. Nothing was sent.")
    await bot.tick()
    assert all(not bot.emulator.user(user_id=400 + i).messages for i in range(6))
    async with bot.app.context.database.reading() as conn:
        assert await broadcasts_db.count_broadcasts(conn, None) == 0


async def test_nobody_in_the_audience_means_nothing_to_send(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await admin.send("/broadcast")
    assert recipients_shown(admin.last_text) == 0
    await admin.click(data=BcAudienceCb(f="next"))
    admin.assert_answered("No family fits these choices yet. Please change them.")
    assert admin.last_text.startswith(admin.t("📣 <b>New announcement</b>, step 1 of 3: who gets it"))  # still choosing


async def test_a_photo_with_its_caption_reaches_families_as_previewed(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await families_known(bot, [FamilySpec(510 + i, lang="en") for i in range(3)])
    await admin.send("/broadcast")
    await admin.click(data=BcAudienceCb(f="next"))
    await admin.click("One text for everyone")
    await admin.send_photo("x" * 1025)
    assert admin.one_message().html == admin.t(
        "This text has {length} characters, and Telegram allows {limit}. Please shorten it and send it again.", length=1025, limit=1024
    )
    await admin.send_photo("Our new poster <3")
    preview = admin.user.messages[-2]
    assert preview.kind == "photo" and preview.html == "Our new poster &lt;3"
    await admin.click(data=BcComposeCb(action="send"))
    await bot.tick()
    for i in range(3):
        (received,) = bot.emulator.user(user_id=510 + i).messages
        assert received.kind == "photo" and received.text == "Our new poster <3"
    assert bot.app.context.errors == 0


# --- scope ----------------------------------------------------------------------------------------

async def regional_admin(bot: RunningBot, national: Person, region: str = "almaty_city", user_id: int = 7101) -> Person:
    return await join(bot, user_id, await invite(national, "admin", region), lang="en", name="Saule Region")


async def test_a_regional_admin_reaches_only_her_region_and_forged_buttons_are_refused(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    national = await national_admin(bot)
    regional = await regional_admin(bot, national)
    await families_known(
        bot,
        [FamilySpec(600 + i) for i in range(5)]
        + [FamilySpec(700 + i, region="astana", polyclinic="astana_pc1") for i in range(3)],
    )
    await regional.send("/broadcast")
    assert recipients_shown(regional.last_text) == 5
    labels = regional.user.last_message.button_labels()
    assert not any("🗺" in label for label in labels)  # no choice of region for her
    assert any("🏥" in label for label in labels)  # polyclinics of her region
    for forged in (BcAudienceCb(f="rg", v="astana"), BcAudienceCb(f="pc", v="astana_pc1"), BcAudienceCb(f="view", v="rg"),
                   BcAudienceCb(f="role", v="nurse")):
        await regional.forge_click(forged)
        regional.assert_answered("This is not available to you.")
    assert recipients_shown(regional.last_text) == 5  # nothing changed
    async with bot.app.context.database.reading() as conn:
        denied = [e for e in await staff_db.audit_entries(conn) if e["action"] == "denied" and e["actor_id"] == 7101]
    assert len(denied) == 4 and {e["details"]["attempted"] for e in denied} == {"broadcast_audience"}

    await regional.click(data=BcAudienceCb(f="view", v="pc"))
    await regional.click(data=BcAudienceCb(f="pc", v="almaty_pc1"))
    await regional.click(data=BcAudienceCb(f="view", v="main"))
    await compose_one_text(regional, "Only for Almaty city polyclinic No. 1")
    await regional.click(data=BcComposeCb(action="send"))
    await bot.tick()
    assert all(got(bot, 600 + i, "Only for Almaty") == 1 for i in range(5))
    assert all(not bot.emulator.user(user_id=700 + i).messages for i in range(3))

    # The national admin's announcement to everyone: not in the regional admin's list, nor hers to pause.
    await national.send("/broadcast")
    await compose_one_text(national, "For the whole country")
    await national.click(data=BcComposeCb(action="send"))
    await regional.send("/broadcasts")
    assert "#1" in regional.last_text and "#2" not in regional.last_text
    await national.send("/broadcasts")
    assert "#1" in national.last_text and "#2" in national.last_text
    for forged in (BcControlCb(action="pause", id=2), BcListCb(action="open", id=2), BcListCb(action="texts", id=2)):
        await regional.forge_click(forged)
        regional.assert_answered("This is not available to you.")
    async with bot.app.context.database.reading() as conn:
        assert (await broadcasts_db.get_broadcast(conn, 2)).status == "sending"  # type: ignore[union-attr]
    assert bot.app.context.errors == 0


async def test_nurses_and_mothers_cannot_reach_broadcasts(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    national = await national_admin(bot)
    nurse = await join(bot, 7201, await invite(national, "nurse"), lang="en")
    await nurse.send("/broadcast")
    assert nurse.one_message().html == nurse.t("This is not available to you. What I can do: /help")
    await nurse.forge_click(BcAudienceCb(f="next"))
    nurse.assert_answered("This is not available to you.")
    await nurse.forge_click(BcControlCb(action="cancel_yes", id=1))
    nurse.assert_answered("This is not available to you.")
    mother = await registered_at_week(bot, 7301, "en", 38)
    await mother.send("/broadcast")
    assert "Announcement" not in mother.last_text
    async with bot.app.context.database.reading() as conn:
        actors = {e["actor_id"] for e in await staff_db.audit_entries(conn) if e["action"] == "denied"}
    assert 7201 in actors


# --- stage at send time ---------------------------------------------------------------------------

async def test_a_mother_who_lost_her_pregnancy_after_it_was_queued_does_not_get_pregnancy_content(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    mother = await registered_at_week(bot, 8001, "en", 38)  # third trimester
    today = bot.clock.now().date()
    others = [FamilySpec(8100 + i, lang="en", due=today + timedelta(days=20)) for i in range(5)]
    await families_known(bot, others + [FamilySpec(8200, lang="en", planning=True)])
    await admin.send("/broadcast")
    await admin.click(data=BcAudienceCb(f="role", v="pregnant"))
    await admin.click(data=BcAudienceCb(f="tri", v="3"))
    assert recipients_shown(admin.last_text) == 6
    await compose_one_text(admin, "Third trimester: pack your bag for the maternity ward")
    await admin.click(data=BcComposeCb(action="send"))

    await mother.send("/profile")  # before anything was sent
    await mother.click("💔 I lost the pregnancy")
    await mother.click("Yes, the pregnancy has ended")
    await bot.tick()
    assert got(bot, 8001, "pack your bag") == 0
    assert all(got(bot, spec.id, "pack your bag") == 1 for spec in others)
    assert got(bot, 8200, "pack your bag") == 0
    await progress_job(bot)
    await bot.tick()
    assert admin.t("➖ Not sent (paused messages, or no longer in the audience): {count}", count=1) in admin.last_text


async def test_sent_in_the_evening_it_waits_for_the_families_morning(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    specs = [FamilySpec(960 + i, lang="en") for i in range(4)]
    await families_known(bot, specs)
    bot.clock.set(datetime(2026, 11, 24, 16, 30, tzinfo=UTC))  # 21:30 in Almaty
    await admin.send("/broadcast")
    await compose_one_text(admin, "Tomorrow the polyclinic opens at 10")
    await admin.click(data=BcComposeCb(action="send"))
    await bot.tick()
    await progress_job(bot)
    assert all(got(bot, spec.id, "polyclinic opens") == 0 for spec in specs)
    assert admin.t(
        "Families get announcements between {start} and {end} their time: the rest goes in the morning.", start="09:00", end="21:00"
    ) in progress_message(admin).html
    await bot.live_until(datetime(2026, 11, 25, 6, 0, tzinfo=UTC), step=timedelta(minutes=30))  # 11:00 next day
    assert all(got(bot, spec.id, "polyclinic opens") == 1 for spec in specs)
    arrived = [datetime.fromtimestamp(bot.emulator.user(user_id=spec.id).messages[0].date, UTC) for spec in specs]
    assert all(moment >= datetime(2026, 11, 25, 4, 0, tzinfo=UTC) for moment in arrived)  # from 09:00 her time


# --- pause, resume, cancel ------------------------------------------------------------------------

async def test_pause_resume_and_cancel(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    fast(bot)
    admin = await national_admin(bot)
    specs = [FamilySpec(900_000 + i, lang="en") for i in range(300)]
    await families_known(bot, specs)

    def total() -> int:
        return sum(got(bot, spec.id, "Vaccination week") for spec in specs)

    await admin.send("/broadcast")
    await compose_one_text(admin, "Vaccination week starts on Monday")
    await admin.click(data=BcComposeCb(action="send"))
    await bot.app.delivery.drain(limit=60)
    before_pause = total()
    assert 0 < before_pause < 300

    await admin.click(data=BcControlCb(action="pause", id=1))
    admin.assert_answered("Paused.")
    assert admin.t("Paused: nothing more is sent until you press «Resume».") in progress_message(admin).html
    await bot.tick()
    bot.clock.advance(timedelta(minutes=10))
    await bot.tick()
    await progress_job(bot)
    assert total() == before_pause  # nothing while paused

    await admin.click(data=BcControlCb(action="resume", id=1))
    await bot.app.delivery.drain(limit=60)
    resumed = total()
    assert before_pause < resumed < 300

    await admin.click(data=BcControlCb(action="cancel", id=1))
    await admin.click("No, go on")
    await admin.click(data=BcControlCb(action="cancel", id=1))
    await admin.click("Yes, stop sending")
    await bot.tick()
    await progress_job(bot)
    stopped = total()
    assert stopped - resumed <= bot.app.delivery.concurrency  # at most those already in flight
    assert stopped < 300
    final = progress_message(admin).html
    assert admin.t("✖️ Cancelled, not sent: {count}", count=300 - stopped) in final
    assert not progress_message(admin).inline_buttons
    async with bot.app.context.database.reading() as conn:
        actions = [e["action"] for e in await staff_db.audit_entries(conn) if e["actor_id"] == ADMIN_ID]
    assert {"broadcast_paused", "broadcast_resumed", "broadcast_cancelled"} <= set(actions)

    await admin.send("/broadcasts")
    assert admin.t("{status}: {sent} sent · {blocked} blocked the bot · {failed} failed", status=admin.t("cancelled").capitalize(),
                   sent=stopped, blocked=0, failed=0) in admin.last_text
    await admin.click("#1")
    assert admin.t("Status: {status}", status=admin.t("cancelled")) in admin.last_text
    await admin.click("📝 Show the texts")
    assert admin.last_text == "Vaccination week starts on Monday"
    assert bot.app.context.errors == 0


async def test_past_announcements_newest_first_a_page_at_a_time(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await families_known(bot, [FamilySpec(950 + i, lang="en") for i in range(3)])
    actor = await staff_service.current_actor(bot.app.context, ADMIN_ID)
    assert actor is not None
    for n in range(1, 7):
        draft = broadcast_service.Draft(Audience(), {"*": f"Announcement number {n}"}, None, f"draft-{n}")
        started = await broadcast_service.start(bot.app.context, actor, draft)
        assert started is not None
        await broadcast_service.launch(bot.app.context, bot.app.bot, started)
        bot.clock.advance(timedelta(minutes=5))
    await bot.tick()
    await progress_job(bot)
    await admin.send("/broadcasts")
    first = admin.last_text
    assert [int(n) for n in re.findall(r"<b>#(\d+)</b>", first)] == [6, 5, 4, 3, 2]
    assert admin.t("<b>Announcements</b> (page {page} of {pages})", page=1, pages=2) in first
    assert admin.t("{status}: {sent} sent · {blocked} blocked the bot · {failed} failed", status=admin.t("finished").capitalize(),
                   sent=3, blocked=0, failed=0) in first
    assert admin.t("<b>Who:</b> {who}", who=admin.t("every registered family")) in first
    await admin.click("➡️")
    assert [int(n) for n in re.findall(r"<b>#(\d+)</b>", admin.last_text)] == [1]
    await admin.click("#1")
    card = admin.last_text
    assert admin.t("✅ Sent: {count}", count=3) in card and admin.t("Families: {count}", count=3) in card
    await admin.click("📝 Show the texts")
    assert admin.last_text == "Announcement number 1"
    await admin.click("⬅️ Back to the list", on=admin.user.messages[-3])  # the page she came from
    assert [int(n) for n in re.findall(r"<b>#(\d+)</b>", admin.user.messages[-3].html)] == [1]


async def test_the_menu_buttons_open_new_and_past_announcements(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await admin.send("/start")
    await admin.click("📣 New announcement")
    assert admin.last_text.startswith(admin.t("📣 <b>New announcement</b>, step 1 of 3: who gets it"))
    await admin.send("/start")
    await admin.click("🗂 Past announcements")
    assert admin.t("None yet. Send one: /broadcast") in admin.last_text


# --- a restart in the middle ---------------------------------------------------------------------

MESSAGES = 2000
KILLS = 1  # each start of the real process costs several seconds (importing aiogram): one kill keeps it under a minute


def daytime_zone() -> str:
    """A time zone where it is now between 10:00 and 19:00, whenever the test runs."""
    now = datetime.now(UTC)
    for offset in range(-12, 15):
        name = f"Etc/GMT{-offset:+d}"  # POSIX signs: Etc/GMT-5 is UTC+5
        if 10 <= now.astimezone(ZoneInfo(name)).hour < 19:
            return name
    raise AssertionError("unreachable: some zone always has daytime")


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_killed_while_sending_and_started_again_nobody_gets_it_twice(clean_database_url: str) -> None:
    """SIGKILL while the real process sends to 2,000 families, with one message in flight
    (DELIVERY_CONCURRENCY=1), then started again. Asserted: everyone gets it; at most one family
    per kill gets it twice (the one whose message Telegram had taken when the process died), and
    nobody more than twice; the outbox says every row was sent; the progress message goes on after
    the start and ends with the report."""
    database = Database(clean_database_url)
    await upgrade_to_head(database)
    specs = [FamilySpec(600_000 + i, lang=LANGS[i % 3]) for i in range(MESSAGES)]
    await register_families(database, specs, datetime.now(UTC))
    await database.close()

    async with BotAPIEmulator(rate_limits=None, record_calls=False) as emu:
        for spec in specs:
            emu.user(user_id=spec.id, first_name="M", language_code=spec.lang).known_to_bot = True
        admin = emu.user(user_id=ADMIN_ID, first_name="Dana", language_code="en")
        people = [emu.user(user_id=spec.id) for spec in specs]

        def delivered() -> int:
            return sum(1 for person in people if person.messages)

        # The admin reads English; announcements wait for the families' daytime: let it be daytime.
        start = partial(spawn_main, emu.api_url, clean_database_url, ADMIN_IDS=str(ADMIN_ID), DELIVERY_RATE="1000",
                        DELIVERY_CONCURRENCY="1", DEFAULT_LANGUAGE="en", TIMEZONE=daytime_zone())
        process = await start()
        try:
            await admin.send("/broadcast")
            await admin.wait_for_message(lambda m: m.inline_markup is not None and "2000" in (m.text or ""), timeout=20)
            await admin.click(data=BcAudienceCb(f="next").pack())
            await admin.wait_for_message(lambda m: m.inline_markup is not None, timeout=10)
            await admin.click(data=BcComposeCb(action="one").pack())
            await admin.wait_for_message(timeout=10)
            await admin.send("Free screening this Saturday at your polyclinic")
            await admin.wait_for_message(lambda m: any(b["callback_data"] == BcComposeCb(action="send").pack()
                                                       for row in m.inline_buttons for b in row), timeout=10)
            await admin.click(data=BcComposeCb(action="send").pack())
            for kill in range(KILLS):
                target = delivered() + 700 + 300 * kill  # well into the sending
                await emu.wait_for(lambda target=target: delivered() >= target, timeout=30, what=f"{target} families reached")
                process.send_signal(signal.SIGKILL)
                await process.wait()
                process = await start()
            await emu.wait_for(lambda: delivered() == MESSAGES, timeout=40, what="every family reached")
            await emu.wait_for(
                lambda: any("Announcement #1 is sent" in (m.text or "") for m in admin.messages), timeout=20, what="the report"
            )
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()

    received = Counter({person.id: len(person.messages) for person in people})
    assert min(received.values()) == 1, "everyone gets it"
    twice = [user_id for user_id, count in received.items() if count > 1]
    assert max(received.values()) <= 2 and len(twice) <= KILLS, f"{len(twice)} got it twice after {KILLS} kills"
    (progress,) = [m for m in admin.messages if (m.text or "").startswith("📣 Announcement #1")]
    # One progress message, edited as it went; its last state is written by the process started again.
    assert progress.edits >= 2 and (progress.text or "").startswith("📣 Announcement #1: finished")
    assert f"Sent: {MESSAGES}" in (progress.text or "")
    database = Database(clean_database_url)
    async with database.reading() as conn:
        broadcast = await broadcasts_db.get_broadcast(conn, 1)
        counts = (await broadcasts_db.batch_counts(conn, [1]))[1]
    await database.close()
    assert broadcast is not None and broadcast.status == "done" and broadcast.total == MESSAGES
    assert (counts.sent, counts.waiting) == (MESSAGES, 0)

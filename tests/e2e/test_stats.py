"""/stats end to end: the national admin's totals, a regional admin's own region only (whatever her
client sends), the CSV as a document, the chart as a photo, and refusals for nurses and mothers."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from bot.views.reports import csv_header
from db.schema import audit_log
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import ADMIN_ID, invite, join, national_admin, nurse_at, registered_planning

NURSE_ID, REGIONAL_ID = 7101, 7201


async def _world(bot: RunningBot) -> Person:
    """A nurse at almaty_pc1; two mothers there (kk, ru), one in Astana (en) with no nurse yet."""
    admin = await national_admin(bot)
    await nurse_at(bot, admin, NURSE_ID)
    await registered_planning(bot, 5101, "kk")
    await registered_planning(bot, 5102, "ru")
    await registered_planning(bot, 5103, "en", region="astana", polyclinic="astana_pc1")
    return admin


async def _download(bot: RunningBot, file_id: str) -> bytes:
    """What she gets when she opens the file in Telegram."""
    found = await bot.app.bot.get_file(file_id)
    data = await bot.app.bot.download_file(found.file_path)  # type: ignore[arg-type]
    assert data is not None
    return data.read()


async def _audited(bot: RunningBot, actor_id: int) -> list[tuple[str, str]]:
    async with bot.app.context.database.reading() as conn:
        rows = await conn.execute(select(audit_log.c.action, audit_log.c.details).where(audit_log.c.actor_id == actor_id).order_by(audit_log.c.id))
        return [(row.action, row.details) for row in rows]


async def test_the_national_admin_sees_the_totals_and_gets_the_csv_and_the_chart(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await _world(bot)

    await admin.send("/stats")
    text = admin.last_text
    assert admin.t("📊 <b>Statistics: {scope}</b>", scope=admin.t("all regions")) in text
    assert admin.t("<b>Registered: {count}</b>", count=3) in text
    assert admin.t("🌱 planning: {count}", count=3) in text
    assert admin.t("🕓 without a nurse: {count}", count=1) in text
    assert "Almaty city: 2" in text and "Astana city: 1" in text
    assert "Қазақша: 1 · Русский: 1 · English: 1" in text
    assert "Aigerim" not in text and "+7701" not in text  # counts only

    await admin.click("📄 CSV")
    document = admin.user.last_message
    assert document is not None and document.kind == "document"
    assert document.media["document"]["file_name"] == "anabala-stats-kz-2026-11-24.csv"
    data = await _download(bot, document.media["document"]["file_id"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    with bot.app.context.i18n.context(), bot.app.context.i18n.use_locale("en"):
        assert rows[0] == csv_header()
    registered = rows[0].index("Registered")
    by_codes = {(row[0], row[1]): row for row in rows[1 : rows.index([])]}
    assert by_codes[("", "")][registered] == "3"
    assert by_codes[("almaty_city", "almaty_pc1")][2:4] == ["Almaty city", "City polyclinic No. 1"]
    assert by_codes[("almaty_city", "almaty_pc1")][registered] == "2"
    assert by_codes[("astana", "astana_pc1")][registered] == "1"
    assert rows[-1][:2] == ["2026-11-24", "3"]  # all three registered today

    await admin.click("📈 Chart")
    photo = admin.user.last_message
    assert photo is not None and photo.kind == "photo"
    assert photo.caption == admin.t("AnaBala, last 30 days: {scope}", scope=admin.t("all regions"))
    assert (await _download(bot, photo.media["photo"][-1]["file_id"])).startswith(b"\x89PNG")

    assert [action for action, _details in await _audited(bot, ADMIN_ID) if action.startswith("stats")] == [
        "stats_viewed", "stats_exported", "stats_exported",
    ]
    assert bot.app.context.errors == 0


async def test_the_admin_menu_button_opens_the_statistics(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    await admin.send("/start")
    await admin.click("📊 Statistics")
    assert admin.t("<b>Registered: {count}</b>", count=0) in admin.last_text


async def test_a_regional_admin_sees_only_her_region_whatever_she_sends(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await _world(bot)
    regional = await join(bot, REGIONAL_ID, await invite(admin, "admin", region="astana"), lang="en", name="Saule Nur")

    await regional.send("/stats")
    text = regional.last_text
    assert regional.t("📊 <b>Statistics: {scope}</b>", scope="Astana city") in text
    assert regional.t("<b>Registered: {count}</b>", count=1) in text
    assert regional.t("<b>By polyclinic</b>") in text and "City polyclinic No. 1: 1" in text
    assert "Almaty" not in text

    # A modified client sends a scope of its own: the export still covers her region, from her staff row.
    await regional.forge_click("sx:csv:almaty_city")
    assert not [m for m in regional.user.messages if m.kind == "document"]  # not a button of ours: nothing sent
    await regional.forge_click("sx:csv")
    document = regional.user.last_message
    assert document is not None and document.kind == "document"
    assert document.media["document"]["file_name"] == "anabala-stats-astana-2026-11-24.csv"
    rows = list(csv.reader(io.StringIO((await _download(bot, document.media["document"]["file_id"])).decode("utf-8-sig")), delimiter=";"))
    places = rows[1 : rows.index([])]
    assert places and {row[0] for row in places} == {"astana"}
    assert sum(int(row[rows[0].index("Registered")]) for row in places if row[1] == "") == 1

    await regional.forge_click("sx:everything")  # not an action there is
    regional.assert_answered("This is not available to you.", show_alert=True)
    assert ("denied", '{"attempted": "stats_unknown"}') in await _audited(bot, REGIONAL_ID)  # never the forged word
    assert bot.app.context.errors == 0


async def test_nurses_and_mothers_are_refused(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, NURSE_ID)
    mother = await registered_planning(bot, 5101, "en")

    await nurse.send("/stats")
    assert nurse.one_message().html == nurse.t("This is not available to you. What I can do: /help")
    await nurse.forge_click("sx:csv")
    nurse.assert_answered("This is not available to you.")
    await nurse.forge_click("sm:stats")
    nurse.assert_answered("This is not available to you.")
    assert all(m.kind == "text" for m in nurse.user.messages)  # no document, no photo

    await mother.send("/stats")
    assert mother.one_message().html == mother.t("This is not available to you. What I can do: /help")
    await mother.forge_click("sx:chart")
    mother.assert_answered("This is not available to you.")
    assert all(m.kind == "text" for m in mother.user.messages)
    assert [action for action, _details in await _audited(bot, NURSE_ID)].count("denied") == 3
    assert [action for action, _details in await _audited(bot, 5101)].count("denied") == 2
    assert bot.app.context.errors == 0

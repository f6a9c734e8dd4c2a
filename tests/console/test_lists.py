"""The nurses table, the families line list, a family's page and the export, through the console as a
browser uses it: each sees only her scope, whatever ids and values the address or the form carries."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from db import staff as staff_db
from tests.console_client import ConsoleBrowser, console_link
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import NURSE, invite, join, national_admin, nurse_at, registered_at_week, registered_planning


async def _signed_in(browser: ConsoleBrowser, person: Person) -> None:
    await person.send("/console")
    await browser.sign_in(console_link(person.last_text))  # lands on her first screen (a nurse's: another step's)
    assert "/login" not in browser.final_url


async def _two_polyclinics(bot: RunningBot) -> tuple[Person, Person, Person]:
    """City polyclinic No. 1 (a nurse, Aigerim pregnant, Bota planning) and No. 6 (another nurse, Dana
    pregnant); Astana's Asel (no nurse there). Returns the national admin, the nurse at No. 1, and
    the head of No. 1."""
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    await nurse_at(bot, admin, 7102, polyclinic="almaty_pc6", lang="en", name="Other Nurse")
    head = await join(bot, 7301, await invite(admin, "head"), lang="en", name="Saule Nurova")
    await registered_at_week(bot, 5001, "en", 20, name="Aigerim")
    await registered_planning(bot, 5002, "en", name="Bota")
    await registered_at_week(bot, 5003, "en", 12, name="Dana", polyclinic="almaty_pc6")
    await registered_at_week(bot, 5004, "en", 30, name="Asel", region="astana", polyclinic="astana_pc1")
    await bot.tick()
    return admin, nurse, head


async def _audit(bot: RunningBot, actor_id: int) -> list[dict[str, object]]:
    async with bot.app.context.database.reading() as conn:
        return [e for e in await staff_db.audit_entries(conn, limit=500) if e["actor_id"] == actor_id]


async def test_a_head_sees_her_polyclinic_only_and_a_regional_admin_of_another_region_nothing(
    bot: RunningBot, browser: ConsoleBrowser
) -> None:
    admin, _nurse, head = await _two_polyclinics(bot)
    await _signed_in(browser, head)

    page = await browser.get("/families")
    assert browser.status == 200
    assert "Aigerim" in page and "Bota" in page and "Dana" not in page and "Asel" not in page
    assert NURSE in page and "Other Nurse" not in page

    page = await browser.get("/nurses")
    assert browser.status == 200 and NURSE in page and "Other Nurse" not in page

    # Filters: a stage, and a forged one (ignored: the whole list again).
    page = await browser.get("/families", stage="planning")
    assert "Bota" in page and "Aigerim" not in page
    page = await browser.get("/families", stage="'; DROP TABLE users; --", risk="high", page="-3", alert="yes")
    assert browser.status == 200 and "Bota" in page and "Aigerim" in page
    page = await browser.get("/families", q="aiger")
    assert "Aigerim" in page and "Bota" not in page
    page = await browser.get("/families", q="Dana")
    assert 'href="/families/5003"' not in page and "No families match." in page
    page = await browser.get("/families", no_nurse="1")
    assert "No families match." in page
    # Sorting the nurses table by a column that does not exist: by name.
    page = await browser.get("/nurses", sort="phone", dir="sideways")
    assert browser.status == 200 and NURSE in page

    # A regional admin of Astana: nobody from Almaty, on any list.
    regional = await join(bot, 7401, await invite(admin, "admin", "astana", None), "en", "Astana Admin")
    other = ConsoleBrowser(browser.base_url)
    try:
        await _signed_in(other, regional)
        page = await other.get("/families")
        assert "Asel" in page and "Aigerim" not in page and "Bota" not in page and "Dana" not in page
        page = await other.get("/nurses")
        assert NURSE not in page and "Other Nurse" not in page and "No nurses in your area yet." in page
        await other.get("/families/5001")
        assert other.status == 404
    finally:
        await other.close()


async def test_a_nurse_sees_her_own_families_and_no_nurses_table(bot: RunningBot, browser: ConsoleBrowser) -> None:
    _admin, nurse, _head = await _two_polyclinics(bot)
    await _signed_in(browser, nurse)
    page = await browser.get("/families")
    assert "Aigerim" in page and "Bota" in page and "Dana" not in page
    await browser.get("/nurses")
    assert browser.status == 403
    await browser.get("/families/5003")
    assert browser.status == 404


async def test_a_family_page_in_scope_only_and_every_open_audited(bot: RunningBot, browser: ConsoleBrowser) -> None:
    _admin, _nurse, head = await _two_polyclinics(bot)
    await _signed_in(browser, head)

    page = await browser.get("/families/5001")
    assert browser.status == 200 and "telegram-card" in page and "Aigerim" in page and NURSE in page

    # Another polyclinic's family, a family that does not exist, and an id that is not one: the same page.
    bodies = []
    for forged in ("5003", "5004", "999999", "0", "abc", "5001x", "99999999999999999999999"):
        bodies.append(await browser.get(f"/families/{forged}"))
        assert browser.status == 404, forged
    assert len(set(bodies)) == 1 and "Dana" not in bodies[0]

    audit = await _audit(bot, 7301)
    assert any(e["action"] == "console_family_opened" and e["family_id"] == 5001 for e in audit)
    denied = [e for e in audit if e["action"] == "denied"]
    assert {e["details"]["attempted"] for e in denied} == {"console_open"}


async def test_export_needs_a_reason_and_a_token_and_stays_in_scope(bot: RunningBot, browser: ConsoleBrowser) -> None:
    _admin, _nurse, head = await _two_polyclinics(bot)
    await _signed_in(browser, head)

    form = await browser.get("/families/export", format="csv", stage="pregnant")
    assert browser.status == 200 and "100,000" in form and 'name="reason"' in form

    # No token: refused; no reason, or one too short: the form again, nothing written.
    await browser.post("/families/export", {"format": "csv", "reason": "Monthly report"}, csrf=False)
    assert browser.status == 403
    await browser.get("/families/export", format="csv")
    page = await browser.post("/families/export", {"format": "csv", "reason": "  ok "})
    assert browser.status == 422 and "Please write why you need this file" in page
    page = await browser.post("/families/export", {"format": "pdf", "reason": "Monthly report"})
    assert browser.status == 422
    assert not [e for e in await _audit(bot, 7301) if e["action"] == "console_export"]

    # CSV: her polyclinic only; a forged polyclinic or region in the form changes nothing.
    status, body, headers = await browser.post_bytes("/families/export", {
        "format": "csv", "reason": "Monthly report for the district", "polyclinic": "almaty_pc6", "region": "astana",
    })
    assert status == 200
    assert headers["Content-Disposition"].startswith('attachment; filename="anabala-families-')
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Phone", "Stage"]
    names = sorted(row[0] for row in rows[1:])
    assert names == ["Aigerim", "Bota"]
    assert all(row[1].startswith("'+7") for row in rows[1:])  # a phone would be a formula without its apostrophe

    # XLSX, with a filter: the pregnant one only.
    await browser.get("/families/export", format="xlsx", stage="pregnant")
    status, body, headers = await browser.post_bytes("/families/export", {
        "format": "xlsx", "stage": "pregnant", "reason": "Visits plan for pregnant women",
    })
    assert status == 200 and ".xlsx" in headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Name" and [row[0] for row in values[1:]] == ["Aigerim"]
    assert values[1][2] == "pregnant" and values[1][4] == NURSE

    exports = [e for e in await _audit(bot, 7301) if e["action"] == "console_export"]
    assert [(e["details"]["format"], e["details"]["rows"], e["details"]["reason"]) for e in exports] == [
        ("xlsx", 1, "Visits plan for pregnant women"),
        ("csv", 2, "Monthly report for the district"),
    ]
    assert exports[0]["details"]["filters"] == "stage=pregnant"

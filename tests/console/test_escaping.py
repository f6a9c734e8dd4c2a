"""What families and staff typed reaches a coordinator's browser as text, never as markup: the family page
shows the Telegram card (already escaped Telegram HTML), so a note or an appointment written as HTML must
arrive escaped there too."""

from __future__ import annotations

from db import caseload as caseload_db
from db import staff as staff_db
from tests.console_client import ConsoleBrowser, console_link
from tests.e2e.harness import RunningBot
from tests.story import NURSE, national_admin, nurse_at, registered_at_week

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'


async def test_a_note_typed_as_html_is_shown_as_text_on_the_family_page(bot: RunningBot) -> None:
    admin = await national_admin(bot)
    await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    await registered_at_week(bot, 5001, "en", 20, name="Aigerim")
    async with bot.app.context.database.transaction() as conn:
        nurse = await staff_db.active_staff(conn, 7101)
        assert nurse is not None
        await caseload_db.save_family_care(conn, 5001, nurse.id, bot.clock.now(), note=f"{SCRIPT} {IMAGE}")
    assert bot.app.console is not None
    browser = ConsoleBrowser(bot.app.console.base_url)
    try:
        await admin.send("/console")
        await browser.sign_in(console_link(admin.last_text))
        page = await browser.get("/families/5001")
        assert browser.status == 200 and "Aigerim" in page
        assert SCRIPT not in page and "<img" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    finally:
        await browser.close()

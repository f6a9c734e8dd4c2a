"""The console's "My day": a nurse sees her own day (the same sections as /today), in cards and
lists with links to each family; a polyclinic head or an admin opening /today is refused."""

from __future__ import annotations

from tests.console_client import ConsoleBrowser, console_link
from tests.e2e.harness import RunningBot
from tests.story import (
    NURSE,
    invite,
    join,
    national_admin,
    nurse_at,
    record_birth,
    registered_at_week,
    report_danger_sign,
)


async def test_a_nurse_sees_her_day_in_the_console(bot: RunningBot, browser: ConsoleBrowser) -> None:
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    other = await nurse_at(bot, admin, 7102, polyclinic="almaty_pc6", lang="en", name="Aliya Nurlanova")
    aigerim = await registered_at_week(bot, 5001, "en", 30, name="Aigerim")
    dana = await registered_at_week(bot, 5002, "en", 39, name="Dana")
    saule = await registered_at_week(bot, 5003, "en", 30, name="Saule", polyclinic="almaty_pc6")  # the other nurse's
    await bot.tick()
    await record_birth(dana, bot, 2, "39", "3400", name="Alikhan")
    await report_danger_sign(aigerim, "danger_preg", "fits")
    await report_danger_sign(saule, "danger_preg", "fits")
    await bot.tick()

    await nurse.send("/console")
    assert await browser.sign_in(console_link(nurse.last_text)) == 200
    await browser.get("/today")
    page = browser.last
    assert browser.status == 200
    assert "<h1>My day · 24.11.2026</h1>" in page
    assert '<span class="figure" data-count="alerts">1</span>' in page
    assert '<span class="figure" data-count="newborns">1</span>' in page
    assert '<a href="/families/5001">Aigerim</a>' in page
    assert '<a href="/families/5002">Dana</a>' in page and "Alikhan, born" in page
    assert "Saule" not in page  # not hers
    assert "<script>" not in page and "style=" not in page  # CSP: no inline scripts or styles
    assert "How the lists are made" in page

    # The other nurse's day has only her family.
    assert other is not None
    second = ConsoleBrowser(browser.base_url)
    try:
        await other.send("/console")
        await second.sign_in(console_link(other.last_text))
        await second.get("/today")
        assert "Saule" in second.last and "Aigerim" not in second.last
    finally:
        await second.close()


async def test_an_admin_or_a_head_opening_today_is_refused(bot: RunningBot, browser: ConsoleBrowser) -> None:
    admin = await national_admin(bot)
    await admin.send("/console")
    await browser.sign_in(console_link(admin.last_text))
    await browser.get("/today")
    assert browser.status == 403

    head = await join(bot, 7301, await invite(admin, "head"), lang="en", name="Saule Nurova")
    other = ConsoleBrowser(browser.base_url)
    try:
        await head.send("/console")
        await other.sign_in(console_link(head.last_text))
        await other.get("/today")
        assert other.status == 403
    finally:
        await other.close()

"""Signing in to the console from the bot's /console link: once, within 10 minutes, by staff only;
the session ends at logout, after 12 hours, and at once when her role is removed."""

from __future__ import annotations

from datetime import timedelta

from tests.console_client import ConsoleBrowser, console_link
from tests.e2e.harness import TOKEN, RunningBot, running_bot
from tests.story import ADMIN_ID, an_alert_in_a_staffed_polyclinic, invite, join, national_admin


async def test_a_polyclinic_head_signs_in_with_the_link_from_the_bot_and_sees_her_alerts(bot: RunningBot, browser: ConsoleBrowser) -> None:
    await an_alert_in_a_staffed_polyclinic(bot, 5001, "fits")
    admin = await national_admin(bot)
    head = await join(bot, 7301, await invite(admin, "head"), lang="en", name="Saule Nurova")
    assert "head of" in head.last_text

    await head.send("/console")
    link = console_link(head.last_text)
    assert "works once, for 10 minutes" in head.last_text
    assert await browser.sign_in(link) == 200
    assert browser.final_url.endswith("/alerts")
    assert "Aigerim" in browser.last and "nobody yet" in browser.last

    # The same link again, in another browser: refused.
    other = ConsoleBrowser(browser.base_url)
    try:
        await other.sign_in(link)
        assert "/login" in other.final_url and "cannot be used" in other.last
        await other.get("/alerts")
        assert "/login" in other.final_url
    finally:
        await other.close()


async def test_an_expired_link_is_refused_and_a_session_ends_when_her_role_is_removed(bot: RunningBot, browser: ConsoleBrowser) -> None:
    admin = await national_admin(bot)
    head = await join(bot, 7301, await invite(admin, "head"), lang="en", name="Saule Nurova")
    await head.send("/console")
    late = console_link(head.last_text)
    bot.clock.advance(timedelta(minutes=10, seconds=1))
    await browser.sign_in(late)
    assert "cannot be used" in browser.last

    await head.send("/console")
    assert await browser.sign_in(console_link(head.last_text)) == 200
    assert "/alerts" in browser.final_url

    await admin.send("/staff")
    await admin.click("Saule Nurova")
    await admin.click("Deactivate")
    await admin.click("Yes, deactivate")
    await browser.get("/alerts")
    assert browser.final_url.endswith("/login")


async def test_security_headers_and_a_form_without_its_token_is_refused(bot: RunningBot, browser: ConsoleBrowser) -> None:
    admin = await national_admin(bot)
    await admin.send("/console")
    await browser.sign_in(console_link(admin.last_text))
    policy = browser.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert browser.headers["Referrer-Policy"] == "same-origin"
    assert browser.headers["Cache-Control"] == "no-store"

    await browser.post("/logout", {}, csrf=False)
    assert browser.status == 403 and "This form has expired" in browser.last
    await browser.get("/no-such-page")
    assert browser.status == 404 and "There is nothing here" in browser.last and 'href="/alerts"' in browser.last
    await browser.get("/today")  # a nurse's screen
    assert browser.status == 403 and "not part of your work" in browser.last
    await browser.get("/alerts", lang="ru")
    assert '<html lang="ru">' in browser.last and "Выйти" in browser.last
    await browser.get("/alerts")  # remembered
    assert '<html lang="ru">' in browser.last
    await browser.get("/alerts", lang="en")
    await browser.get("/alerts")
    await browser.post("/logout", {})
    assert browser.final_url.endswith("/login")
    await browser.get("/overview")
    assert browser.final_url.endswith("/login")


async def test_a_head_in_telegram_has_her_own_menu_and_is_sent_to_the_console_for_the_rest(bot: RunningBot) -> None:
    admin = await national_admin(bot)
    head = await join(bot, 7301, await invite(admin, "head"), lang="en", name="Saule Nurova")
    assert [c["command"] for c in bot.emulator.resolve_commands(7301, "en")] == ["start", "console", "language", "help"]
    await head.send("/help")
    assert "AnaBala for polyclinic heads" in head.last_text
    await head.send("/families")
    assert head.last_text == "Your work in AnaBala is in the console: send /console for a sign-in link."
    for _ in range(5):
        await head.send("/console")
    await head.send("/console")
    assert "several links in the last minutes" in head.last_text


async def test_telegrams_login_widget_signs_staff_in_where_it_is_offered(clean_database_url: str) -> None:
    from bot.domain.console_auth import sign_widget_data

    async with running_bot(clean_database_url, ADMIN_IDS=str(ADMIN_ID), CONSOLE_PORT="0", CONSOLE_TELEGRAM_LOGIN="true") as bot:
        await national_admin(bot)
        assert bot.app.console is not None
        browser = ConsoleBrowser(bot.app.console.base_url)
        try:
            await browser.get("/login")
            assert "telegram-widget.js" in browser.last and "https://telegram.org" in browser.headers["Content-Security-Policy"]
            fields = {"id": str(ADMIN_ID), "first_name": "Admin", "auth_date": str(int(bot.clock.now().timestamp()))}
            await browser.get("/auth/telegram", **{**fields, "hash": sign_widget_data(fields, "654321:not-our-token-at-all")})
            assert browser.final_url.endswith("/login?refused=1")
            signed_fields = {**fields, "hash": sign_widget_data(fields, TOKEN)}
            await browser.get("/auth/telegram", **signed_fields)
            assert browser.final_url.endswith("/alerts")
            replay = ConsoleBrowser(browser.base_url)
            await replay.get("/auth/telegram", **signed_fields)  # the same signed address again
            assert replay.final_url.endswith("/login?refused=1")
            await replay.get("/auth/telegram", **{**fields, "hash": "ü" * 64})
            assert replay.final_url.endswith("/login?refused=1")
            await replay.close()
            stranger = {**fields, "id": "5555"}
            other = ConsoleBrowser(browser.base_url)
            await other.get("/auth/telegram", **{**stranger, "hash": sign_widget_data(stranger, TOKEN)})
            assert other.final_url.endswith("/login?refused=1")  # signed by Telegram, but not staff
            await other.close()
        finally:
            await browser.close()

"""The sandbox page in a real headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is downloaded): a new mother registers by clicking through, reports a danger sign, the
nurse sees the alert and takes it, and a week later a reminder arrives. Screenshots of each step
go to artifacts/sandbox/ (CI keeps them as artefacts)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from bot.content.guidance import pregnancy_guidance
from tests.sandbox.browser import CHROMIUM, CHROMIUM_ARGS, MISSING, SKIP_WITHOUT_A_BROWSER, TIMEOUT, column, say, tap
from tests.sandbox.conftest import RunningSandbox
from tests.story import option, title

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "sandbox"

if MISSING is None:
    from playwright.async_api import Page, async_playwright, expect
elif SKIP_WITHOUT_A_BROWSER:
    pytestmark = pytest.mark.skip(reason=f"browser test skipped: {MISSING}")

NAME = "Aliya"
WEEK = 30


class Steps:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.n = 0

    async def shot(self, name: str) -> None:
        self.n += 1
        await self.page.screenshot(path=str(ARTIFACTS / f"{self.n:02d}-{name}.png"), full_page=True)


@pytest.mark.slow
@pytest.mark.timeout(120)
async def test_a_mother_registers_reports_a_danger_sign_and_her_nurse_takes_it(sandbox: RunningSandbox) -> None:
    if MISSING is not None:
        pytest.fail(f"CI must run the browser test, but {MISSING}")
    began = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    t = sandbox.t
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1600, "height": 1000}, locale="en-GB")
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            await page.goto(sandbox.url + "/?lang=en")
            steps = Steps(page)

            # The demo people are there, and three chats are open side by side.
            people = page.locator("#people-list")
            for label in ("National admin", "Patronage nurse", "Pregnant, week 27", "Mother of a 2-month-old"):
                await expect(people).to_contain_text(label, timeout=TIMEOUT)
            nurse = column(page, "Gulnara Serikova")
            await expect(nurse).to_be_visible()
            await steps.shot("demo-people")

            # A new person: the dialog, then START, as in Telegram.
            await page.get_by_role("button", name="➕ New person").click()
            await page.get_by_label("First name in Telegram").fill(NAME)
            await page.get_by_label("Telegram app language").select_option("en")
            await page.get_by_role("button", name="Create", exact=True).click()
            mother = column(page, NAME)
            await tap(mother, "START")
            await tap(mother, "English")
            await tap(mother, t("✅ I agree"))
            await tap(mother, "▫️ " + t("🤰 I am pregnant"))
            await tap(mother, t("Continue ➡️"))
            await say(mother, NAME)
            await tap(mother, t("📱 Share my phone number"))  # the reply keyboard's request_contact
            await expect(mother.locator(".bubble .contact").last).to_contain_text("+7")
            await tap(mother, "Almaty city")
            await tap(mother, "City polyclinic No. 1")
            await tap(mother, t("🔢 I only know the week"))
            await say(mother, str(WEEK))
            await tap(mother, t("✅ Yes, that's right"))
            await steps.shot("summary")
            await tap(mother, t("✅ Confirm"))
            await expect(mother.locator("li.msg.bot").filter(has_text="Thank you! You are registered.")).to_have_count(1, timeout=TIMEOUT)
            await expect(page.locator("#people-list")).to_contain_text(f"Pregnant, week {WEEK}", timeout=TIMEOUT)
            await steps.shot("registered")

            # A danger sign through /check: the bot tells her what to do now (103).
            await say(mother, "/check")
            await tap(mother, title("danger_preg"))
            await tap(mother, "◻️ " + option("danger_preg", "bleed"))
            await tap(mother, t("📨 Send"))
            # ... and exactly who was told: her nurse, by name (Step 6).
            told = t("🔔 We have sent your answers to your nurse, {name}. She will contact you.").format(name="Gulnara Serikova")
            advice = mother.locator("li.msg.bot").filter(has_text=told)
            await expect(advice).to_have_count(1, timeout=TIMEOUT)
            await expect(advice).to_contain_text("103")
            await steps.shot("danger-sign")

            # Her nurse, in the next column, gets the alert at once, and takes it.
            alert = nurse.locator("li.msg.bot").filter(has_text="URGENT").filter(has_text=NAME).last
            await expect(alert).to_be_visible(timeout=TIMEOUT)
            await expect(alert).to_contain_text(option("danger_preg", "bleed"))
            await alert.scroll_into_view_if_needed()
            await steps.shot("nurse-alert")
            await alert.get_by_role("button", name=t("🙋 I'm on it"), exact=True).click()
            await expect(nurse).not_to_have_class(re.compile(r"\bwaiting\b"), timeout=TIMEOUT)
            # The alert itself now says who took it (an edit, as in Telegram).
            taken = nurse.locator("li.msg.bot").filter(has_text=NAME).filter(has_text="Taken by Gulnara Serikova")
            await expect(taken).to_have_count(1, timeout=TIMEOUT)
            await expect(taken.locator(".edited")).to_be_visible()
            # She hears that her nurse has seen her answers: the loop is closed.
            seen = mother.locator("li.msg.bot").filter(has_text="Gulnara Serikova, your nurse, has seen your answers")
            await expect(seen).to_have_count(1, timeout=TIMEOUT)
            await steps.shot("alert-taken")

            # The time machine: a week later her guidance for week 31 (and her reminders) arrive.
            before = await mother.locator("li.msg.bot").count()
            await page.get_by_role("button", name="+1 week").click()
            await expect(page.locator("#status")).to_contain_text("Done", timeout=30_000)
            week_31 = pregnancy_guidance(WEEK + 1)
            assert week_31 is not None
            await expect(mother.locator("li.msg.bot").last).to_be_visible()
            await expect(mother.locator("li.msg.bot").filter(has_text=week_31.text("en")[:40])).to_have_count(1, timeout=TIMEOUT)
            assert await mother.locator("li.msg.bot").count() > before
            await expect(page.locator("#people-list")).to_contain_text(f"Pregnant, week {WEEK + 1}", timeout=TIMEOUT)
            await steps.shot("a-week-later")

            # The keyboard alone: a new person, START, her language, and focus follows the bot's questions.
            await page.get_by_role("button", name="➕ New person").focus()
            await page.keyboard.press("Enter")
            await page.keyboard.type("Kamila")
            await page.keyboard.press("Enter")
            kamila = column(page, "Kamila")
            await expect(kamila.get_by_role("button", name="START")).to_be_focused(timeout=TIMEOUT)
            await page.keyboard.press("Enter")
            await expect(kamila.get_by_role("button", name="Қазақша")).to_be_focused(timeout=TIMEOUT)
            await page.keyboard.press("Enter")
            await expect(kamila.get_by_role("button", name=t("✅ I agree", "kk"))).to_be_focused(timeout=TIMEOUT)

            # A phone-sized screen: one chat at a time, still usable.
            await page.set_viewport_size({"width": 390, "height": 844})
            await page.locator(".person", has_text=NAME).click()
            await expect(mother).to_be_visible()
            await expect(nurse).to_be_hidden()
            await steps.shot("phone")
        except BaseException:
            await page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
            raise
        finally:
            await browser.close()
    assert not errors, errors
    assert sandbox.world.app.context.errors == 0
    assert time.monotonic() - began < 90

"""Driving the sandbox page in Debian's Chromium (Playwright never downloads a browser): finding the
browser, and a person's column, a tap and a message as a person does them. Shared by the sandbox page's
test and the console's (tests/console/test_browser.py)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium") if p and Path(p).exists()), None)
CHROMIUM_ARGS = ["--no-sandbox"]

try:
    import playwright.async_api
except ImportError:  # the [test] extra installs it
    PLAYWRIGHT = False
else:
    PLAYWRIGHT = bool(playwright.async_api)

MISSING = (
    "no Chromium found (apt-get install chromium, or set CHROMIUM=/path/to/chromium)" if CHROMIUM is None
    else "the playwright package is missing (pip install -e '.[test]')" if not PLAYWRIGHT
    else None
)  # fmt: skip
# Skipped on a machine without a browser; CI installs one (.ci/run), and there a missing one fails.
SKIP_WITHOUT_A_BROWSER = MISSING is not None and os.environ.get("CI") != "true"

TIMEOUT = 15_000  # ms, for each expectation


def column(page: Page, name: str) -> Locator:
    return page.locator("section.column").filter(has=page.locator("h2.name", has_text=re.compile(f"^{re.escape(name)}$")))


async def tap(col: Locator, label: str) -> None:
    """Press the newest button with exactly this label in her chat, and wait for the bot's answer."""
    from playwright.async_api import expect

    button = col.get_by_role("button", name=label, exact=True).last
    await button.click()
    await expect(col).not_to_have_class(re.compile(r"\bwaiting\b"), timeout=TIMEOUT)


async def say(col: Locator, text: str) -> None:
    from playwright.async_api import expect

    box = col.locator("input.composer-input")
    await box.fill(text)
    await box.press("Enter")  # the keyboard, as a person would
    await expect(col.locator("li.msg.me").last).to_contain_text(text, timeout=TIMEOUT)
    await expect(col).not_to_have_class(re.compile(r"\bwaiting\b"), timeout=TIMEOUT)

"""The overview page: a national admin sees the whole country by region, a polyclinic head only her
polyclinic, a nurse is refused; the numbers are those of the known world of tests/service/test_overview.py."""

from __future__ import annotations

import re
from html import unescape

import pytest

from bot.clock import ManualClock
from tests.console_client import ConsoleBrowser, console_link
from tests.e2e.harness import RunningBot
from tests.service.test_overview import NOW, populate
from tests.story import invite, join, national_admin


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)  # the hand-built data set's moment


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"><div class="figure">([^<]*)</div>', page)
    assert found, f"no figure {name}"
    return unescape(found.group(1)).replace("\u202f", " ")


def cells(page: str, row_attribute: str) -> list[str]:
    """The texts of the cells of the row marked with this attribute (e.g. data-band="urgent")."""
    found = re.search(rf"<tr {row_attribute}>(.*?)</tr>", page, re.S)
    assert found, f"no row {row_attribute}"
    parts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", part)).split()) for part in parts]


def table_rows(page: str, table_class: str) -> list[list[str]]:
    found = re.search(rf'<table class="{table_class}">(.*?)</table>', page, re.S)
    assert found, f"no table {table_class}"
    body = re.search(r"<tbody>(.*?)</tbody>", found.group(1), re.S)
    assert body
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


async def test_a_national_admin_sees_the_country_by_region(bot: RunningBot, browser: ConsoleBrowser) -> None:
    admin = await national_admin(bot)
    await populate(bot.app.context.database)
    await admin.send("/console")
    assert await browser.sign_in(console_link(admin.last_text)) == 200
    page = await browser.get("/overview")
    assert browser.status == 200

    assert "All regions" in page and "Figures as of" in page
    assert (figure(page, "registered"), figure(page, "active"), figure(page, "paused"), figure(page, "unreachable")) == ("7", "5", "1", "1")
    assert figure(page, "without_nurse") == "4"
    places = table_rows(page, "places")
    assert [row[0] for row in places] == ["Almaty city", "Astana city"]
    assert places[0][1:] == ["5", "3", "1", "1", "3", "1", "1", "3"]
    assert table_rows(page, "stages") == [
        ["Pregnant, Trimester 1", "1"], ["Pregnant, Trimester 2", "1"], ["Pregnant, Trimester 3", "1"], ["Planning a pregnancy", "1"],
        ["Children, 0–1 years", "1"], ["Children, 1–2 years", "0"], ["Children, 2–3 years", "0"], ["Children, 3–5 years", "1"],
    ]
    assert cells(page, 'data-band="urgent"') == ["urgent", "3", "4", "3", "10 min", "20 min", "50% (limit 15 min)"]
    assert cells(page, 'data-band="high"') == ["high", "1", "2", "2", "4 h 30 min", "5 h 00 min", "50% (limit 4 h 00 min)"]
    assert table_rows(page, "tiers") == [["her nurse", "3"], ["the polyclinic's nurses", "1"], ["the region's admins", "1"], ["national admins", "1"]]
    assert cells(page, 'data-questionnaire="phq2"')[1:] == ["4", "2", "50%", "1", "50%"]
    assert (figure(page, "reminders_delivered"), figure(page, "reminders_done"), figure(page, "coverage")) == ("3", "2", "33%")
    assert "5 of 15 visits due" in page and "7 home visits were recorded" in page

    # Charts: images with a name, drawn without script or inline style; the table says the same.
    assert page.count('role="img"') == 3 and '<title id="trend-alerts-title">Alerts per week</title>' in page
    assert "<script" not in page and 'style="' not in page and " on" + "click=" not in page
    trend = table_rows(page, "trend-table")
    assert len(trend) == 26 and trend[-1] == ["23.11", "1", "1", "0"] and trend[-2] == ["16.11", "1", "3", "4"]


async def test_a_head_sees_her_polyclinic_and_a_nurse_is_refused(bot: RunningBot, browser: ConsoleBrowser) -> None:
    admin = await national_admin(bot)
    head = await join(bot, 7301, await invite(admin, "head"), lang="en", name="Saule Nurova")
    nurse = await join(bot, 7401, await invite(admin, "nurse"), lang="en", name="Aliya Nurse")
    await populate(bot.app.context.database)

    await head.send("/console")
    assert await browser.sign_in(console_link(head.last_text)) == 200
    page = await browser.get("/overview")
    assert browser.status == 200
    assert figure(page, "registered") == "3" and figure(page, "without_nurse") == "1"
    places = table_rows(page, "places")
    assert [row[0] for row in places] == ["City polyclinic No. 1"]
    assert "Astana" not in page and "City polyclinic No. 1" in page
    assert cells(page, 'data-band="urgent"')[1:4] == ["2", "3", "3"]
    assert (figure(page, "reminders_delivered"), figure(page, "coverage")) == ("2", "67%")
    assert 'aria-current="page"' in page and 'href="/overview"' in page

    other = ConsoleBrowser(browser.base_url)
    try:
        await nurse.send("/console")
        await other.sign_in(console_link(nurse.last_text))  # lands on her day (another screen)
        await other.get("/overview")
        assert other.status == 403
        assert 'href="/overview"' not in await other.get("/alerts") and other.status == 200
    finally:
        await other.close()

"""Staff as tests see them: the national admin, invitations, nurses who joined, mothers at a polyclinic."""

from __future__ import annotations

import re

from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.e2e.test_registration import LANGUAGE_BUTTONS, clinic_name, open_chat, region_name

ADMIN_ID = 9_000_001  # the ADMIN_IDS of the `staffed_bot` fixture
_LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)")


def staff_person(bot: RunningBot, user_id: int, lang: str, first_name: str = "Gulnara", last_name: str | None = None) -> Person:
    return Person(bot, bot.emulator.user(user_id=user_id, first_name=first_name, last_name=last_name, language_code=lang), lang)


async def national_admin(bot: RunningBot, lang: str = "en") -> Person:
    """The configured national admin, at her menu, in `lang` (chosen with /language: her row
    starts in DEFAULT_LANGUAGE, kk)."""
    admin = staff_person(bot, ADMIN_ID, lang, first_name="Dana")
    await admin.send("/start")
    if lang != bot.app.settings.default_language:
        await admin.send("/language")
        await admin.click_exact(LANGUAGE_BUTTONS[lang])
    return admin


def link_payload(text: str) -> str:
    """The /start payload of the t.me link in a message."""
    found = _LINK.search(text)
    assert found, f"no t.me link in {text!r}"
    return found.group(1)


async def invite(admin: Person, role: str = "nurse", region: str = "almaty_city", polyclinic: str | None = "almaty_pc1") -> str:
    """Admin's /invite, through the buttons; returns the link's payload (inv_...)."""
    await admin.send("/invite")
    await admin.click({"nurse": "🧑‍⚕️ A nurse", "admin": "🗺 A regional admin", "link": "🔗 A polyclinic's registration link for families"}[role])
    await admin.click_exact(region_name(admin, region))
    if role != "admin":
        assert polyclinic is not None
        await admin.click_exact(clinic_name(admin, polyclinic))
    message = admin.user.last_message
    return link_payload((message.html or message.text or "") if message else "")


async def join(bot: RunningBot, user_id: int, payload: str, lang: str = "ru", name: str = "Gulnara Serikova") -> Person:
    """She opens the invitation link, types her name and shares her contact."""
    person = staff_person(bot, user_id, lang)
    await person.send(f"/start {payload}")
    await person.send(name)
    await person.press("📱 Share my phone number")
    return person


async def nurse_at(bot: RunningBot, admin: Person, user_id: int, polyclinic: str = "almaty_pc1", region: str = "almaty_city",
                   lang: str = "ru", name: str = "Gulnara Serikova") -> Person:
    return await join(bot, user_id, await invite(admin, "nurse", region, polyclinic), lang, name)


async def mother_at(bot: RunningBot, user_id: int, lang: str = "kk", region: str = "almaty_city", polyclinic: str = "almaty_pc1",
                    name: str = "Aigerim") -> Person:
    """A planning woman registered at a polyclinic (the shortest registration)."""
    mother = await open_chat(bot, user_id, lang)
    await mother.click("✅ I agree")
    await mother.click("🌱 I am planning a pregnancy")
    await mother.click("Continue ➡️")
    await mother.send(name)
    await mother.press("📱 Share my phone number")
    await mother.click_exact(region_name(mother, region))
    await mother.click_exact(clinic_name(mother, polyclinic))
    await mother.click("✅ Confirm")
    return mother

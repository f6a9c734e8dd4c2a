"""The demo people, made by talking to the real bot through simulated users, so their data is
exactly what the bot itself writes: a national admin, a nurse at polyclinic almaty_pc1 and the head of
that polyclinic (who opens the console with /console), both joined through the admin's /invite links,
a pregnant woman at week 27 (Kazakh) and the mother of a 2-month-old (Russian). If the bot's
dialogue changes, seeding fails loudly instead of inventing data.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import TYPE_CHECKING

from bot.content import polyclinic, region

if TYPE_CHECKING:
    from sandbox.world import World

REGION, POLYCLINIC = "almaty_city", "almaty_pc1"
LANGUAGE_BUTTONS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
_LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)")

# id, Telegram first name, app language, demo role, the name she gives the bot
ADMIN = (700_000_001, "Dana Bekova", "en", "admin", "Dana Bekova")
NURSE = (700_000_002, "Gulnara", "en", "nurse", "Gulnara Serikova")
PREGNANT = (700_000_003, "Айгерім", "kk", "pregnant", "Айгерім")
MOTHER = (700_000_004, "Мадина", "ru", "mother", "Мадина")
HEAD = (700_000_005, "Saule", "en", "head", "Saule Nurova")
PREGNANT_WEEK = 27
CHILD_NAME, CHILD_MONTHS, CHILD_SEX = "Алихан", 2, "👦 Boy"
CHILD_WEEKS, CHILD_GRAMS = 39, 3350  # born at term: nothing for the nurse to be told at once


class SeedError(RuntimeError):
    pass


class Actor:
    """A demo person acting through the bot, in her language, one settled step at a time."""

    def __init__(self, world: World, spec: tuple[int, str, str, str, str]) -> None:
        from sandbox.world import Person

        user_id, first_name, lang, demo, _ = spec
        self.world = world
        self.lang = lang
        self.person = Person(user_id, first_name, lang, demo)
        world.people[user_id] = self.person
        self.user = world.emulator.user(user_id, first_name=first_name, language_code=lang)

    def t(self, msgid: str) -> str:
        return self.world.app.context.i18n.gettext(msgid, locale=self.lang)

    async def send(self, text: str) -> None:
        await self.world._act(self.person.id, lambda user: user.send(text))

    async def click(self, msgid: str) -> None:
        await self.click_exact(self.t(msgid))

    async def click_exact(self, label: str) -> None:
        await self.world._act(self.person.id, lambda user: user.click(label))

    async def press(self, msgid: str) -> None:
        label = self.t(msgid)
        await self.world._act(self.person.id, lambda user: user.press(label))

    def last_text(self) -> str:
        last = self.user.last_message
        return (last.html or last.text or "") if last else ""


def _region(lang: str) -> str:
    found = region(REGION)
    if found is None:
        raise SeedError(f"region {REGION} is not in bot/content")
    return found.name(lang)


def _clinic(lang: str) -> str:
    found = polyclinic(POLYCLINIC)
    if found is None:
        raise SeedError(f"polyclinic {POLYCLINIC} is not in bot/content")
    return found.name(lang)


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


async def seed_demo(world: World) -> None:
    from sandbox.world import SandboxError

    try:
        await _seed(world)
    except (AssertionError, SandboxError) as exc:  # a button or a keyboard the script expected is not there
        raise SeedError("seeding the demo people failed: the bot's dialogue is not what sandbox/seed.py expects") from exc


async def _seed(world: World) -> None:
    default = world.app.settings.default_language

    # The national admin (ADMIN_IDS), in English.
    admin = Actor(world, ADMIN)
    await admin.send("/start")
    if admin.lang != default:
        await admin.send("/language")
        await admin.click_exact(LANGUAGE_BUTTONS[admin.lang])

    # She invites the nurse of almaty_pc1 and its head; each opens her link, gives her name and phone.
    await _invited(admin, "🧑‍⚕️ A nurse", Actor(world, NURSE), NURSE[4])
    await _invited(admin, "🏥 A polyclinic head", Actor(world, HEAD), HEAD[4])

    # A pregnant woman at week 27, in Kazakh.
    pregnant = Actor(world, PREGNANT)
    await _register_until_place(pregnant, "🤰 I am pregnant", PREGNANT[4])
    await pregnant.click("🔢 I only know the week")
    await pregnant.send(str(PREGNANT_WEEK))
    await pregnant.click("✅ Yes, that's right")
    await pregnant.click("✅ Confirm")

    # The mother of a 2-month-old boy, in Russian.
    mother = Actor(world, MOTHER)
    await _register_until_place(mother, "👶 I have a child under five", MOTHER[4])
    await mother.send(CHILD_NAME)
    born = months_before(world.app.context.today(), CHILD_MONTHS)
    await mother.send(born.strftime("%d.%m.%Y"))
    await mother.click(CHILD_SEX)
    await mother.send(str(CHILD_WEEKS))  # a baby under one: weeks at birth and birth weight
    await mother.send(str(CHILD_GRAMS))
    await mother.click("No, that's all")
    await mother.click("✅ Confirm")


async def _invited(admin: Actor, role: str, member: Actor, name: str) -> None:
    """The admin's /invite for almaty_pc1; she opens the link, gives her name and shares her phone."""
    await admin.send("/invite")
    await admin.click(role)
    await admin.click_exact(_region(admin.lang))
    await admin.click_exact(_clinic(admin.lang))
    found = _LINK.search(admin.last_text())
    if found is None:
        raise SeedError("the admin's /invite gave no link")
    await member.send(f"/start {found.group(1)}")
    await member.send(name)
    await member.press("📱 Share my phone number")


async def _register_until_place(person: Actor, role: str, name: str) -> None:
    await person.send("/start")
    await person.click_exact(LANGUAGE_BUTTONS[person.lang])
    await person.click("✅ I agree")
    await person.click(role)
    await person.click("Continue ➡️")
    await person.send(name)
    await person.press("📱 Share my phone number")
    await person.click_exact(_region(person.lang))
    await person.click_exact(_clinic(person.lang))

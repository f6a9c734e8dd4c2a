"""Story steps: how the people of a test get to where it begins, each step what a person does in Telegram.

How does a mother register in a test? Here, in "A mother registers": `registered_at_week` (pregnant,
knowing her week), `registered_planning` (planning a pregnancy), or step by step `open_chat`
(/start and her language) then `register_until_place` (consent, who she is, name, phone, region,
polyclinic) and the questions that follow.

- The places and people: `ALMATY`, `region_name`, `clinic_name`, the staff names `NURSE`, `COLLEAGUE`,
  `REGION_ADMIN`, the configured national admin `ADMIN_ID`.
- Staff: `national_admin`, `invite` → `join` (or `nurse_at`, both at once), `staffed_polyclinic`,
  `mother_with_a_nurse`.
- A mother's life: `record_birth`, `report_danger_sign`, `answer_phq9`, `an_alert_in_a_staffed_polyclinic`;
  a questionnaire's `title` and `option` as she reads them.
- A nurse's day: `open_card`, `set_appointment`.
- What people read: `messages_with`, `alerts_seen`; what the audit log wrote down: `audit_actions`.
- Families registered long ago (rows written straight into the database, for thousands):
  `FamilySpec`, `register_families`.

A person's verbs (send, click, share_contact, one_message, assert_answered) are in
tests/e2e/people.py; the running bot and its clock in tests/e2e/harness.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.content import polyclinic as polyclinic_named
from bot.content import region as region_named
from bot.content.questionnaires import questionnaire
from bot.domain.audience import Recipient
from bot.domain.dates import format_date
from bot.keyboards.nurse import FamilyCb
from db import staff as staff_db
from db.engine import Database
from db.schema import children, pregnancies, users
from emulator.users import ChatMessage
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person

# --- places and people ---------------------------------------------------------------------------

ALMATY = ZoneInfo("Asia/Almaty")
ADMIN_ID = 9_000_001  # the ADMIN_IDS of the `staffed_bot` fixture
NURSE, COLLEAGUE, REGION_ADMIN = "Gulnara Serikova", "Aliya Nurlanova", "Saule Akhmetova"
LANGUAGE_BUTTONS = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
REGISTERED = (
    "Thank you! You are registered.\n\n"
    "/profile — see or change your details\n"
    "/help — everything I can do\n\n"
    "If you ever feel that something is seriously wrong with you or your baby, "
    "call 103 (ambulance) or 112 at once."
)
_LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]+)")


def region_name(person: Person, code: str) -> str:
    found = region_named(code)
    assert found is not None
    return found.name(person.lang)


def clinic_name(person: Person, code: str) -> str:
    found = polyclinic_named(code)
    assert found is not None
    return found.name(person.lang)


# --- a mother registers ----------------------------------------------------------------------------

async def open_chat(bot: RunningBot, user_id: int, lang: str, first_name: str = "Aigerim") -> Person:
    """She opens the bot (/start) and picks her language; the consent question is shown."""
    person = Person(bot, bot.emulator.user(user_id=user_id, first_name=first_name, language_code=lang), lang)
    await person.send("/start")
    await person.click(LANGUAGE_BUTTONS[lang])
    return person


async def register_until_place(person: Person, *roles: str, name: str = "Aigerim", region: str = "almaty_city",
                               polyclinic: str = "almaty_pc1") -> None:
    """She agrees, says who she is (`roles`: the buttons she ticks), her name and number, her region and
    polyclinic; the next question is her pregnancy dates, her child, or the summary."""
    await person.click("✅ I agree")
    for role in roles:
        await person.click(role)
    await person.click("Continue ➡️")
    await person.send(name)
    await person.share_contact()
    await person.click(region_name(person, region))
    await person.click(clinic_name(person, polyclinic))


async def registered_at_week(bot: RunningBot, user_id: int, lang: str, week: int, *, name: str = "Aigerim",
                             region: str = "almaty_city", polyclinic: str = "almaty_pc1") -> Person:
    """A pregnant woman, registered by telling only her week."""
    mother = await open_chat(bot, user_id, lang)
    await register_until_place(mother, "🤰 I am pregnant", name=name, region=region, polyclinic=polyclinic)
    await mother.click("🔢 I only know the week")
    await mother.send(str(week))
    await mother.click("✅ Yes, that's right")
    await mother.click("✅ Confirm")
    return mother


async def registered_planning(bot: RunningBot, user_id: int, lang: str = "kk", *, region: str = "almaty_city",
                              polyclinic: str = "almaty_pc1", name: str = "Aigerim") -> Person:
    """A woman planning a pregnancy, registered at a polyclinic (the shortest registration)."""
    mother = await open_chat(bot, user_id, lang)
    await register_until_place(mother, "🌱 I am planning a pregnancy", name=name, region=region, polyclinic=polyclinic)
    await mother.click("✅ Confirm")
    return mother


# --- staff -------------------------------------------------------------------------------------------

def staff_person(bot: RunningBot, user_id: int, lang: str, first_name: str = "Gulnara", last_name: str | None = None) -> Person:
    return Person(bot, bot.emulator.user(user_id=user_id, first_name=first_name, last_name=last_name, language_code=lang), lang)


async def national_admin(bot: RunningBot, lang: str = "en") -> Person:
    """The configured national admin, at her menu, in `lang` (chosen with /language: her row
    starts in DEFAULT_LANGUAGE, kk)."""
    admin = staff_person(bot, ADMIN_ID, lang, first_name="Dana")
    await admin.send("/start")
    if lang != bot.app.settings.default_language:
        await admin.send("/language")
        await admin.click(LANGUAGE_BUTTONS[lang])
    return admin


def link_payload(text: str) -> str:
    """The /start payload of the t.me link in a message."""
    found = _LINK.search(text)
    assert found, f"no t.me link in {text!r}"
    return found.group(1)


async def invite(admin: Person, role: str = "nurse", region: str = "almaty_city", polyclinic: str | None = "almaty_pc1") -> str:
    """Admin's /invite, through the buttons; returns the link's payload (inv_...)."""
    await admin.send("/invite")
    await admin.click({"nurse": "🧑‍⚕️ A nurse", "head": "🏥 A polyclinic head", "admin": "🗺 A regional admin",
                       "link": "🔗 A polyclinic's registration link for families"}[role])
    await admin.click(region_name(admin, region))
    if role != "admin":
        assert polyclinic is not None
        await admin.click(clinic_name(admin, polyclinic))
    message = admin.user.last_message
    return link_payload((message.html or message.text or "") if message else "")


async def join(bot: RunningBot, user_id: int, payload: str, lang: str = "ru", name: str = "Gulnara Serikova") -> Person:
    """She opens the invitation link, types her name and shares her contact."""
    person = staff_person(bot, user_id, lang)
    await person.send(f"/start {payload}")
    await person.send(name)
    await person.share_contact()
    return person


async def nurse_at(bot: RunningBot, admin: Person, user_id: int, polyclinic: str = "almaty_pc1", region: str = "almaty_city",
                   lang: str = "ru", name: str = "Gulnara Serikova") -> Person:
    return await join(bot, user_id, await invite(admin, "nurse", region, polyclinic), lang, name)


async def staffed_polyclinic(bot: RunningBot) -> tuple[Person, Person, Person, Person]:
    """City polyclinic No. 1 with two nurses (NURSE, then COLLEAGUE) and Almaty's regional admin."""
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7101, lang="en", name=NURSE)
    colleague = await nurse_at(bot, admin, 7102, lang="en", name=COLLEAGUE)
    regional = await join(bot, 7103, await invite(admin, "admin", "almaty_city", None), "en", REGION_ADMIN)
    return admin, nurse, colleague, regional


async def mother_with_a_nurse(bot: RunningBot, nurse_id: int, mother_id: int, week: int) -> tuple[Person, Person]:
    """A nurse at City polyclinic No. 1 (invited by the national admin) and a mother there at `week`."""
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, nurse_id, lang="en", name=NURSE)
    mother = await registered_at_week(bot, mother_id, "en", week)
    await bot.tick()
    return nurse, mother


# --- a mother's life -------------------------------------------------------------------------------

def title(qid: str, lang: str = "en") -> str:
    """A questionnaire's title, as its button says."""
    q = questionnaire(qid)
    assert q is not None
    return q.title(lang)


def option(qid: str, option_id: str, lang: str = "en", question: int = 0) -> str:
    """An answer's label, as its button says."""
    q = questionnaire(qid)
    assert q is not None
    found = q.questions[question].option(option_id)
    assert found is not None
    return found.label(lang)


async def record_birth(mother: Person, bot: RunningBot, days_ago: int, weeks: str, grams: str, name: str = "Alikhan") -> date:
    """"My baby is born" from /profile: a boy born `days_ago`, with the weeks and weight she is asked."""
    await mother.send("/profile")
    await mother.click("👶 My baby is born")
    await mother.send(name)
    birth = bot.clock.now().astimezone(ALMATY).date() - timedelta(days=days_ago)
    await mother.send(birth.strftime("%d.%m.%Y"))
    await mother.click("👦 Boy")
    await mother.send(weeks)
    await mother.send(grams)
    return birth


async def report_danger_sign(mother: Person, qid: str, *signs: str, lang: str = "en") -> None:
    """/check, the questionnaire `qid`, the signs ticked, «📨 Send»."""
    await mother.send("/check")
    await mother.click(title(qid, lang))
    for sign in signs:
        await mother.click("◻️ " + option(qid, sign, lang))
    await mother.click("📨 Send")


async def answer_phq9(mother: Person, scores: list[str], baby: str = "0") -> None:
    """PHQ-2 with its safety items (items 1, 2 and 9 of `scores`, then `baby` for harming the baby), then,
    if it steps on, the rest of PHQ-9 (items 3–8)."""
    await mother.send("/check")
    await mother.click(title("phq2"))
    for number in (0, 1, 8):
        await mother.click(option("phq9", scores[number], question=number))
    if scores[8] != "0":
        return  # a self-harm answer ends the check there: help now, no more questions
    await mother.click(option("phq9", baby, question=9))
    if int(scores[0]) + int(scores[1]) >= 3 and scores[8] == "0" and baby == "0":
        for number in range(2, 8):
            await mother.click(option("phq9", scores[number], question=number))


async def an_alert_in_a_staffed_polyclinic(bot: RunningBot, mother_id: int, sign: str) -> tuple[Person, Person, Person, Person]:
    """Her nurse, a colleague and the region's admin; a mother at week 30 reports `sign`; the alert is sent."""
    _admin, nurse, colleague, regional = await staffed_polyclinic(bot)
    mother = await registered_at_week(bot, mother_id, "en", 30)
    await bot.tick()
    await report_danger_sign(mother, "danger_preg", sign)
    await bot.tick()
    return nurse, colleague, regional, mother


# --- a nurse's day -----------------------------------------------------------------------------------

def family_cb(action: str, family_id: int) -> str:
    return FamilyCb(action=action, family_id=family_id).pack()


async def open_card(nurse: Person, family_id: int) -> str:
    """Her card as the nurse sees it (through a button of hers, as from the list)."""
    await nurse.forge_click(family_cb("open", family_id))
    return nurse.last_text


async def set_appointment(nurse: Person, family_id: int, kind: str, on: date, at: str | None = None, place: str | None = None,
                          what: str | None = None) -> None:
    """The nurse sets an appointment from the family card, as she would."""
    await open_card(nurse, family_id)
    await nurse.click("📅 Set an appointment")
    await nurse.click(kind)
    if what is not None:
        await nurse.send(what)
    await nurse.send(format_date(on))
    await (nurse.send(at) if at else nurse.click("No set time"))
    await (nurse.send(place) if place else nurse.click("Skip"))


# --- what people read --------------------------------------------------------------------------------

def messages_with(person: Person, fragment: str) -> list[ChatMessage]:
    return [m for m in person.user.messages if fragment in (m.html or m.text or "")]


def alerts_seen(person: Person, name: str = "Aigerim") -> list[Any]:
    return [m for m in person.user.messages if "URGENT" in (m.html or m.text or "") and name in (m.html or m.text or "")]


async def audit_actions(bot: RunningBot, actor_id: int) -> list[str]:
    """What the audit log wrote down that this person did (staff actions, refusals), oldest first."""
    async with bot.app.context.database.reading() as conn:
        return [e["action"] for e in await staff_db.audit_entries(conn, limit=500) if e["actor_id"] == actor_id]


# --- families registered long ago --------------------------------------------------------------------

@dataclass(frozen=True)
class FamilySpec:
    id: int
    lang: str = "kk"
    region: str = "almaty_city"
    polyclinic: str | None = "almaty_pc1"
    planning: bool = False
    due: date | None = None
    births: tuple[date, ...] = ()
    lost: date | None = None  # a pregnancy that ended (lost): not an active one
    paused: bool = False
    unreachable: bool = False

    def recipient(self) -> Recipient:
        return Recipient(self.lang, self.region, self.polyclinic, self.planning, self.due, self.births)


async def register_families(database: Database, specs: Sequence[FamilySpec], now: datetime) -> None:
    """Rows straight into the tables (a broadcast's test needs thousands; registering each through
    the bot would take minutes): users, their pregnancies and children."""
    people = [
        {
            "id": s.id, "language": s.lang, "name": "Mother", "phone": f"+7701{s.id % 10_000_000:07d}", "region": s.region,
            "polyclinic": s.polyclinic, "polyclinic_unlisted": s.polyclinic is None, "planning": s.planning, "consent_at": now,
            "paused": s.paused, "unreachable_at": now if s.unreachable else None, "created_at": now, "updated_at": now,
        }
        for s in specs
    ]
    expecting = [
        {"user_id": s.id, "due_date": s.due, "dating_method": "due_date", "status": "active", "created_at": now, "updated_at": now}
        for s in specs if s.due is not None
    ] + [
        {"user_id": s.id, "due_date": s.lost, "dating_method": "due_date", "status": "lost", "ended_on": now.date(),
         "created_at": now, "updated_at": now}
        for s in specs if s.lost is not None
    ]
    kids = [
        {"user_id": s.id, "name": "Child", "birth_date": birth, "sex": "girl", "created_at": now}
        for s in specs for birth in s.births
    ]
    for start in range(0, len(people), 5000):
        async with database.transaction() as conn:
            await conn.execute(insert(users), people[start : start + 5000])
    async with database.transaction() as conn:
        for rows, table in ((expecting, pregnancies), (kids, children)):
            for start in range(0, len(rows), 5000):
                await conn.execute(insert(table), rows[start : start + 5000])

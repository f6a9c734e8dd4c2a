"""Step 3's whole journey in one conversation, as the issue names it: an admin invites a nurse, the
nurse joins, a mother registers at that polyclinic and is assigned, the nurse sets an appointment,
the mother confirms, asks a question, and the nurse answers. Every step is what a person sees."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.dates import format_date
from tests.e2e.harness import RunningBot
from tests.e2e.people import Person
from tests.story import ALMATY, invite, messages_with, national_admin, registered_at_week, set_appointment, staff_person


def only_message_with(person: Person, msgid: str, **params: object) -> object:
    found = messages_with(person, person.t(msgid, **params))
    assert len(found) == 1, f"{len(found)} messages with {msgid!r}"
    return found[0]


async def test_invite_join_assign_appointment_confirm_question_answer(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    # The admin invites a nurse for polyclinic No. 1; the nurse opens the link and joins.
    admin = await national_admin(bot, "ru")
    payload = await invite(admin, "nurse", "almaty_city", "almaty_pc1")
    nurse = staff_person(bot, 7501, "kk", first_name="Gulnara", last_name="Serikova")
    await nurse.send(f"/start {payload}")
    await nurse.click("✅ {name}", name="Gulnara Serikova")
    await nurse.share_contact()
    assert [c["command"] for c in bot.emulator.resolve_commands(7501, "kk")][:3] == ["start", "families", "alerts"]

    # A mother registers at that polyclinic and is assigned to her; both are told.
    mother = await registered_at_week(bot, 5501, "ru", 20)
    await bot.tick()
    assert mother.saw("Your patronage nurse: <b>{name}</b>", name="Gulnara Serikova")
    await nurse.send("/families")
    assert "Aigerim" in nurse.last_text

    # The nurse sets an appointment; the mother confirms; the nurse hears it.
    today = bot.clock.now().astimezone(ALMATY).date()
    on = today + timedelta(days=2)
    await set_appointment(nurse, 5501, nurse.t("Ultrasound"), on, "11:00")
    await bot.tick()
    offer = only_message_with(mother, "👩‍⚕️ Your nurse has made an appointment for you")
    await mother.click("✅ I'll come", on=offer)
    await bot.tick()
    # (What it is was written in her language when it was set.)
    assert nurse.saw("✅ <b>{name}</b> will come: {appointment}.", name="Aigerim",
                     appointment=f"{mother.t('Ultrasound')}, {format_date(on)}, 11:00")

    # She asks a question; the nurse answers; the answer comes back in her chat.
    await mother.send("/nurse")
    await mother.click("✍️ Ask a question")
    await mother.send("Can I eat before the ultrasound?")
    await bot.tick()
    (notice,) = messages_with(nurse, "Can I eat before the ultrasound?")
    await nurse.click("✍️ Answer", on=notice)
    await nurse.send("Yes, eat as usual; come ten minutes early.")
    await bot.tick()
    (answer,) = messages_with(mother, "Yes, eat as usual")
    assert mother.t("👩‍⚕️ Your nurse <b>{name}</b> answered:", name="Gulnara Serikova") in (answer.html or "")
    assert bot.app.context.errors == 0

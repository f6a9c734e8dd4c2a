"""Step 7: /delete_me leaves nothing that points to her.

A mother with a profile, a pregnancy and a child, appointments her nurse set, a support plan, a home
visit, a question she wrote, an urgent self-check whose alert her nurse took, outbox history and an
unfinished flow erases herself; then every row of every table is searched for her Telegram id, her
phone, her name, her child's name and a marker she typed: nothing is found. The audit log keeps what
staff did, under a pseudonym."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.services import nurse_appointments, plans, visits
from bot.services.staff import current_actor
from db.schema import audit_log, metadata
from tests.story import (
    ALMATY,
    NURSE,
    alerts_seen,
    invite,
    join,
    national_admin,
    nurse_at,
    open_card,
    open_chat,
    register_until_place,
    registered_at_week,
    report_danger_sign,
)

MOTHER_ID = 987_654_321
NAME, CHILD, MARKER = "Zhanargul", "Batyrkhan", "kumquat-marker-4411"
PHONE_DIGITS = "7017654321"  # +7 701 765 43 21: the simulator's number for this id


async def test_after_delete_me_no_row_anywhere_points_to_her(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    bot = staffed_bot
    admin = await national_admin(bot)
    nurse = await nurse_at(bot, admin, 7601, lang="en", name=NURSE)
    mother = await open_chat(bot, MOTHER_ID, "en", first_name=NAME)
    await register_until_place(mother, "🤰 I am pregnant", "👶 I have a child under five", name=NAME)
    await mother.click("🔢 I only know the week")
    await mother.send("30")
    await mother.click("✅ Yes, that's right")
    await mother.send(CHILD)
    today = bot.clock.now().astimezone(ALMATY).date()
    await mother.send((today - timedelta(days=3 * 365)).strftime("%d.%m.%Y"))
    await mother.click("👦 Boy")
    await mother.click("No, that's all")
    await mother.click("✅ Confirm")
    await bot.tick()

    # What her nurse records about her.
    app = bot.app.context
    actor = await current_actor(app, 7601)
    assert actor is not None
    with app.i18n.context():  # the services, called as the handlers call them
        assert await nurse_appointments.set_appointment(app, actor, MOTHER_ID, "antenatal", None,
                                                        today + timedelta(days=3), "10:00", "Room 12") is not None
        assert await plans.add_goal(app, actor, MOTHER_ID, "Walk daily", "Buy shoes", today + timedelta(days=5))
        assert await visits.record_visit(app, actor, MOTHER_ID, today, ["mother"], ["social"], "Talked") is not None
    await open_card(nurse, MOTHER_ID)

    # What she writes and answers.
    await mother.send(f"Is this normal? {MARKER}")
    await mother.click("✍️ Send this to my nurse", on=mother.user.last_message)
    await report_danger_sign(mother, "danger_preg", "bleed")
    await bot.tick()
    alert_copy = alerts_seen(nurse, NAME)[-1]
    await nurse.click("🙋 I'm on it", on=alert_copy)
    await bot.tick()
    await mother.send("/profile")  # an unfinished flow
    await mother.click("✏️ Name")
    await open_card(nurse, MOTHER_ID)
    await nurse.click("✉️ Write to her")  # her nurse, half-way through writing to her: a flow naming her
    await bot.live_until(bot.clock.now() + timedelta(days=1), step=timedelta(hours=12))  # outbox history
    await nurse.send("/families")
    old_list = nurse.user.last_message  # its buttons carry her family id, as Telegram keeps them

    await mother.send("/delete_me")
    await mother.click("🗑 Yes, erase everything")
    assert "erased all your data" in mother.last_text
    # The bot's own recent messages about her in her nurse's chat are deleted (Telegram allows 48 hours).
    assert alert_copy.deleted
    # A stale button naming her, pressed after she is gone, writes no id of hers anywhere (outside review).
    assert old_list is not None
    await nurse.click(next(label for label in old_list.button_labels() if NAME in label), on=old_list)

    needles = {str(MOTHER_ID), PHONE_DIGITS, NAME, CHILD, MARKER}
    found: list[str] = []
    async with app.database.reading() as conn:
        for table in metadata.sorted_tables:
            for row in (await conn.execute(select(table))).all():
                for column, value in row._mapping.items():
                    text = str(value)
                    found += [f"{table.name}.{column}: {needle}" for needle in needles if needle in text]
        entries = (await conn.execute(select(audit_log).where(audit_log.c.action == "alert_taken"))).all()
    assert found == [], found
    # SQLite keeps deleted rows neither in the database file (secure_delete) nor in its write-ahead log.
    if app.database.is_sqlite:
        path = Path(str(app.database.engine.url.database))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                assert NAME.encode() not in file.read_bytes() and MARKER.encode() not in file.read_bytes(), file
    # The audit log still says a nurse took an alert, about someone it can no longer name.
    assert entries and all(entry.family_id is not None and entry.family_id < 0 for entry in entries)


async def test_a_nurse_who_is_also_a_mother_keeps_her_staff_record_and_its_audit_trail(staffed_bot) -> None:  # type: ignore[no-untyped-def]
    """Outside review: a nurse who erased herself as a mother wiped what she had done as a nurse."""
    bot = staffed_bot
    admin = await national_admin(bot)
    both = await registered_at_week(bot, 7651, "en", 25)  # a mother first
    await registered_at_week(bot, 7652, "en", 22)  # the family she opens as a nurse
    await join(bot, 7651, await invite(admin, "nurse", "almaty_city", "almaty_pc1"), "en", NURSE)  # then a nurse
    nurse = both
    await open_card(nurse, 7652)
    await nurse.send("/delete_me")
    await nurse.click("🗑 Yes, erase everything")
    assert "Your staff account stays" in nurse.last_text, nurse.last_text
    async with bot.app.context.database.reading() as conn:
        opened = (await conn.execute(select(audit_log).where(audit_log.c.action == "family_opened"))).all()
    assert [(row.actor_id, row.family_id) for row in opened] == [(7651, 7652)]

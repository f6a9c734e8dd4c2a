"""Staff end to end: invitations, joining, menus, assignment, deactivation, scope and refusals."""

from __future__ import annotations

from tests.e2e.harness import RunningBot
from tests.e2e.staffing import ADMIN_ID, invite, join, mother_at, national_admin, nurse_at


async def test_smoke(staffed_bot: RunningBot) -> None:
    bot = staffed_bot
    admin = await national_admin(bot)
    print(bot.emulator.chat_log(ADMIN_ID))
    nurse = await nurse_at(bot, admin, 7001)
    print(bot.emulator.chat_log(7001))
    mother = await mother_at(bot, 5001)
    await bot.tick()
    print(bot.emulator.chat_log(5001)[-800:])
    print(bot.emulator.chat_log(7001)[-800:])
    assert bot.app.context.errors == 0

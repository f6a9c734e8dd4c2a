"""Every factory's last handler, pressed with data no button of hers carries (an old version's, a
forged one): she is told kindly, nothing changes, and no update ends in a handler error (the fixture
fails the test if one does). A catch-all is code that only runs when something is already odd, so
each one is pressed here once."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.harness import START
from tests.handlers.feed import FedApp
from tests.story import FamilySpec, register_families

NO_LONGER_ACTIVE = "This button is no longer active."
REGISTER_FIRST = "Please register first: send /start."


@pytest.mark.parametrize(
    "data",
    [
        "pf:show",  # a field short: does not parse
        "pf:no_such_action:0",
        "care:done:x:1:vac_2m",  # a track letter no track has
        "care:done:c:999999:vac_2m",  # a child that is not hers
        "appt:no_such_action:0",
        "chk:no_such_action",
    ],
)
async def test_a_registered_mothers_button_that_no_longer_means_anything(fed: FedApp, data: str) -> None:
    await register_families(fed.app.context.database, [FamilySpec(3001, lang="en", births=(date(2025, 3, 1),))], START)
    mother = fed.person(3001, "en")
    await mother.send("/profile")
    mother.one_message()
    await mother.forge_click(data)
    mother.assert_answered(NO_LONGER_ACTIVE, show_alert=True)


@pytest.mark.parametrize("data", ["pf:language:0", "appt:add:0", "chk:start:0:phq2:"])
async def test_a_button_pressed_before_registering_asks_her_to_register(fed: FedApp, data: str) -> None:
    stranger = fed.person(3002, "en")
    await stranger.send("/start")
    stranger.one_message()
    await stranger.forge_click(data)
    stranger.assert_answered(REGISTER_FIRST, show_alert=True)

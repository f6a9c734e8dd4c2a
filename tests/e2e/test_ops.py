"""What an operator watches (Step 10): /healthz, /readyz and /metrics beside the bot, figures that move
as mothers and staff use it, and "not ready" when the database is behind the code."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
from sqlalchemy import text, update

from db.schema import plan_state
from tests.e2e.harness import running_bot
from tests.story import ADMIN_ID, an_alert_in_a_staffed_polyclinic


def value(metrics: str, name: str) -> float:
    """One sample's value, e.g. 'anabala_open_alerts{band="urgent"}'."""
    found = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", metrics, re.MULTILINE)
    assert found, f"{name} is not in /metrics"
    return float(found.group(1))


async def test_health_readiness_and_metrics_follow_what_happens(clean_database_url: str) -> None:
    async with running_bot(clean_database_url, ADMIN_IDS=str(ADMIN_ID), METRICS_PORT="0") as bot:
        assert bot.app.ops is not None
        base = bot.app.ops.url
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/healthz") as answer:
                assert answer.status == 200
            async with http.get(base + "/readyz") as answer:
                assert answer.status == 200 and (await answer.text()).strip() == "ready"
            async with http.get(base + "/metrics") as answer:
                before = await answer.text()
                assert answer.headers["Content-Type"].startswith("text/plain")
            assert value(before, 'anabala_open_alerts{band="urgent"}') == 0
            assert value(before, "anabala_oldest_untaken_alert_seconds") == 0

            await an_alert_in_a_staffed_polyclinic(bot, 5001, "fits")
            bot.clock.advance(timedelta(minutes=3))
            async with http.get(base + "/metrics") as answer:
                after = await answer.text()
            assert value(after, 'anabala_updates_total{type="message"}') > 10
            assert value(after, 'anabala_updates_total{type="callback_query"}') > 0
            assert value(after, "anabala_update_seconds_count") >= value(after, 'anabala_updates_total{type="message"}')
            assert value(after, 'anabala_open_alerts{band="urgent"}') == 1
            assert value(after, "anabala_oldest_untaken_alert_seconds") >= 180
            assert value(after, 'anabala_sends_total{outcome="sent"}') >= 3  # the alert to her nurse, and more
            assert value(after, "anabala_handler_errors_total") == 0
            assert "Aigerim" not in after and "5001" not in after  # counts only, never a person

            # Days later nobody has taken it: it climbed the tiers; the planner looked at the families again.
            await bot.live_until(bot.clock.now() + timedelta(days=4), step=timedelta(days=1))
            async with bot.app.context.database.transaction() as conn:  # and her plan comes due (a new day's messages)
                await conn.execute(update(plan_state).values(next_plan_at=bot.clock.now()))
            await bot.tick()
            async with http.get(base + "/metrics") as answer:
                later = await answer.text()
            assert value(later, "anabala_alert_escalations_total") >= 1
            assert value(later, "anabala_oldest_untaken_alert_seconds") >= 86_400
            assert value(later, "anabala_planner_families_total") >= 1
            assert value(later, "anabala_planner_families_per_second") > 0

            # The database behind the code (a rolled-back deployment): not ready, still alive.
            async with bot.app.context.database.transaction() as conn:
                head = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
                await conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
            async with http.get(base + "/readyz") as answer:
                assert answer.status == 503 and "migrations are not at head" in await answer.text()
            async with http.get(base + "/healthz") as answer:
                assert answer.status == 200
            async with bot.app.context.database.transaction() as conn:
                await conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})
            async with http.get(base + "/readyz") as answer:
                assert answer.status == 200

"""The console at national size (Step 9): every page's response time with 1,000,000 families on PostgreSQL.

1. Build a database (once; kept, `--rebuild` to force) with server-side INSERT … SELECT over
   generate_series: `--families` families over the 20 regions × 15 polyclinics (10 nurses each), ~45 %
   pregnant, ~50 % with children under 5, ~5 % planning; risk levels, home visits, self-checks, questions,
   sent reminders and marked items, and alerts over six months, with `--open-alerts` of them open now.
2. Sign in a national admin, a regional admin, a polyclinic head and a nurse (sessions written directly),
   serve the console (console.app.ConsoleServer), count the programme's figures once as production does when
   the console starts (timed), then ask each page `--runs` times over HTTP, one request at a time; median and
   99th percentile per page and viewer, and the first answer apart.
3. The live board's cost follows the open alerts, not the families: /alerts/rows for a national admin at
   `--open-alerts` and at 4× as many, and the query's plan (it must read ix_alerts_unresolved).

    .venv/bin/python -m bench.console                   # --families 1000000 (PostgreSQL at 127.0.0.1:5432)
    .venv/bin/python -m bench.console --families 20000  # a quick look

It creates (and leaves, to be reused) the database `anabala_bench_console` on the server; never the tests'.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Date, DateTime, Integer, Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import create_async_engine

RESULTS = Path(__file__).resolve().parent / "results"
SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432"
DATABASE = "anabala_bench_console"
NOW = datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
TOKEN = "123456:BENCH-token-for-console"
POLYCLINICS_PER_REGION = 15
NURSES_PER_POLYCLINIC = 10


def _regions() -> list[str]:
    from bot.content import regions

    return [region.code for region in regions()]


async def _create_database(rebuild: bool) -> bool:
    """True when a new database was made (and needs filling)."""
    engine = create_async_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = (await conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE})).first()
            if exists and not rebuild:
                return False
            if exists:
                await conn.execute(text(f'DROP DATABASE "{DATABASE}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
            return True
    finally:
        await engine.dispose()


FILL = [
    # Staff: 1 national admin (id 1), a regional admin per region, a head and NURSES_PER_POLYCLINIC nurses
    # per polyclinic. Polyclinic p of region r is "<region>_pc<p>"; nurse n of it has id 1000 + (r*P + p)*N + n.
    """
    INSERT INTO staff (id, user_id, role, region, polyclinic, name, phone, language, active, created_at, language_chosen, opened_at)
    SELECT 1, 900000001, 'admin', NULL, NULL, 'National Admin', NULL, 'en', true,
           :now - interval '400 days', true, :now - interval '400 days'
    """,
    """
    INSERT INTO staff (id, user_id, role, region, polyclinic, name, phone, language, active, created_at, language_chosen, opened_at)
    SELECT 10 + r.i, 910000000 + r.i, 'admin', r.code, NULL, 'Regional Admin ' || r.i, NULL, 'ru', true,
           :now - interval '400 days', true, :now - interval '400 days'
    FROM unnest(:regions) WITH ORDINALITY AS r(code, i)
    """,
    """
    INSERT INTO staff (id, user_id, role, region, polyclinic, name, phone, language, active, created_at, language_chosen, opened_at)
    SELECT 500 + (r.i - 1) * :P + p, 920000000 + (r.i - 1) * :P + p, 'head', r.code, r.code || '_pc' || p, 'Head ' || r.i || '-' || p,
           NULL, 'kk', true, :now - interval '400 days', true, :now - interval '400 days'
    FROM unnest(:regions) WITH ORDINALITY AS r(code, i), generate_series(0, :P - 1) AS p
    """,
    """
    INSERT INTO staff (id, user_id, role, region, polyclinic, name, phone, language, active, created_at, language_chosen, opened_at)
    SELECT 1000 + ((r.i - 1) * :P + p) * :N + n, 930000000 + ((r.i - 1) * :P + p) * :N + n, 'nurse', r.code, r.code || '_pc' || p,
           'Nurse ' || r.i || '-' || p || '-' || n, '+7701' || lpad(((r.i - 1) * :P + p) * :N + n || '', 7, '0'), 'ru', true,
           :now - interval '400 days', true, :now - interval '400 days'
    FROM unnest(:regions) WITH ORDINALITY AS r(code, i), generate_series(0, :P - 1) AS p, generate_series(0, :N - 1) AS n
    """,
    "SELECT setval(pg_get_serial_sequence('staff', 'id'), (SELECT max(id) FROM staff))",
    # Families: id 1..F; family g lives in region g % R, polyclinic (g / R) % P, with nurse (g / (R*P)) % N.
    """
    INSERT INTO users (id, language, name, phone, region, polyclinic, polyclinic_unlisted, planning, consent_at, paused,
                       unreachable_at, created_at, updated_at)
    SELECT g, (ARRAY['kk','ru','en'])[1 + g % 3], (ARRAY['Aigerim','Aruzhan','Dana','Zhanar','Madina','Aliya','Saule','Ainur'])[1 + g % 8]
           || ' ' || (ARRAY['Bekova','Nurova','Sadykova','Ivanova','Omarova'])[1 + (g / 8) % 5],
           '+7707' || lpad(g || '', 7, '0'), (:regions)[1 + g % :R], (:regions)[1 + g % :R] || '_pc' || ((g / :R) % :P),
           false, g % 20 = 0, :now - (g % 180) * interval '1 day', g % 50 = 1, CASE WHEN g % 97 = 0 THEN :now END,
           :now - (g % 180) * interval '1 day', :now - (g % 180) * interval '1 day'
    FROM generate_series(1, :F) AS g
    """,
    """
    INSERT INTO assignments (user_id, staff_id, assigned_at, assigned_by)
    SELECT g, 1000 + (((g % :R)) * :P + (g / :R) % :P) * :N + (g / (:R * :P)) % :N, :now - (g % 180) * interval '1 day', NULL
    FROM generate_series(1, :F) AS g WHERE g % 211 <> 0
    """,
    # ~45 % pregnant at weeks 6..40; ~50 % with a child of 0..59 months.
    """
    INSERT INTO pregnancies (user_id, due_date, dating_method, lmp_date, status, ended_on, created_at, updated_at)
    SELECT g, :today + (g % 240), 'due_date', NULL, 'active', NULL, :now - (g % 180) * interval '1 day', :now
    FROM generate_series(1, :F) AS g WHERE g % 20 <> 0 AND g % 20 < 10
    """,
    """
    INSERT INTO children (user_id, name, birth_date, sex, pregnancy_id, created_at, gestation_weeks, birth_weight_g)
    SELECT g, (ARRAY['Aru','Alikhan','Ayaru','Nurali','Amina','Timur'])[1 + g % 6], :today - (g % 1800), (ARRAY['girl','boy'])[1 + g % 2],
           NULL, :now - (g % 180) * interval '1 day', NULL, NULL
    FROM generate_series(1, :F) AS g WHERE g % 20 >= 9
    """,
    """
    INSERT INTO family_care (user_id, risk_level, note, updated_by, updated_at)
    SELECT g, 'progressive', NULL, NULL, :now - (g % 90) * interval '1 day' FROM generate_series(1, :F) AS g WHERE g % 9 = 0
    """,
    """
    INSERT INTO home_visits (user_id, staff_id, visited_on, assessed, risks, note, created_at)
    SELECT g, 1000 + (((g % :R)) * :P + (g / :R) % :P) * :N + (g / (:R * :P)) % :N, :today - (g % 170), '[]', '[]', NULL,
           :now - (g % 170) * interval '1 day'
    FROM generate_series(1, :F) AS g WHERE g % 3 = 0
    """,
    # Self-checks over six months: one per family in four, a tenth of them positive.
    """
    INSERT INTO screenings (user_id, questionnaire, track, ref_id, occurrence, status, answers, started_at, updated_at, completed_at,
                            band, total, label, triggers, self_harm, step_to, shared)
    SELECT g, (ARRAY['phq2','gad2','danger_preg','danger_child'])[1 + (g / 4) % 4], NULL, NULL, NULL,
           CASE WHEN g % 13 = 0 THEN 'abandoned' ELSE 'done' END, '{}',
           :now - (g % 180) * interval '1 day', :now - (g % 180) * interval '1 day',
           CASE WHEN g % 13 = 0 THEN NULL ELSE :now - (g % 180) * interval '1 day' END,
           CASE WHEN (g / 4) % 10 = 0 THEN 'high' WHEN (g / 4) % 100 = 7 THEN 'urgent'
                WHEN (g / 4) % 10 = 3 THEN 'moderate' ELSE 'none' END,
           0, NULL, '[]', false, NULL, NULL
    FROM generate_series(1, :F, 4) AS g
    """,
    # Closed alerts over six months (taken after a few minutes to hours), from the positive checks.
    """
    INSERT INTO alerts (user_id, screening_id, band, created_at, tier, rounds, escalate_at, acknowledged_by, acknowledged_at,
                        outcome, outcome_at)
    SELECT s.user_id, s.id, s.band, s.completed_at, (s.id % 4) / 3, 1, NULL,
           1000 + (((s.user_id % :R)) * :P + (s.user_id / :R) % :P) * :N + (s.user_id / (:R * :P)) % :N,
           s.completed_at + (5 + s.id % 300) * interval '1 minute', 'called', s.completed_at + interval '1 day'
    FROM screenings s WHERE s.band IN ('high', 'urgent') AND s.completed_at IS NOT NULL
    """,
    """
    INSERT INTO family_messages (user_id, direction, staff_id, text, photo_file_id, reply_to, created_at, answered_at, answered_by)
    SELECT g, 'in', NULL, 'A question', NULL, NULL, :now - (g % 60) * interval '1 hour',
           CASE WHEN g % 5 = 0 THEN NULL ELSE :now - (g % 60) * interval '1 hour' + interval '3 hours' END, NULL
    FROM generate_series(1, :F, 10) AS g
    """,
    # Reminders sent in the last 30 days, and items she marked done.
    """
    INSERT INTO outbox (chat_id, priority, kind, message_key, params, due_at, status, attempts, sent_at, unique_key, created_at)
    SELECT g, 2, 'reminder', 'calendar.heads_up', '{}', :now - (g % 30) * interval '1 day', 'sent', 1, :now - (g % 30) * interval '1 day',
           'bench:' || g, :now - (g % 30) * interval '1 day'
    FROM generate_series(1, :F, 2) AS g
    """,
    """
    INSERT INTO care_states (user_id, track, ref_id, item_id, status, snoozed_until, updated_at)
    SELECT g, 'child', 0, 'bench_item', 'done', NULL, :now - (g % 30) * interval '1 day' FROM generate_series(1, :F, 5) AS g
    """,
]


TYPES: dict[str, Any] = {"now": DateTime(timezone=True), "today": Date(), "regions": ARRAY(Text), "k": Integer()}


def typed(statement: str) -> Any:
    """The statement with its parameters' types, so asyncpg is told them (`$1::TIMESTAMP WITH TIME ZONE`)."""
    return text(statement).bindparams(*(bindparam(name, type_=kind) for name, kind in TYPES.items() if f":{name}" in statement))


async def _open_alerts(database_url: str, count: int) -> None:
    """`count` open alerts now (nobody took them, some past the limit), replacing the earlier open ones."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM alerts WHERE outcome IS NULL"))
            await conn.execute(typed("""
                INSERT INTO alerts (user_id, screening_id, band, created_at, tier, rounds, escalate_at, acknowledged_by, acknowledged_at,
                                    outcome, outcome_at)
                SELECT s.user_id, s.id, CASE WHEN s.id % 3 = 0 THEN 'urgent' ELSE 'high' END, :now - (s.id % 600) * interval '1 minute',
                       (s.id % 4), 1, :now + interval '5 minutes', NULL, NULL, NULL, NULL
                FROM (SELECT id, user_id FROM screenings ORDER BY id DESC LIMIT :k) AS s
            """), {"now": NOW, "k": count})
            await conn.execute(text("ANALYZE alerts"))
    finally:
        await engine.dispose()


async def build(families: int, rebuild: bool) -> dict[str, Any]:
    from db.engine import Database
    from db.migrate import upgrade_to_head

    url = f"{SERVER}/{DATABASE}"
    made = await _create_database(rebuild)
    started = time.perf_counter()
    if made:
        database = Database(url)
        await upgrade_to_head(database)
        await database.close()
        engine = create_async_engine(url)
        regions = _regions()
        params = {"now": NOW, "today": NOW.date(), "regions": regions, "R": len(regions), "P": POLYCLINICS_PER_REGION,
                  "N": NURSES_PER_POLYCLINIC, "F": families}
        async with engine.begin() as conn:
            for statement in FILL:
                await conn.execute(typed(statement), {k: v for k, v in params.items() if f":{k}" in statement})
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
        await engine.dispose()
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        counted = {table: int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
                   for table in ("users", "staff", "pregnancies", "children", "screenings", "alerts", "home_visits", "outbox")}
    await engine.dispose()
    return {"built_now": made, "build_seconds": round(time.perf_counter() - started, 1), "rows": counted}


VIEWERS = {  # staff id of each viewer (see FILL)
    "national admin": 1,
    "regional admin": 12,  # the second region
    "polyclinic head": 500 + 1 * POLYCLINICS_PER_REGION + 3,
    "nurse": 1000 + (1 * POLYCLINICS_PER_REGION + 3) * NURSES_PER_POLYCLINIC + 2,
}


async def _sessions(database_url: str) -> dict[str, str]:
    from bot.domain.console_auth import SESSION_LIFETIME, code_hash, new_code

    engine = create_async_engine(database_url)
    codes = {}
    async with engine.begin() as conn:
        for who, staff_id in VIEWERS.items():
            code = new_code()
            await conn.execute(
                text("INSERT INTO console_sessions (code_hash, staff_id, csrf, created_at, expires_at) VALUES (:h, :s, 'x', :now, :end)"),
                {"h": code_hash(code), "s": staff_id, "now": NOW, "end": NOW + SESSION_LIFETIME},
            )
            codes[who] = code
    await engine.dispose()
    return codes


def pages_for(who: str, family_id: int) -> list[str]:
    if who == "nurse":
        return ["/today", "/alerts", "/alerts/rows", "/families", f"/families/{family_id}"]
    return ["/alerts", "/alerts/rows", "/overview", "/nurses", "/nurses?sort=open_alerts&dir=desc", "/families",
            "/families?stage=pregnant&risk=progressive", "/families?q=Aigerim", "/families?q=0705", f"/families/{family_id}"]


async def _time_pages(base: str, codes: dict[str, str], runs: int, family_of: dict[str, int]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for who, code in codes.items():
        async with aiohttp.ClientSession(cookies={"anabala_console": code}) as session:
            for path in pages_for(who, family_of[who]):
                timings, status = [], 0
                for run in range(runs + 1):
                    started = time.perf_counter()
                    async with session.get(base + path, allow_redirects=False) as response:
                        await response.read()
                        status = response.status
                    elapsed = (time.perf_counter() - started) * 1000
                    if run == 0:
                        first = elapsed  # the overview's cache is cold here
                        continue
                    timings.append(elapsed)
                timings.sort()
                results[f"{who} {path}"] = {
                    "status": status, "first_ms": round(first, 1), "median_ms": round(statistics.median(timings), 1),
                    "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 1),
                }
                print(f"{who:16} {path:45} {status} first {first:8.1f} ms  median {statistics.median(timings):7.1f} ms  "
                      f"p99 {results[f'{who} {path}']['p99_ms']:7.1f} ms", flush=True)
    return results


async def _board_plan(database_url: str) -> str:
    from db.board import UNRESOLVED
    from db.schema import alerts

    engine = create_async_engine(database_url)
    query = alerts.select().where(UNRESOLVED).order_by(alerts.c.created_at).limit(500)
    compiled = query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    async with engine.connect() as conn:
        plan = "\n".join(row[0] for row in await conn.execute(text(f"EXPLAIN {compiled}")))
    await engine.dispose()
    return plan


async def serve_and_time(families: int, runs: int, open_alerts: int) -> dict[str, Any]:
    from bot.app import build_application
    from bot.clock import ManualClock
    from bot.config import load_settings
    from console.app import ConsoleServer

    url = f"{SERVER}/{DATABASE}"
    await _open_alerts(url, open_alerts)
    settings = load_settings(BOT_TOKEN=TOKEN, DATABASE_URL=url, CONSOLE_PORT="0", _env_file=None)
    application = build_application(settings, clock=ManualClock(NOW))
    server = ConsoleServer(application.context)
    base = await server.start()
    try:
        codes = await _sessions(url)
        # As production does when the console starts (bot/app.py): the programme's figures counted once,
        # in the background; every scope's overview and nurses table are slices of it.
        from bot.services.console_figures import count_again

        started = time.perf_counter()
        await count_again(application.context, only_if_looked_at=False)
        programme_count = round(time.perf_counter() - started, 2)
        print(f"the programme's figures counted (overview per place, every nurse): {programme_count} s", flush=True)
        # Family g lives in region g % R, polyclinic (g / R) % P, with nurse (g / (R*P)) % N (see FILL): one in
        # each viewer's scope.
        regions = len(_regions())
        in_pc3 = 1 + regions * 3
        family_of = {"national admin": 7, "regional admin": 1 + regions, "polyclinic head": in_pc3,
                     "nurse": in_pc3 + 2 * regions * POLYCLINICS_PER_REGION}
        pages = await _time_pages(base, codes, runs, family_of)
        # The count every 5 minutes runs beside the pages: what a page costs meanwhile.
        counting = asyncio.create_task(count_again(application.context, only_if_looked_at=False))
        during: dict[str, list[float]] = {}
        while not counting.done():
            for who, path in (("polyclinic head", "/families"), ("national admin", "/overview"), ("national admin", "/alerts/rows")):
                async with aiohttp.ClientSession(cookies={"anabala_console": codes[who]}) as session:
                    started = time.perf_counter()
                    async with session.get(base + path) as response:
                        await response.read()
                    during.setdefault(f"{who} {path}", []).append((time.perf_counter() - started) * 1000)
        await counting
        while_counting = {page: {"n": len(t), "median_ms": round(statistics.median(t), 1), "max_ms": round(max(t), 1)}
                          for page, t in during.items()}
        for page, figures in while_counting.items():
            print(f"while the programme is counted again: {page}: {figures}", flush=True)
        board: dict[str, Any] = {}
        for k in (open_alerts, open_alerts * 4):
            await _open_alerts(url, k)
            async with aiohttp.ClientSession(cookies={"anabala_console": codes["national admin"]}) as session:
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    async with session.get(base + "/alerts/rows") as response:
                        await response.read()
                    timings.append((time.perf_counter() - started) * 1000)
            board[str(k)] = round(statistics.median(timings), 1)
            print(f"board /alerts/rows with {k} open alerts: median {board[str(k)]} ms", flush=True)
        plan = await _board_plan(url)
    finally:
        await server.stop()
        await application.context.database.close()
        await application.bot.session.close()
    return {"programme_count_seconds": programme_count, "pages": pages, "while_counting": while_counting,
            "board_by_open_alerts": board, "board_plan": plan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--open-alerts", type=int, default=300)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    from bot.event_loop import run

    async def everything() -> dict[str, Any]:
        built = await build(args.families, args.rebuild)
        if built["rows"]["users"] != args.families:
            built = await build(args.families, True)
        print(json.dumps(built), flush=True)
        timed = await serve_and_time(args.families, args.runs, args.open_alerts)
        return {"machine": platform.platform(), "python": platform.python_version(), "date": datetime.now(UTC).isoformat(),
                "families": args.families, "runs": args.runs, **built, **timed}

    report = run(everything())
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"console-{args.families}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written {out}")


if __name__ == "__main__":
    main()

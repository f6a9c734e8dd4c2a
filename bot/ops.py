"""What an operator's tools ask (Step 10): GET /healthz (the process is alive), GET /readyz (the database
answers and its migrations are at head; in webhook mode also Redis answers and the webhook is set: ready
for traffic), GET /metrics (Prometheus). A small aiohttp
server on METRICS_HOST:METRICS_PORT beside the bot; it carries no personal data, only counts."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.context import AppContext
from bot.logging_setup import log_event
from bot.metrics import CONTENT_TYPE_LATEST
from db import metrics as queries

CHECK_TIMEOUT = 3.0  # seconds: a probe must answer quickly, even when what it asks does not
CONTEXT: web.AppKey[AppContext] = web.AppKey("context", AppContext)


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def readyz(request: web.Request) -> web.Response:
    app = request.app[CONTEXT]
    problems: list[str] = []
    try:
        async with app.database.reading() as conn:
            if not await queries.reachable(conn):
                problems.append("database: no answer")
            elif not await queries.at_head(conn):
                problems.append("database: migrations are not at head")
    except Exception as exc:  # noqa: BLE001 - any failure to read means not ready; its type only
        problems.append(f"database: {type(exc).__name__}")
    for check in app.readiness:
        try:
            problem = await asyncio.wait_for(check(), CHECK_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - a check that cannot answer is a problem; its type only
            problem = f"{getattr(check, '__name__', 'check')}: {type(exc).__name__}"
        if problem:
            problems.append(problem)
    if problems:
        log_event("not_ready", problems=len(problems))
        return web.Response(status=503, text="\n".join(problems) + "\n")
    return web.Response(text="ready\n")


async def metrics(request: web.Request) -> web.Response:
    app = request.app[CONTEXT]
    try:
        async with app.database.reading() as conn:
            backlog = await queries.backlog(conn, app.clock.now())
        app.metrics.set_backlog(backlog, app.clock.now())
    except Exception as exc:  # noqa: BLE001 - the counters are still worth showing; readiness says the rest
        log_event("metrics_backlog_failed", error=type(exc).__name__)
    return web.Response(body=app.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def add_ops_routes(app: web.Application, context: AppContext) -> None:
    app[CONTEXT] = context
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


def build_ops_app(context: AppContext) -> web.Application:
    app = web.Application()
    add_ops_routes(app, context)
    return app


class OpsServer:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        settings = self.context.settings
        assert settings.metrics_port is not None
        self._runner = web.AppRunner(build_ops_app(self.context), access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, settings.metrics_host, settings.metrics_port).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{settings.metrics_host}:{port}"
        log_event("ops_serving", port=port)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

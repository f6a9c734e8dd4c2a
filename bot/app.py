"""Build the whole application from Settings and a Clock: the same wiring in production and tests."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.memory import DisabledEventIsolation
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, SystemClock
from bot.commands import register_commands
from bot.config import Settings
from bot.context import AppContext
from bot.delivery.engine import DeliveryEngine
from bot.delivery.shared_pacer import make_pacer
from bot.i18n import UserLocaleMiddleware, make_i18n
from bot.logging_setup import log_event
from bot.middlewares.callback_answers import CallbackAnswers
from bot.middlewares.isolation import PerChatIsolation
from bot.middlewares.private_chats import PrivateChatsOnly
from bot.middlewares.retry import RetryAfterMiddleware
from bot.middlewares.tracking import InFlightUpdates
from bot.middlewares.user_loader import UserLoader
from bot.ops import OpsServer
from bot.services.console_figures import count_again
from bot.services.staff import sync_national_admins
from bot.shared import connect_redis, redis_answers, redis_prefix, webhook_is_set
from bot.telegram_session import BotSession
from db import jobs as job_locks
from db.engine import Database
from db.fsm_storage import DatabaseStorage
from db.migrate import upgrade_to_head
from handlers import (
    account,
    admin,
    alerts,
    broadcast,
    calendar,
    console,
    fallback,
    families,
    nurse_appointments,
    plans,
    profile,
    questions,
    registration,
    screening,
    staff,
    start,
    stats,
    visits,
)
from handlers.again import AskAgainAfterARepeat
from scheduler.setup import build_scheduler

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.webhook import WebhookServer
    from console.app import ConsoleServer


@dataclass
class Application:
    settings: Settings
    context: AppContext
    bot: Bot
    dispatcher: Dispatcher
    scheduler: AsyncIOScheduler
    in_flight: InFlightUpdates
    delivery: DeliveryEngine
    _delivery_task: asyncio.Task[None] | None = field(default=None, init=False)
    _stopping: bool = field(default=False, init=False)
    console: ConsoleServer | None = field(default=None, init=False)
    _console_count: asyncio.Task[bool] | None = field(default=None, init=False)
    ops: OpsServer | None = field(default=None, init=False)
    redis: Redis | None = None  # webhook mode: what the workers share (bot/shared.py)
    webhook: WebhookServer | None = field(default=None, init=False)
    _stop_requested: asyncio.Event = field(default_factory=asyncio.Event, init=False)  # webhook and console modes
    _polling: bool = field(default=False, init=False)

    async def prepare(self) -> None:
        """Migrate the database and register the command menus; call once before taking updates.
        Workers starting together take turns (a database lock), so each of these is done once at a time."""
        async with self.context.database.engine.connect() as lock:
            await job_locks.wait_lock(lock, "prepare")
            try:
                await upgrade_to_head(self.context.database)
                await sync_national_admins(self.context)
                await register_commands(self.bot, self.context)
            finally:
                await job_locks.unlock(lock, "prepare")

    async def run(self, **options: bool) -> None:
        """Take updates as BOT_MODE says until stopped (SIGTERM/SIGINT or stop())."""
        if self.settings.bot_mode == "webhook":
            await self.run_webhook(**options)
        else:
            await self.run_polling(**options)

    async def _start_beside(self, *, background_jobs: bool, serve_console: bool | None, serve_ops: bool | None) -> None:
        """What runs beside the updates: /healthz etc., the console, the scheduler and the delivery loop.

        `background_jobs=False` (tests on a manual clock) leaves the scheduler and the delivery
        loop off; the test runs their work itself after moving the clock. The console (CONSOLE_PORT)
        is served beside the bot unless `serve_console` is False (by default: with the background jobs);
        so are /healthz, /readyz and /metrics (METRICS_PORT, `serve_ops`).
        """
        if (background_jobs if serve_ops is None else serve_ops) and self.settings.metrics_port is not None:
            self.ops = OpsServer(self.context)
            await self.ops.start()
        if (background_jobs if serve_console is None else serve_console) and self.settings.console_port is not None:
            from console.app import ConsoleServer

            me = await self.bot.me()
            self.console = ConsoleServer(self.context, bot_username=me.username or "")
            await self.console.start()
            if background_jobs:  # the first count of the console's figures, so nobody waits for it
                self._console_count = asyncio.create_task(count_again(self.context, only_if_looked_at=False))
        if background_jobs:
            self.scheduler.start()
            self._delivery_task = asyncio.create_task(
                self.delivery.run_forever(lambda: self._stopping), name="delivery"
            )

    async def run_polling(
        self, *, handle_signals: bool = True, background_jobs: bool = True, serve_console: bool | None = None,
        serve_ops: bool | None = None,
    ) -> None:
        """Poll until stopped (SIGTERM/SIGINT or stop()), then shut down cleanly."""
        self._polling = True
        await self.prepare()
        await self._start_beside(background_jobs=background_jobs, serve_console=serve_console, serve_ops=serve_ops)
        log_event("bot_started")
        try:
            await self.dispatcher.start_polling(
                self.bot,
                handle_signals=handle_signals,
                close_bot_session=False,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        finally:
            await self.shutdown()

    async def run_webhook(
        self, *, handle_signals: bool = True, background_jobs: bool = True, serve_console: bool | None = False,
        serve_ops: bool | None = None,
    ) -> None:
        """Serve the webhook (bot/webhook.py) until stopped, then stop taking posts and finish what was taken.

        The console is not served by webhook workers: it runs as its own process (`python -m console`,
        docs/deploy.md), so its sign-in limits and counted figures live in one place."""
        from bot.webhook import WebhookServer

        assert self.redis is not None
        await self.prepare()
        self.webhook = WebhookServer(self.context, self.dispatcher, self.bot, self.redis, redis_prefix(self.settings))
        await self.webhook.start()
        await self.webhook.ensure_webhook(self.dispatcher.resolve_used_update_types())
        await self._start_beside(background_jobs=background_jobs, serve_console=serve_console, serve_ops=serve_ops)
        log_event("bot_started", mode="webhook")
        await self._serve_until_stopped(handle_signals)

    async def run_console(self, *, handle_signals: bool = True) -> None:
        """The console alone (`python -m console`): beside webhook workers, it runs as its own process."""
        await self.prepare()
        self.scheduler = build_scheduler(self.context, self.bot, role="console")
        await self._start_beside(background_jobs=False, serve_console=True, serve_ops=True)
        self._console_count = asyncio.create_task(count_again(self.context, only_if_looked_at=False))
        self.scheduler.start()
        log_event("console_started")
        await self._serve_until_stopped(handle_signals)

    async def _serve_until_stopped(self, handle_signals: bool) -> None:
        if handle_signals:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self._stop_requested.set)
        try:
            await self._stop_requested.wait()
        finally:
            await self.shutdown()

    async def stop(self) -> None:
        if self._polling:
            await self.dispatcher.stop_polling()
        else:
            self._stop_requested.set()

    async def shutdown(self) -> None:
        if self.webhook is not None:  # other workers take the next posts; what this one took, it finishes
            await self.webhook.stop_receiving()
        # Let updates already taken finish before the database goes away.
        await self.in_flight.wait_idle()
        self._stopping = True
        if self._delivery_task is not None:
            self.delivery.kick()
            await self._delivery_task
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._console_count is not None and not self._console_count.done():
            self._console_count.cancel()
        if self.console is not None:
            await self.console.stop()
        if self.ops is not None:
            await self.ops.stop()
        await self.bot.session.close()
        await self.context.database.close()
        if self.redis is not None:
            await self.redis.aclose()
        log_event("bot_stopped")


def build_application(settings: Settings, clock: Clock | None = None) -> Application:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required to build the application")
    clock = clock or SystemClock()
    # Several workers: a cached copy in one could miss another's write, so every read goes to the database.
    cache_size = 0 if settings.shared else 50_000
    database = Database(settings.database_url, cache_size=cache_size)
    i18n = make_i18n(settings.default_language)
    storage = DatabaseStorage(database, clock, cache_size=cache_size)
    context = AppContext(settings=settings, database=database, clock=clock, i18n=i18n, fsm_storage=storage,
                         console_url=settings.console_url)

    context.metrics.worker_info.labels(worker=settings.worker_id, mode=settings.bot_mode).set(1)
    redis = connect_redis(settings) if settings.shared else None
    # Every worker delivers: the pace (DELIVERY_RATE, ~1/s per chat, a 429's pause) is kept for all of them on Redis.
    pacer = make_pacer(clock, settings.delivery_rate, redis, f"{redis_prefix(settings)}pace" if redis else "",
                       workers=max(settings.workers, 3))
    session = BotSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(RetryAfterMiddleware(clock, on_flood=pacer.pause))
    bot = Bot(
        settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    # One update at a time per person: in one process a lock in memory; with several workers the webhook
    # server holds her turn on Redis around her updates (bot/webhook.py), so nothing more is needed here.
    isolation: BaseEventIsolation = DisabledEventIsolation() if settings.shared else PerChatIsolation()
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        disable_fsm=True,  # registered below, after the in-flight counter
        app=context,
    )
    in_flight = InFlightUpdates(context.metrics)
    # Order matters: count the update before anything awaits; then turn away groups and channels
    # (nothing about anyone is read for them); then aiogram's FSM middleware queues it behind her
    # earlier updates and reads her state; then her row; then her language.
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(PrivateChatsOnly(i18n))  # groups and channels stop here
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(UserLoader(database))
    UserLocaleMiddleware(i18n).setup(dispatcher)
    # Every press is answered once, after its handler (or before it, with the ANSWER_FIRST flag): a
    # handler says what the answer shows through the injected `callback_answer` (handlers/replies.py).
    dispatcher.callback_query.middleware(CallbackAnswers())
    if settings.shared:  # an update handled a second time (a worker died): her question asked once more
        again = AskAgainAfterARepeat()
        dispatcher.message.middleware(again)
        dispatcher.callback_query.middleware(again)
    # Commands and the account router come first, so "/help" works in the middle of any flow.
    # Staff first: an invitation link and a staff member's /start and /help are theirs, not a mother's.
    dispatcher.include_routers(
        *(
            module.build_router()
            for module in (
                staff, console, start, account, profile, registration, calendar, admin,
                families, visits, plans, nurse_appointments,  # the nurse's day
                questions, screening, alerts, broadcast, stats, fallback,
            )
        )
    )
    application = Application(
        settings=settings,
        context=context,
        bot=bot,
        dispatcher=dispatcher,
        scheduler=build_scheduler(context, bot, role="bot" if settings.shared else "all"),
        in_flight=in_flight,
        delivery=DeliveryEngine(context, bot, pacer),
        redis=redis,
    )
    if redis is not None:
        context.readiness.append(redis_answers(redis))
        context.readiness.append(webhook_is_set(bot, settings))
    return application

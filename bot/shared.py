"""What several workers share besides the database (Step 10): one Redis, and the checks /readyz makes of it.

Redis holds nothing durable: whose turn a chat is (bot/webhook.py), the delivery pace, and a note that the
webhook was set. Losing its memory loses no update, no flow and no message (docs/deploy.md)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiogram import Bot
from redis.asyncio import BlockingConnectionPool, Redis

from bot.config import Settings

WEBHOOK_CHECK_EVERY = 30.0  # seconds: /readyz asks Telegram about the webhook at most this often


REDIS_CONNECTIONS = 64  # per worker; a chat's turn waits for a free one rather than failing


def connect_redis(settings: Settings) -> Redis:
    assert settings.redis_url is not None
    pool = BlockingConnectionPool.from_url(
        settings.redis_url.get_secret_value(), max_connections=REDIS_CONNECTIONS, timeout=10,
        socket_timeout=5, socket_connect_timeout=5, health_check_interval=30,
    )
    return Redis(connection_pool=pool)


def redis_prefix(settings: Settings) -> str:
    """Keys of one bot (its id from the token), so two bots may share one Redis."""
    assert settings.bot_token is not None
    return f"anabala:{settings.bot_token.get_secret_value().partition(':')[0]}:"


def redis_answers(redis: Redis) -> Callable[[], Awaitable[str | None]]:
    async def redis_reachable() -> str | None:
        return None if await redis.ping() else "redis: no answer"

    return redis_reachable


def webhook_is_set(bot: Bot, settings: Settings) -> Callable[[], Awaitable[str | None]]:
    last: list[float] = [0.0]

    async def webhook() -> str | None:
        if time.monotonic() - last[0] < WEBHOOK_CHECK_EVERY:
            return None
        info = await bot.get_webhook_info()
        if info.url != settings.webhook_url:
            return "webhook: not set to WEBHOOK_URL"
        last[0] = time.monotonic()
        return None

    return webhook

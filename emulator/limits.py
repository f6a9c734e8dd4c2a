"""Flood limits as token buckets: one global bucket and one per chat, like Telegram's advice."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """Sustained rate and burst size; a rate <= 0 switches that bucket off."""

    global_per_second: float = 30.0
    global_burst: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 4


class TokenBucket:
    __slots__ = ("rate", "capacity", "tokens", "stamp")

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(max(capacity, 1))
        self.tokens = self.capacity
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 if one is available now)."""
        if self.rate <= 0:
            return 0.0
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        if self.rate > 0:
            self.tokens -= 1.0


class RateLimiter:
    def __init__(self, limits: RateLimits, monotonic: Callable[[], float]) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._global = TokenBucket(limits.global_per_second, limits.global_burst, monotonic())
        self._chats: dict[int | str, TokenBucket] = {}

    def acquire(self, chat_id: int | str | None) -> int | None:
        """Take a token from both buckets, or return retry_after (whole seconds, >= 1).

        A refused request takes nothing, so a well-behaved client that waits retry_after
        seconds gets through.
        """
        now = self._monotonic()
        wait = self._global.wait_time(now)
        bucket = None
        if chat_id is not None:
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = self._chats[chat_id] = TokenBucket(
                    self.limits.per_chat_per_second, self.limits.per_chat_burst, now
                )
            wait = max(wait, bucket.wait_time(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.take()
        if bucket is not None:
            bucket.take()
        return None

"""Small in-process caches in front of hot reads (every update reads her row and her flow state).

Safe because one process owns a bot's updates: Telegram gives getUpdates to exactly one consumer,
and everything that writes these rows runs in that process and invalidates here. A generation
counter per key stops a read that started before a write from caching the old value after it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from enum import Enum
from typing import Final, Generic, Literal, TypeVar

V = TypeVar("V")


class _Missing(Enum):
    """Not cached (a cached value may itself be None): a one-member enum, so `is not MISSING` narrows."""

    MISSING = "missing"


MISSING: Final = _Missing.MISSING


class LruCache(Generic[V]):
    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._generations: dict[Hashable, int] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | Literal[_Missing.MISSING]:
        """The cached value, or `MISSING`."""
        value = self._items.get(key, MISSING)
        if value is MISSING:
            self.misses += 1
            return MISSING
        self._items.move_to_end(key)
        self.hits += 1
        return value

    def generation(self, key: Hashable) -> int:
        return self._generations.get(key, 0)

    def put(self, key: Hashable, value: V, generation: int | None = None) -> None:
        """Store; with `generation`, only if no invalidation happened since it was read."""
        if self.max_size <= 0:
            return
        if generation is not None and generation != self.generation(key):
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_size:
            evicted, _ = self._items.popitem(last=False)
            self._generations.pop(evicted, None)

    def invalidate(self, key: Hashable) -> None:
        self._items.pop(key, None)
        self._generations[key] = self._generations.get(key, 0) + 1

    def clear(self) -> None:
        for key in list(self._items):
            self.invalidate(key)


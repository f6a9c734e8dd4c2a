"""Fault injection: make chosen requests fail the way a flaky network or Telegram outage does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

# bad_gateway answers a JSON error; bad_gateway_html answers nginx's HTML page, as production
# Telegram does during outages (aiogram then raises ClientDecodeError, not TelegramServerError).
FaultKind = Literal["server_error", "bad_gateway", "bad_gateway_html", "slow", "drop"]
FAULT_KINDS: frozenset[str] = frozenset({"server_error", "bad_gateway", "bad_gateway_html", "slow", "drop"})


@dataclass
class Fault:
    method: str | None  # None = any method
    kind: FaultKind
    times: int | None  # None = until cleared
    delay: float = 0.0
    chat_id: int | str | None = None
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, chat_id: object) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


class Faults:
    """``emu.faults``: add() rules, they fire before normal processing, first match wins."""

    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self.fired = 0

    def add(
        self,
        method: str | None = None,
        kind: FaultKind = "server_error",
        times: int | None = 1,
        delay: float = 0.0,
        chat_id: int | str | None = None,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 (or None for 'until cleared')")
        fault = Fault(method=method, kind=kind, times=times, delay=delay, chat_id=chat_id)
        self._rules.append(fault)
        return fault

    def clear(self) -> None:
        self._rules.clear()

    def take(self, method: str, chat_id: object) -> Fault | None:
        if not self._rules:
            return None
        for fault in self._rules:
            if not fault.exhausted and fault.matches(method, chat_id):
                fault.fired += 1
                self.fired += 1
                return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        return [f for f in self._rules if not f.exhausted]

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self.pending)

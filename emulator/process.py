"""The emulator in a child process, as Telegram is on another machine.

Benchmarks use it so that what they measure is the bot's own cost: with the emulator in the same
process, every request is paid for twice on one core (the bot sending it, the emulator answering
it). The parent controls the child over a pipe: known users, faults, and reading what arrived.

    with EmulatorProcess(rate_limits=RateLimits(...)) as emu:
        emu.add_users(range(1_000, 2_000))       # registered long ago: the bot may write to them
        settings.telegram_api_url = emu.api_url
        ...
        emu.stats()                              # {"sent": ..., "rate_limited": ..., ...}
        emu.message_counts(ids)                  # messages each chat received
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import asdict
from typing import IO, Any

from emulator.limits import RateLimits
from emulator.server import BotAPIEmulator

_LANGUAGES = ("kk", "ru", "en")


class EmulatorProcess:
    """`python -m emulator.process` as a child; commands and answers are JSON lines on its stdin/stdout."""

    def __init__(self, *, rate_limits: RateLimits | None = RateLimits(), record_calls: bool = False) -> None:
        self._config = {"rate_limits": asdict(rate_limits) if rate_limits else None, "record_calls": record_calls}
        self._process: subprocess.Popen[str] | None = None
        self.api_url = ""

    def __enter__(self) -> EmulatorProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "emulator.process", json.dumps(self._config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.api_url = self._call("api_url")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is None:
            return
        try:
            self._call("stop")
            self._process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a child that does not stop is killed
            self._process.kill()
            self._process.wait()

    def _call(self, command: str, **args: Any) -> Any:
        assert self._process is not None and self._process.stdin and self._process.stdout, "use it as a context manager"
        self._process.stdin.write(json.dumps([command, args]) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the emulator process ended")
        ok, value = json.loads(line)
        if not ok:
            raise RuntimeError(f"emulator process: {value}")
        return value

    def add_users(self, user_ids: Iterable[int]) -> None:
        """People who pressed Start long ago (languages kk/ru/en in turn by id)."""
        self._call("add_users", user_ids=list(user_ids))

    def slow(self, method: str, delay: float) -> None:
        """Every `method` call answers `delay` seconds late, like a far-away server."""
        self._call("slow", method=method, delay=delay)

    def stats(self) -> dict[str, Any]:
        """sent, rate_limited, requests, errors by code, internal_errors (emulator bugs)."""
        return dict(self._call("stats"))

    def message_counts(self, user_ids: Iterable[int]) -> list[int]:
        return [int(count) for count in self._call("message_counts", user_ids=list(user_ids))]


async def _serve(config: dict[str, Any], commands: IO[str], answers: IO[str]) -> None:
    limits = RateLimits(**config["rate_limits"]) if config["rate_limits"] else None
    stopped = asyncio.Event()
    async with BotAPIEmulator(rate_limits=limits, record_calls=config["record_calls"]) as emu:

        def answer(command: str, args: dict[str, Any]) -> Any:
            if command == "api_url":
                return emu.api_url
            if command == "add_users":
                for user_id in args["user_ids"]:
                    user = emu.user(user_id=user_id, first_name="Mother", language_code=_LANGUAGES[user_id % 3])
                    user.known_to_bot = True
                return None
            if command == "slow":
                emu.faults.add(method=args["method"], kind="slow", delay=args["delay"], times=None)
                return None
            if command == "stats":
                stats = emu.stats
                return {
                    "requests": stats.requests,
                    "sent": stats.sent,
                    "rate_limited": stats.rate_limited,
                    "errors": dict(stats.errors),
                    "internal_errors": [repr(error) for error in emu.internal_errors],
                }
            if command == "message_counts":
                return [len(emu.user(user_id=user_id).messages) for user_id in args["user_ids"]]
            if command == "stop":
                stopped.set()
                return None
            raise ValueError(f"unknown command {command!r}")

        def on_readable() -> None:
            line = commands.readline()
            if not line:  # the parent went away
                stopped.set()
                return
            command, args = json.loads(line)
            try:
                reply = [True, answer(command, args)]
            except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
                reply = [False, repr(exc)]
            answers.write(json.dumps(reply) + "\n")
            answers.flush()

        loop = asyncio.get_running_loop()
        loop.add_reader(commands.fileno(), on_readable)
        await stopped.wait()
        loop.remove_reader(commands.fileno())


if __name__ == "__main__":
    asyncio.run(_serve(json.loads(sys.argv[1]), sys.stdin, sys.stdout))

"""Updates from everywhere, with and without Step 7's private-chat gate, side by side in one run.

The same seeded stream of updates goes to the real application twice: mothers' private messages mixed
with group and supergroup traffic (members typing commands, anonymous admins, the bot added and
removed, buttons pressed under its line there), channel posts without a sender, and one update in
every 1,000 that aiogram cannot read. "Before" switches the gate off (`PrivateChatsOnly` passes
everything on, as before Step 7) and leaves the unreadable updates out, because before Step 7 one of
them wedged polling for good. Counted: updates, exceptions that reached the error handler, messages
the bot wrote into groups, her private messages left without an answer.

    .venv/bin/python -m bench.fuzz_chats --updates 10000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import platform
import random
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from unittest.mock import patch

from bot.middlewares.private_chats import PrivateChatsOnly
from tests.e2e.harness import running_bot

COMMANDS = ["/start", "/profile", "/check", "/alerts", "/families", "/help", "/nurse", "hello", "/delete_me",
            "Aigerim +7 701 000 00 00"]
KINDS = ["private", "group_say", "anonymous", "channel_post", "add", "remove", "group_click"]
WEIGHTS = [40, 30, 8, 8, 6, 4, 4]
MALFORMED = {"message": {"message_id": 1, "from": {"id": 1, "is_bot": False, "first_name": "x"},
                         "chat": {"id": 1, "type": "private"}, "text": "no date"}}


@dataclass
class Outcome:
    gate: bool
    updates: int = 0
    malformed: int = 0
    exceptions: int = 0
    group_replies: int = 0
    private_sent: int = 0
    private_unanswered: int = 0


async def run(count: int, seed: int, gate: bool, workdir: Path) -> Outcome:
    outcome = Outcome(gate=gate)
    rng = random.Random(seed)
    with contextlib.ExitStack() as patches:
        if not gate:
            async def passthrough(self: Any, handler: Any, event: Any, data: Any) -> Any:  # noqa: ARG001
                return await handler(event, data)

            patches.enter_context(patch.object(PrivateChatsOnly, "__call__", passthrough))
        url = f"sqlite+aiosqlite:///{workdir / f'fuzz-{gate}.sqlite3'}"
        async with running_bot(url) as bot:
            emulator = bot.emulator
            mothers = [emulator.user(user_id=800_000 + i, first_name="Fuzz", language_code="ru") for i in range(20)]
            groups = [emulator.group(-1008000000000 - i, f"Group {i}") for i in range(10)]
            channels = [emulator.group(-1009000000000 - i, f"Channel {i}", kind="channel") for i in range(3)]
            for mother in mothers:
                await mother.send("/start")
            await bot.settle()
            for number in range(1, count + 1):
                bot.human_pause()
                mother, group = rng.choice(mothers), rng.choice(groups)
                if number % 1000 == 0:
                    if gate:
                        emulator.inject_raw_update(MALFORMED)
                        outcome.malformed += 1
                        outcome.updates += 1
                    continue
                kind = rng.choices(KINDS, WEIGHTS)[0]
                before = len(mother.messages) + sum(m.edits for m in mother.messages)
                if kind == "private":
                    await mother.send(rng.choice(COMMANDS))
                elif kind == "group_say":
                    await group.say(mother, rng.choice(COMMANDS))
                elif kind == "anonymous":
                    await group.say_anonymously(rng.choice(COMMANDS))
                elif kind == "channel_post":
                    await rng.choice(channels).post(rng.choice(COMMANDS))
                elif kind == "add":
                    await rng.choice([group, rng.choice(channels)]).add_bot(mother)
                elif kind == "remove":
                    await group.remove_bot(mother)
                else:
                    buttons = [(m, b) for m in group.messages if not m.deleted for row in m.inline_buttons
                               for b in row if b.get("callback_data")]
                    if buttons:
                        message, button = rng.choice(buttons)
                        await group.click(mother, data=button["callback_data"], message=message)
                outcome.updates += 1
                await bot.settle()
                if kind == "private":
                    outcome.private_sent += 1
                    if len(mother.messages) + sum(m.edits for m in mother.messages) == before:
                        outcome.private_unanswered += 1
            outcome.exceptions = bot.app.context.errors
            outcome.group_replies = sum(len(g.messages) for g in groups + channels)
    return outcome


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("anabala").setLevel(logging.CRITICAL)  # every handler error is counted, not printed
    with tempfile.TemporaryDirectory() as workdir:
        before = await run(args.updates, args.seed, gate=False, workdir=Path(workdir))
        after = await run(args.updates, args.seed, gate=True, workdir=Path(workdir))
    print(json.dumps({"machine": platform.processor() or platform.machine(), "before": asdict(before),
                      "after": asdict(after)}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())

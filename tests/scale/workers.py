"""Three webhook workers as real processes, started as deploy/anabala-worker@.service starts them: the same
command (`python main.py`) and the same variables; the emulator in front routes Telegram's posts to their
shared port, as nginx does. Needs PostgreSQL (TEST_DATABASE_URL) and Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.e2e.harness import PUBLIC, REDIS_URL, TOKEN, WEBHOOK_SECRET, free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Worker:
    """One `anabala-worker@<n>`: killed with SIGKILL, started again as systemd's Restart=always would."""

    name: str
    env: dict[str, str]
    metrics_port: int
    command: tuple[str, ...] = ("main.py",)  # `("-m", "console")`: anabala-console.service
    process: asyncio.subprocess.Process | None = None
    kills: int = 0
    log: Path | None = None

    async def start(self) -> None:
        assert self.log is not None
        with self.log.open("ab") as sink:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *self.command, cwd=ROOT, env=self.env, stdout=asyncio.subprocess.DEVNULL, stderr=sink
            )

    async def wait_ready(self, timeout: float = 180.0) -> None:  # a start imports aiogram: ~10 s of CPU here
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3)) as http:
            while True:
                assert self.process is not None and self.process.returncode is None, f"{self.name} exited; see {self.log}"
                try:
                    async with http.get(f"http://127.0.0.1:{self.metrics_port}/readyz") as answer:
                        if answer.status == 200:
                            return
                except (aiohttp.ClientError, TimeoutError):
                    pass
                assert asyncio.get_running_loop().time() < deadline, f"{self.name} not ready in {timeout}s; see {self.log}"
                await asyncio.sleep(0.2)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.kills += 1

    async def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.returncode is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 60)


@dataclass
class Deployment:
    workers: list[Worker] = field(default_factory=list)
    webhook_port: int = 0

    async def start(self) -> None:
        await asyncio.gather(*(w.start() for w in self.workers))
        await asyncio.gather(*(w.wait_ready() for w in self.workers))

    async def stop(self) -> list[int]:
        return list(await asyncio.gather(*(w.stop() for w in self.workers)))

    async def metrics(self, worker: Worker) -> str:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{worker.metrics_port}/metrics") as answer:
            return await answer.text()


def deployment(api_url: str, database_url: str, logs: Path, count: int = 3, **env: str) -> Deployment:
    """`count` workers sharing one webhook port, each with its WORKER_ID and METRICS_PORT."""
    webhook_port = free_port()
    shared = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "CONSOLE_", "METRICS_"))},
        "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
        "BOT_MODE": "webhook", "WEBHOOK_URL": f"{PUBLIC}/telegram", "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(webhook_port), "CONSOLE_PORT": "", **env,
    }
    found = Deployment(webhook_port=webhook_port)
    for n in range(1, count + 1):
        port = free_port()
        worker = Worker(f"w{n}", {**shared, "WORKER_ID": f"w{n}", "METRICS_PORT": str(port)}, port, log=logs / f"w{n}.log")
        found.workers.append(worker)
    return found


def console_beside(fleet: Deployment, logs: Path) -> tuple[Worker, str]:
    """`python -m console` (deploy/anabala-console.service) with the workers' variables and a port of its
    own; its address as staff open it, which the workers put in the links /console sends."""
    port, metrics_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    for worker in fleet.workers:
        worker.env["CONSOLE_URL"] = url
    shared = fleet.workers[0].env
    env = {**shared, "WORKER_ID": "console", "METRICS_PORT": str(metrics_port), "CONSOLE_PORT": str(port),
           "CONSOLE_HOST": "127.0.0.1", "CONSOLE_URL": url}
    return Worker("console", env, metrics_port, command=("-m", "console"), log=logs / "console.log"), url

"""WORKERS=N on one machine (Step 10): a small supervisor that starts N worker processes and keeps them up.

Each worker is `python main.py` with WORKERS=1 and its own WORKER_ID (`<WORKER_ID>-1` …), all listening on
WEBHOOK_PORT (SO_REUSEPORT: the kernel spreads Telegram's connections between them) and each on its own
METRICS_PORT (base + i - 1), so Prometheus sees every worker. With CONSOLE_PORT set, the console runs as one
more process (`python -m console`). The schema is migrated once, before any worker starts.

Signals: SIGTERM/SIGINT stop every worker (each finishes the updates it took); SIGHUP restarts the workers
one at a time — the others keep taking Telegram's posts meanwhile, so nothing waits or is lost. A worker that
exits on its own is started again after a second. systemd users may instead run one unit per worker
(deploy/anabala-worker@.service): the same commands and variables.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from bot.config import Settings
from bot.logging_setup import log_event

MAIN = Path(__file__).resolve().parent.parent / "main.py"
READY_WAIT = 60.0  # seconds a restarted worker may take to say it is ready before the next one goes
STOP_WAIT = 30.0  # seconds a stopping worker may take to finish what it took before it is killed


async def migrate(settings: Settings) -> int:
    from db.engine import Database
    from db.migrate import upgrade_to_head

    database = Database(settings.database_url)
    try:
        await upgrade_to_head(database)
    finally:
        await database.close()
    log_event("migrated")
    return 0


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict[str, str]
    metrics_url: str | None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)
        log_event("worker_started", worker=self.name, pid=self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline and self.process is not None and self.process.poll() is None:
            if self.metrics_url is None:
                time.sleep(3.0)  # nothing to ask: give it the time a start takes
                return
            try:
                with urllib.request.urlopen(f"{self.metrics_url}/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)


def children(settings: Settings, env: dict[str, str] | None = None) -> list[Child]:
    base = dict(os.environ if env is None else env)
    prefix = "w" if settings.worker_id == "main" else settings.worker_id
    found: list[Child] = []
    for i in range(1, settings.workers + 1):
        child_env = {**base, "WORKERS": "1", "WORKER_ID": f"{prefix}-{i}", "CONSOLE_PORT": ""}
        metrics_url = None
        if settings.metrics_port:
            port = settings.metrics_port + i - 1
            child_env["METRICS_PORT"] = str(port)
            metrics_url = f"http://{settings.metrics_host}:{port}"
        found.append(Child(f"{prefix}-{i}", [sys.executable, str(MAIN)], child_env, metrics_url))
    if settings.console_port is not None:
        console_env = {**base, "WORKERS": "1", "WORKER_ID": f"{prefix}-console", "METRICS_PORT": ""}
        found.append(Child(f"{prefix}-console", [sys.executable, "-m", "console"], console_env, None))
    return found


def supervise(settings: Settings) -> int:
    from bot.event_loop import run

    if run(migrate(settings)) != 0:
        return 1
    workers = children(settings)
    requests: list[str] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        requests.append("restart" if signum == signal.SIGHUP else "stop")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    for child in workers:
        child.start()
    while True:
        if requests:
            request = requests.pop(0)
            if request == "stop":
                break
            for child in workers:  # one at a time: the others keep serving
                child.stop()
                child.start()
                child.wait_ready()
            log_event("workers_restarted", count=len(workers))
            continue
        for child in workers:
            if child.process is not None and child.process.poll() is not None:
                log_event("worker_exited", worker=child.name, code=child.process.returncode)
                time.sleep(1.0)
                child.start()
        time.sleep(0.2)
    for child in workers:
        if child.process is not None and child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    for child in workers:
        child.stop()
    log_event("workers_stopped")
    return 0

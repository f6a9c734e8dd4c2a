"""`python -m console`: the coordination console in a process of its own (Step 10).

Webhook workers do not serve the console: its sign-in limits, the Login Widget's used hashes and the
figures it has counted live in this one process's memory, so they stay right however many workers run.
Sessions are in the database, so restarting it signs nobody out. The same variables as the bot's.
"""

from __future__ import annotations

import sys

from bot.config import ConfigError, load_settings
from bot.logging_setup import setup_logging


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"AnaBala's console cannot start: {exc}", file=sys.stderr)
        return 2
    if settings.bot_token is None or settings.console_port is None:
        print("AnaBala's console cannot start: it needs BOT_TOKEN and CONSOLE_PORT", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.worker_id)
    from bot.app import build_application
    from bot.event_loop import run

    run(build_application(settings).run_console())
    return 0


if __name__ == "__main__":
    sys.exit(main())

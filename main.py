"""Run AnaBala: `python main.py` (long polling). Configuration comes from the environment or .env."""

from __future__ import annotations

import sys

from bot.config import ConfigError, load_settings
from bot.logging_setup import setup_logging


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"AnaBala cannot start: {exc}", file=sys.stderr)
        return 2
    if settings.bot_token is None:
        print(
            "AnaBala cannot start: BOT_TOKEN is not set. Get a token from @BotFather in Telegram "
            "(/newbot), then run: BOT_TOKEN=123456789:AAE... python main.py (or put BOT_TOKEN=... in .env).",
            file=sys.stderr,
        )
        return 2
    setup_logging(settings.log_level)
    from bot.app import build_application
    from bot.event_loop import run

    application = build_application(settings)
    run(application.run_polling())
    return 0


if __name__ == "__main__":
    sys.exit(main())

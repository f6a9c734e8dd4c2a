"""Run AnaBala: `python main.py` (long polling, or BOT_MODE=webhook; WORKERS=N starts N worker processes).
Configuration comes from the environment or .env. `python main.py --migrate` only brings the database's
schema to head and exits (before a rolling upgrade, docs/deploy.md).

Without BOT_TOKEN it runs the local sandbox instead (sandbox/README.md): the same application
against the embedded Bot API emulator, with a web chat on http://127.0.0.1:8080 — but only on a
newcomer's first run (no DATABASE_URL either) or when asked for with `--sandbox`. A deployment that
set DATABASE_URL and lost its token stops with one line instead: the sandbox never stands in for
production.
"""

from __future__ import annotations

import sys

from bot.config import ConfigError, check_deployment, load_settings
from bot.logging_setup import setup_logging


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"AnaBala cannot start: {exc}", file=sys.stderr)
        return 2
    from bot.event_loop import run

    wants_sandbox = "--sandbox" in args
    if settings.bot_token is None and not wants_sandbox and "database_url" in settings.model_fields_set:
        print(
            "AnaBala cannot start: BOT_TOKEN is missing. DATABASE_URL is set, so this is not a first run: "
            "set BOT_TOKEN (from @BotFather), or run `python main.py --sandbox` for the local demo.",
            file=sys.stderr,
        )
        return 2
    if settings.bot_token is None or wants_sandbox:
        from sandbox.config import load_sandbox_settings

        try:
            sandbox_settings = load_sandbox_settings()
        except ConfigError as exc:
            print(f"AnaBala cannot start the sandbox: {exc}", file=sys.stderr)
            return 2
        setup_logging(settings.log_level)
        from sandbox.run import serve

        return run(serve(sandbox_settings))
    try:
        check_deployment(settings)
    except ConfigError as exc:
        print(f"AnaBala cannot start: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.worker_id)
    if "--migrate" in args:
        from bot.workers import migrate

        return run(migrate(settings))
    if settings.workers > 1:
        from bot.workers import supervise

        return supervise(settings)
    from bot.app import build_application

    application = build_application(settings)
    run(application.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Configuration: defaults, and one clear line for each bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults() -> None:
    settings = load_settings(BOT_TOKEN="123:abcdefghijk", _env_file=None)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite+aiosqlite:///data/bot.sqlite3"
    assert settings.default_language == "kk"
    assert settings.timezone == "Asia/Almaty"
    assert settings.admin_ids == ()


def test_admin_ids_are_comma_separated() -> None:
    settings = load_settings(ADMIN_IDS="12345, 67890", _env_file=None)
    assert settings.admin_ids == (12345, 67890)


def test_almaty_is_utc_plus_5_after_march_2024() -> None:
    from datetime import datetime

    settings = load_settings(_env_file=None)
    assert datetime(2024, 3, 2, 12, tzinfo=settings.tz).utcoffset().total_seconds() == 5 * 3600  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS is invalid: expected comma-separated Telegram user ids"),
        ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE is invalid: expected one of kk, ru, en"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE is invalid: expected an IANA time zone name"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL is invalid"),
        ("TELEGRAM_API_URL", "api.telegram.org", "TELEGRAM_API_URL is invalid"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN is invalid: expected the token from @BotFather"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(**{name: value, "_env_file": None})
    assert str(error.value).startswith(expected)
    assert "\n" not in str(error.value)


def run_main(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "ADMIN_IDS", "DATABASE_URL"} and not k.startswith("SANDBOX_")}
    return subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_without_a_token_a_bad_sandbox_value_stops_start_up_with_one_line(tmp_path: Path) -> None:
    # Without BOT_TOKEN main.py runs the local sandbox (tests/sandbox/test_main.py); its settings
    # are checked like the bot's.
    result = run_main(SANDBOX_PORT="eighty")  # no DATABASE_URL: a first run, so the sandbox is meant
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "AnaBala cannot start the sandbox: SANDBOX_PORT is invalid: expected a TCP port from 1 to 65535 (0: any free port)"
    )


def test_a_malformed_value_stops_start_up_with_one_line() -> None:
    result = run_main(BOT_TOKEN="123456:abcdefghijkl", ADMIN_IDS="first,second")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "AnaBala cannot start: ADMIN_IDS is invalid: expected comma-separated Telegram user ids, e.g. 12345,67890"
    )


def test_values_from_the_environment_are_read_like_the_readme_says(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in production: from the process environment, not keyword arguments.
    monkeypatch.setenv("DELIVERY_WINDOW", "08:30-20:00")
    monkeypatch.setenv("ADMIN_IDS", "12345,67890")
    monkeypatch.setenv("DELIVERY_RATE", "1000")
    monkeypatch.setenv("DELIVERY_CONCURRENCY", "")
    settings = load_settings(BOT_TOKEN="123456:ABCDEFGHIJK", _env_file=None)
    assert settings.delivery_window == (time(8, 30), time(20))
    assert settings.admin_ids == (12345, 67890)
    assert settings.delivery_in_flight == 64  # chosen from the rate when not set


SECRET = "s3cr3t-for-the-webhook-0123456789abcdef"


def test_several_workers_on_sqlite_stop_start_up_with_one_line() -> None:
    result = run_main(BOT_TOKEN="123456:abcdefghijkl", WORKERS="3", BOT_MODE="webhook", WEBHOOK_URL="https://bot.example.kz/telegram",
                      WEBHOOK_SECRET=SECRET, REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "AnaBala cannot start: WORKERS>1 and BOT_MODE=webhook need PostgreSQL: set DATABASE_URL=postgresql+asyncpg://... "
        "(SQLite serves one process in polling mode)"
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BOT_MODE": "webhook", "DATABASE_URL": "sqlite+aiosqlite:///x.db"}, "need PostgreSQL"),
        ({"WORKERS": "2"}, "WORKERS>1 needs BOT_MODE=webhook"),
        ({"BOT_MODE": "webhook"}, "BOT_MODE=webhook needs WEBHOOK_URL, WEBHOOK_SECRET, REDIS_URL (see docs/deploy.md)"),
        ({"BOT_MODE": "webhook", "WEBHOOK_URL": "https://bot.example.kz/t", "WEBHOOK_SECRET": SECRET}, "needs REDIS_URL"),
    ],
)
def test_what_several_workers_need_is_said_in_one_line(env: dict[str, str], expected: str) -> None:
    from bot.config import check_deployment

    values = {"BOT_TOKEN": "123456:abcdefghijkl", "DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1/test", **env}
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        check_deployment(load_settings(**values, _env_file=None))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_SECRET", "short"),
        ("WEBHOOK_SECRET", "x" * 31),
        ("WEBHOOK_SECRET", "has spaces and is long enough to pass 32"),
        ("WEBHOOK_URL", "http://bot.example.kz/telegram"),
        ("REDIS_URL", "127.0.0.1:6379"),
        ("BOT_MODE", "both"),
        ("WORKERS", "0"),
    ],
)
def test_webhook_values_are_checked(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name} is invalid"):
        load_settings(**{name: value, "_env_file": None})


def test_one_process_on_sqlite_in_polling_mode_is_fine() -> None:
    from bot.config import check_deployment

    settings = load_settings(BOT_TOKEN="123456:abcdefghijkl", _env_file=None)
    check_deployment(settings)
    assert settings.bot_mode == "polling" and settings.workers == 1 and not settings.shared

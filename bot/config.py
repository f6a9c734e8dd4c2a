"""Every environment variable the bot reads, validated in one place (pydantic-settings)."""

from __future__ import annotations

import math
import re
from datetime import time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["kk", "ru", "en"]
SUPPORTED_LANGUAGES: tuple[Language, ...] = ("kk", "ru", "en")

# What a person should read when a value is wrong: variable -> what is expected.
_EXPECTED = {
    "BOT_TOKEN": "the token from @BotFather, like 123456789:AAE...",
    "TELEGRAM_API_URL": "a base URL such as https://api.telegram.org",
    "DATABASE_URL": "an SQLAlchemy async URL such as sqlite+aiosqlite:///data/bot.sqlite3 "
    "or postgresql+asyncpg://user@host/db",
    "ADMIN_IDS": "comma-separated Telegram user ids, e.g. 12345,67890",
    "DEFAULT_LANGUAGE": "one of kk, ru, en",
    "TIMEZONE": "an IANA time zone name such as Asia/Almaty",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "DELIVERY_RATE": "messages per second for the whole bot, from 1 to 1000 (Telegram's paid broadcast limit)",
    "DELIVERY_WINDOW": "local hours for non-urgent messages, like 09:00-21:00",
    "DELIVERY_CONCURRENCY": "how many messages may be in flight at once, from 1 to 64 (or empty: chosen from DELIVERY_RATE)",
    "ALERT_WAIT_URGENT_MINUTES": "minutes an urgent alert waits for someone to take it before it goes further, 1 to 1440",
    "ALERT_WAIT_HIGH_MINUTES": "minutes a high-risk alert waits before it goes further, 1 to 10080",
    "CONSOLE_URL": "the console's address as staff open it, such as https://console.example.kz",
    "CONSOLE_HOST": "an address for the console to listen on, such as 127.0.0.1",
    "CONSOLE_PORT": "a TCP port for the console, from 0 (any free port) to 65535, or empty: no console",
    "CONSOLE_TELEGRAM_LOGIN": "true or false: offer Telegram's Login Widget (needs a public https CONSOLE_URL)",
    "CONSOLE_BEHIND_PROXY": "true or false: the console is reached through a reverse proxy that sets X-Forwarded-For",
    "WORKER_ID": "this worker's name, 1 to 64 letters, digits, dots, dashes or underscores (e.g. its systemd instance)",
    "METRICS_HOST": "an address for /healthz, /readyz and /metrics to listen on, such as 127.0.0.1",
    "METRICS_PORT": "a TCP port for /healthz, /readyz and /metrics, from 0 (any free port) to 65535, or empty: not served",
    "BOT_MODE": "polling (one process, the default) or webhook (behind a TLS reverse proxy)",
    "WEBHOOK_HOST": "an address for the webhook server to listen on, such as 127.0.0.1",
    "WEBHOOK_PORT": "a TCP port for the webhook server, from 0 (any free port) to 65535",
    "WEBHOOK_PATH": "the path Telegram posts to, starting with /, such as /telegram",
    "WEBHOOK_URL": "the public https address Telegram posts to, such as https://bot.example.kz/telegram",
    "WEBHOOK_SECRET": "32 to 256 random letters, digits, _ or - (e.g. `openssl rand -hex 32`)",
    "WORKERS": "how many worker processes to start on this machine, from 1 to 64",
    "REDIS_URL": "a Redis URL such as redis://127.0.0.1:6379/0",
}


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is one line for a person."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    telegram_api_url: str = Field(default="https://api.telegram.org", alias="TELEGRAM_API_URL")
    database_url: str = Field(default="sqlite+aiosqlite:///data/bot.sqlite3", alias="DATABASE_URL")
    admin_ids: Annotated[tuple[int, ...], NoDecode] = Field(default=(), alias="ADMIN_IDS")
    # The key of the audit log's pseudonyms after /delete_me; without it one is made and kept in the database.
    audit_pepper: SecretStr | None = Field(default=None, alias="AUDIT_PEPPER")
    default_language: Language = Field(default="kk", alias="DEFAULT_LANGUAGE")
    timezone: str = Field(default="Asia/Almaty", alias="TIMEZONE")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="LOG_LEVEL")
    delivery_rate: float = Field(default=25.0, ge=1.0, le=1000.0, alias="DELIVERY_RATE")
    delivery_concurrency: int | None = Field(default=None, ge=1, le=64, alias="DELIVERY_CONCURRENCY")
    # NoDecode: "09:00-21:00" is parsed by _window below, not as JSON.
    delivery_window: Annotated[tuple[time, time], NoDecode] = Field(default=(time(9), time(21)), alias="DELIVERY_WINDOW")
    # An alert nobody acknowledged goes to the next tier after this long (Step 4).
    alert_wait_urgent_minutes: int = Field(default=15, ge=1, le=1440, alias="ALERT_WAIT_URGENT_MINUTES")
    alert_wait_high_minutes: int = Field(default=240, ge=1, le=10080, alias="ALERT_WAIT_HIGH_MINUTES")
    # The coordination console (Step 9), served beside the bot. CONSOLE_URL: the address in the links
    # /console sends (behind a TLS proxy: its https address); by default http://CONSOLE_HOST:port.
    console_url: str | None = Field(default=None, alias="CONSOLE_URL")
    console_host: str = Field(default="127.0.0.1", min_length=1, alias="CONSOLE_HOST")
    console_port: int | None = Field(default=8081, ge=0, le=65535, alias="CONSOLE_PORT")
    console_telegram_login: bool = Field(default=False, alias="CONSOLE_TELEGRAM_LOGIN")
    # Behind a TLS reverse proxy every request comes from the proxy: the browser's address is then the last
    # one the proxy added to X-Forwarded-For (the sign-in rate limit counts per browser, not per proxy).
    console_behind_proxy: bool = Field(default=False, alias="CONSOLE_BEHIND_PROXY")
    # This process's name among the workers (Step 10): its delivery claims carry it, so a worker that starts
    # again returns its own unfinished claims at once and never another live worker's (those wait for their lease).
    worker_id: str = Field(default="main", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$", alias="WORKER_ID")
    # What an operator watches (Step 10): /healthz, /readyz, /metrics on their own port (off when empty).
    metrics_host: str = Field(default="127.0.0.1", min_length=1, alias="METRICS_HOST")
    metrics_port: int | None = Field(default=None, ge=0, le=65535, alias="METRICS_PORT")
    # How updates arrive (Step 10). polling: one process asks Telegram (getUpdates has one consumer).
    # webhook: Telegram posts to WEBHOOK_URL (a TLS proxy in front) and any number of workers share the work.
    bot_mode: Literal["polling", "webhook"] = Field(default="polling", alias="BOT_MODE")
    webhook_host: str = Field(default="127.0.0.1", min_length=1, alias="WEBHOOK_HOST")
    webhook_port: int = Field(default=8443, ge=0, le=65535, alias="WEBHOOK_PORT")
    webhook_path: str = Field(default="/telegram", pattern=r"^/[A-Za-z0-9_./-]*$", alias="WEBHOOK_PATH")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; a post without it is refused.
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    workers: int = Field(default=1, ge=1, le=64, alias="WORKERS")
    # What several processes share: one person's updates in order, the delivery pace, who runs each job.
    redis_url: SecretStr | None = Field(default=None, alias="REDIS_URL")

    @property
    def delivery_in_flight(self) -> int:
        """DELIVERY_CONCURRENCY, or by default enough to keep DELIVERY_RATE over a ~64 ms round
        trip to Telegram: 4 at the default 25/s, 64 at 1,000/s. A crash can resend at most this many."""
        if self.delivery_concurrency is not None:
            return self.delivery_concurrency
        return max(4, min(64, math.ceil(self.delivery_rate * 0.064)))

    @property
    def shared(self) -> bool:
        """Other processes may handle her updates too (webhook mode): no in-process cache may be trusted,
        and what must be one at a time is locked on Redis."""
        return self.bot_mode == "webhook"

    @field_validator(
        "delivery_concurrency", "console_port", "console_url", "metrics_port", "webhook_url", "webhook_secret",
        "redis_url", mode="before",
    )
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("console_url")
    @classmethod
    def _console_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value.startswith("https://") or "#" in value:
            raise ValueError("not an https URL")  # Telegram posts only to https
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value().strip()
        if not 32 <= len(secret) <= 256 or not re.fullmatch(r"[A-Za-z0-9_-]+", secret):
            raise ValueError("weak or malformed secret")
        return SecretStr(secret)

    @field_validator("redis_url")
    @classmethod
    def _redis_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        if not value.get_secret_value().strip().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("not a Redis URL")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("delivery_window", mode="before")
    @classmethod
    def _window(cls, value: object) -> object:
        if isinstance(value, str):
            start, sep, end = value.replace(" ", "").partition("-")
            if not sep:
                raise ValueError("not a range")
            parsed = (time.fromisoformat(start.zfill(5)), time.fromisoformat(end.zfill(5)))
            if parsed[0] >= parsed[1]:
                raise ValueError("empty window")
            return parsed
        return value

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or len(secret) < 10:
            raise ValueError("malformed token")
        return SecretStr(token)

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_shape(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("unsupported database URL")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> tuple[int, ...]:
        if value is None or value == "":
            return ()
        if isinstance(value, (list, tuple)):
            return tuple(int(v) for v in value)
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
        if not all(p.lstrip("-").isdigit() for p in parts):
            raise ValueError("not a list of ids")
        return tuple(int(p) for p in parts)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: Any) -> Settings:  # any field, checked by pydantic
    """Read the environment (and .env); turn the first problem into one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "configuration"
        expected = _EXPECTED.get(name, "a valid value")
        raise ConfigError(f"{name} is invalid: expected {expected}") from None


def check_deployment(settings: Settings) -> None:
    """What the values mean together: one line for the first that cannot work."""
    if settings.database_url.startswith("sqlite") and (settings.workers > 1 or settings.shared):
        raise ConfigError(
            "WORKERS>1 and BOT_MODE=webhook need PostgreSQL: set DATABASE_URL=postgresql+asyncpg://... "
            "(SQLite serves one process in polling mode)"
        )
    if settings.workers > 1 and not settings.shared:
        raise ConfigError("WORKERS>1 needs BOT_MODE=webhook: Telegram gives long polling to one process only")
    if settings.shared:
        missing = [name for name, value in (("WEBHOOK_URL", settings.webhook_url), ("WEBHOOK_SECRET", settings.webhook_secret),
                                            ("REDIS_URL", settings.redis_url)) if value is None]
        if missing:
            raise ConfigError(f"BOT_MODE=webhook needs {', '.join(missing)} (see docs/deploy.md)")

"""The sandbox's own settings (the bot's are in bot/config.py): where the page is served and
which database it plays with. From the environment or .env, like the bot's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import ConfigError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_EXPECTED = {
    "SANDBOX_PORT": "a TCP port from 1 to 65535 (0: any free port)",
    "SANDBOX_HOST": "an address to listen on, such as 127.0.0.1",
    "SANDBOX_DATABASE_URL": "an SQLite URL such as sqlite+aiosqlite:///data/sandbox.sqlite3",
}


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    port: int = Field(default=8080, ge=0, le=65535, alias="SANDBOX_PORT")
    host: str = Field(default="127.0.0.1", min_length=1, alias="SANDBOX_HOST")
    # Never DATABASE_URL: the sandbox deletes its database on reset.
    database_url: str = Field(default="sqlite+aiosqlite:///data/sandbox.sqlite3", alias="SANDBOX_DATABASE_URL")

    @field_validator("database_url")
    @classmethod
    def _sqlite_file(cls, value: str) -> str:
        value = value.strip()
        prefix = "sqlite+aiosqlite:///"
        if not value.startswith(prefix) or len(value) == len(prefix) or ":memory:" in value or "?" in value:
            raise ValueError("the sandbox needs an SQLite file")
        return value

    @property
    def loopback(self) -> bool:
        """Served on this computer only: no key needed. Anywhere else, a key printed at start-up."""
        return self.host in LOOPBACK_HOSTS

    @property
    def database_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite+aiosqlite:///"))

    @property
    def chats_path(self) -> Path:
        """Where the emulated Telegram's chats are kept between runs, beside the database."""
        path = self.database_path
        return path.with_name(path.stem + ".chats.json")


def load_sandbox_settings(**overrides: Any) -> SandboxSettings:  # any field, checked by pydantic
    try:
        return SandboxSettings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "configuration"
        raise ConfigError(f"{name} is invalid: expected {_EXPECTED.get(name, 'a valid value')}") from None

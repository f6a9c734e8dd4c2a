"""What every content file shares: the language fallback, reading a packaged file, the error type."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
# Unknown languages fall back en → ru → kk.
FALLBACK: tuple[str, ...] = ("en", "ru", "kk")


class ContentError(ValueError):
    """A content file is missing something or contradicts itself."""


def pick_language(texts: Mapping[str, str], lang: str) -> str:
    if lang in texts:
        return texts[lang]
    for fallback in FALLBACK:
        if fallback in texts:
            return texts[fallback]
    raise KeyError(lang)  # unreachable for loaded content: all three languages are required


def read_packaged(name: str, error: type[ContentError] = ContentError) -> str:
    """A data file shipped inside the bot.content package (found in an installed wheel too)."""
    try:
        return resources.files("bot.content").joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise error(f"{name}: file not found in the bot.content package") from exc

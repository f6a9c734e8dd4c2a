"""People's names as typed: Kazakh, Russian or Latin script, tidied up."""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_NAME_LENGTH", "clean_person_name"]

MAX_NAME_LENGTH = 64

# Besides letters and spaces: hyphen, dot, and the apostrophes people actually type
# (ASCII ', typographic ’, and the modifier letter ʼ of the Kazakh Latin alphabet).
_PUNCTUATION = frozenset("-.'’ʼ")


def _allowed(ch: str) -> bool:
    if ch == " " or ch in _PUNCTUATION or ch.isalpha():
        return True
    # Combining marks (e.g. a breve typed separately over и) that NFC could not fold into a letter.
    return unicodedata.category(ch).startswith("M")


def clean_person_name(text: str) -> str | None:
    """The name trimmed, with inner whitespace collapsed to single spaces, or None.

    Valid: 1–64 characters, at least one letter (any script), otherwise only spaces, hyphens,
    apostrophes and dots. Commands ("/start"), digits, emoji and other symbols are rejected.
    """
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name or len(name) > MAX_NAME_LENGTH or name.startswith("/"):
        return None
    if not any(ch.isalpha() and ch not in _PUNCTUATION for ch in name):  # ʼ counts as a letter
        return None
    if not all(_allowed(ch) for ch in name):
        return None
    return name

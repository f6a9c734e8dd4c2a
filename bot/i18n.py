"""Catalogs and the locale of each update.

The catalogs are the .po files in locales/; they are compiled to .mo at start-up when a .po is
newer, so a translator's edit is live on the next start without a build step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> None:
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)  # atomic: a second process starting at once never reads half a file


def make_i18n(default_language: str) -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_language, domain=DOMAIN)


def pick_language(candidate: str | None, default: str) -> str:
    """A Telegram language code like 'ru-RU' or 'kk' to one of ours, else the default."""
    if candidate:
        short = candidate.split("-")[0].lower()
        if short in SUPPORTED_LANGUAGES:
            return short
    return default


class UserLocaleMiddleware(I18nMiddleware):
    """Her saved language (a mother's, or staff's own); during registration the one she chose;
    else Telegram's; else the default."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        if user is not None:
            return str(user.language)
        member = data.get("staff_member")
        if member is not None and member.language_chosen:
            return str(member.language)
        tg_user: User | None = data.get("event_from_user")
        if member is not None:  # a national admin who has not chosen: her app's language
            return pick_language(tg_user.language_code if tg_user else None, self.i18n.default_locale)
        state = data.get("state")
        if state is not None:
            chosen = (await state.get_data()).get("lang")
            if chosen in SUPPORTED_LANGUAGES:
                return str(chosen)
        return pick_language(tg_user.language_code if tg_user else None, self.i18n.default_locale)

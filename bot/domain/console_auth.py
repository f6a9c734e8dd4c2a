"""Signing in to the console without a password: a one-time link from the bot, or Telegram's Login
Widget. Pure functions; the service stores only hashes of the codes.

Telegram documents the widget's check: the data's fields but `hash`, sorted and joined as
"key=value" lines, signed with HMAC-SHA-256 under SHA-256(bot token).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
# /console gives at most this many links per staff member in LINK_LIFETIME.
LINKS_PER_WINDOW = 5
# A Login Widget answer older than this is refused (a copied URL cannot be replayed later).
WIDGET_MAX_AGE = timedelta(minutes=10)
CODE_BYTES = 32  # 256 bits


def new_code() -> str:
    """A URL-safe code of 256 random bits."""
    return secrets.token_urlsafe(CODE_BYTES)


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def widget_user_id(data: Mapping[str, str], bot_token: str, now: datetime) -> int | None:
    """The Telegram user id the Login Widget vouches for, or None if the signature is wrong, the answer
    is stale or malformed."""
    given = data.get("hash", "")
    if not (len(given) == 64 and all(c in "0123456789abcdef" for c in given)):
        return None
    if not data.get("id", "").isdigit() or not data.get("auth_date", "").isdigit():
        return None
    check = "\n".join(f"{key}={data[key]}" for key in sorted(data) if key != "hash")
    secret = hashlib.sha256(bot_token.encode()).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        return None
    signed_at = datetime.fromtimestamp(int(data["auth_date"]), tz=now.tzinfo)
    if not (now - WIDGET_MAX_AGE <= signed_at <= now + timedelta(minutes=1)):
        return None
    return int(data["id"])


def sign_widget_data(data: Mapping[str, str], bot_token: str) -> str:
    """What Telegram would put in `hash` (tests and the sandbox sign with it)."""
    check = "\n".join(f"{key}={data[key]}" for key in sorted(data) if key != "hash")
    return hmac.new(hashlib.sha256(bot_token.encode()).digest(), check.encode(), hashlib.sha256).hexdigest()

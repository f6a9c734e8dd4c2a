"""Erasure that leaves nothing pointing to her: a keyed, non-reversible pseudonym for the audit log.

The audit log must keep what staff did (who opened which card, who took which alert) after a mother
erases herself, but not who she was. Her Telegram id is replaced by HMAC-SHA256(pepper, id), cut to a
negative 56-bit number (negative: it can never be mistaken for a real Telegram id). Without the pepper
the pseudonym cannot be reversed, even by trying every possible id; with it, the same person always
gets the same pseudonym, so counts per family still add up.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["pseudonym"]


def pseudonym(user_id: int, pepper: bytes) -> int:
    digest = hmac.new(pepper, str(user_id).encode(), hashlib.sha256).digest()
    return -(int.from_bytes(digest[:7], "big") + 1)

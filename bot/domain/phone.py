"""Phone numbers: a typed Kazakhstan mobile number to E.164, and back to a readable form.

Kazakhstan shares country code +7 with Russia. Kazakh numbers are +7 followed by a ten-digit
national number starting with 6 or 7; mobile numbers start with one of the operator codes below.
People also type the old trunk prefix 8 instead of +7, or just the ten national digits.
"""

from __future__ import annotations

import re

__all__ = ["KZ_MOBILE_CODES", "format_phone", "normalize_contact_phone", "normalize_kz_mobile"]

# Kazakhstan mobile network codes (the three digits after +7): 700–708, 747, 750, 751,
# 760–764, 771, 775–778. This is the project's list; check it against the national numbering
# plan before a release and add codes here when new ones are allocated. Landline area codes
# (e.g. 727 Almaty, 717 Astana) and Russian mobile codes (9xx) are deliberately absent.
KZ_MOBILE_CODES: frozenset[str] = frozenset(
    [f"{n}" for n in range(700, 709)]
    + ["747", "750", "751"]
    + [f"{n}" for n in range(760, 765)]
    + ["771", "775", "776", "777", "778"]
)

# Digits plus the punctuation people put into numbers; a "+" only at the very start.
_TYPED_NUMBER = re.compile(r"\+?[0-9\s().\-]+")
_KZ_E164 = re.compile(r"\+7(7[0-9]{2})([0-9]{3})([0-9]{2})([0-9]{2})")
_MAX_INPUT = 40


def normalize_kz_mobile(text: str) -> str | None:
    """A typed Kazakhstan mobile number as E.164 ``+77XXXXXXXXX``, or None.

    Accepts ``+7 701 123 45 67``, ``87011234567``, ``8 (701) 123-45-67``, ``+7(701)1234567``,
    ``7011234567`` and ``77011234567``. Rejects landlines, Russian numbers, wrong lengths and
    anything with letters.
    """
    if len(text) > _MAX_INPUT:
        return None
    stripped = text.strip()
    if not _TYPED_NUMBER.fullmatch(stripped):
        return None
    digits = re.sub(r"[^0-9]", "", stripped)
    if stripped.startswith("+"):
        if len(digits) != 11 or digits[0] != "7":
            return None
        national = digits[1:]
    elif len(digits) == 11 and digits[0] in "78":
        national = digits[1:]
    elif len(digits) == 10:
        national = digits
    else:
        return None
    if national[:3] not in KZ_MOBILE_CODES:
        return None
    return "+7" + national


def format_phone(e164: str) -> str:
    """``+77011234567`` as ``+7 701 123 45 67``; any other number is returned unchanged."""
    match = _KZ_E164.fullmatch(e164)
    if match is None:
        return e164
    return "+7 " + " ".join(match.groups())


def normalize_contact_phone(phone_number: str) -> str:
    """The phone of a contact shared in Telegram (``77011234567``, ``+77011234567``, any country)
    as ``+`` and its digits. Telegram sends international numbers, so no trunk-prefix rewriting.

    Raises ``ValueError`` if it holds no digits at all.
    """
    digits = re.sub(r"[^0-9]", "", phone_number)
    if not digits:
        raise ValueError(f"not a phone number: {phone_number!r}")
    return "+" + digits

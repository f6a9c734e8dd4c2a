"""One line per event, with ids and event names only.

Health data is sensitive: never pass names, phone numbers, dates of birth, answers or message
text to `log_event`. Values are restricted to ids, codes and counts by convention and review.

Other libraries (aiogram, aiohttp, APScheduler, warnings) are not ours to review, so every record of
theirs passes through `WithholdPayloads` on the way out: their message template stays, numbers stay,
but every other value, exception text and traceback is withheld — a Telegram payload (her name, her
text, her phone) can never reach a log line through them, at any level.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger("anabala")

WITHHELD = "‹withheld›"
_RISKY = re.compile(r"[\"'{}<>\n]|\d{5,}")  # quoting, markup, payload dumps, phone-like numbers


def _number_or_withheld(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else WITHHELD


class WithholdPayloads(logging.Filter):
    """Keeps our own `anabala` lines as they are; reduces everyone else's to template and numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "anabala" or record.name.startswith("anabala."):
            return True
        if isinstance(record.args, Mapping):
            record.args = {key: _number_or_withheld(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_number_or_withheld(value) for value in record.args)
        elif not isinstance(record.msg, str) or _RISKY.search(record.msg) or len(record.msg) > 200:
            record.msg = f"{WITHHELD} message"
        if record.exc_info:
            kind = record.exc_info[0].__name__ if record.exc_info[0] is not None else "Exception"
            record.msg = f"{record.msg} [{kind}]"
            record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True


def setup_logging(level: str = "INFO", worker: str = "main") -> None:
    """`worker`: WORKER_ID, on every line, so the lines of several workers can be told apart."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s %(name)s worker={worker} %(message)s"))
    handler.addFilter(WithholdPayloads())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # aiogram's "unknown update" warning would print the update itself
    # aiogram logs full update contents at DEBUG and "Update id=... is handled" at INFO.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def log_event(event: str, **ids: int | str | None) -> None:
    fields = " ".join(f"{key}={value}" for key, value in ids.items() if value is not None)
    logger.info("event=%s %s", event, fields)

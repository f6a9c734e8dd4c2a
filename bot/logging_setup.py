"""One line per event, with ids and event names only.

Health data is sensitive: never pass names, phone numbers, dates of birth, answers or message
text to `log_event`. Values are restricted to ids, codes and counts by convention and review.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("anabala")


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiogram logs full update contents at DEBUG and "Update id=... is handled" at INFO.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def log_event(event: str, **ids: int | str | None) -> None:
    fields = " ".join(f"{key}={value}" for key, value in ids.items() if value is not None)
    logger.info("event=%s %s", event, fields)

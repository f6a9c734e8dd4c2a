"""The event loop the bot runs on: uvloop where it is installed (Linux, macOS), else asyncio's own.

uvloop cuts the CPU per message the delivery engine sends by about 15 % (bench/README.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # e.g. Windows, where uvloop does not exist
        return asyncio.run(main)
    return uvloop.run(main)

"""A strict in-process Telegram Bot API emulator and a user simulator for tests and benchmarks."""

from emulator.errors import ApiError
from emulator.faults import Fault, Faults
from emulator.formatting import parse_html, utf16_len
from emulator.limits import RateLimits
from emulator.server import BotAPIEmulator, Call, EmulatorStats
from emulator.spec import BotApiSpec, UploadedFile, load_spec
from emulator.users import ChatMessage, SimUser, WaitTimeout
from emulator.webhook import WebhookSettings, WebhookStats

__all__ = [
    "ApiError",
    "BotAPIEmulator",
    "BotApiSpec",
    "Call",
    "ChatMessage",
    "EmulatorStats",
    "Fault",
    "Faults",
    "RateLimits",
    "SimUser",
    "UploadedFile",
    "WaitTimeout",
    "WebhookSettings",
    "WebhookStats",
    "load_spec",
    "parse_html",
    "utf16_len",
]

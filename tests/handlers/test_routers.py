"""The wiring itself: aiogram passes the event as a handler's first argument and everything else by
name, so a handler whose first parameter is not the event fails only when it is reached — often a
catch-all that runs when something is already odd. Every registered handler is checked here."""

from __future__ import annotations

import inspect

from tests.handlers.feed import FedApp

EVENT_TYPES = ("Message", "CallbackQuery", "ChatMemberUpdated", "ErrorEvent", "Update", "TelegramObject")


def test_every_handler_takes_its_event_first(fed: FedApp) -> None:
    wrong = []
    count = 0
    for router in fed.app.dispatcher.chain_tail:
        for kind, observer in router.observers.items():
            for handler in observer.handlers:
                count += 1
                first = next(iter(inspect.signature(handler.callback).parameters.values()), None)
                annotation = str(first.annotation) if first is not None else ""
                if not any(event in annotation for event in EVENT_TYPES):
                    wrong.append(f"{router.name}.{kind}: {handler.callback.__qualname__}({first})")
    assert count > 100  # the routers were walked
    assert wrong == []

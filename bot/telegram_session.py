"""aiogram's aiohttp session, made cheaper per call for the delivery engine's 1,000 messages/s.

Three changes, measured in bench/README.md (`delivery.py`):
- Requests without files go as one JSON body (the Bot API accepts application/json), encoded by
  pydantic-core, instead of a urlencoded form built field by field; requests with files keep
  aiogram's multipart form.
- A successful answer is parsed by pydantic straight from the JSON text into `Response[<result
  type>]`; anything else (an error, a body that is not JSON) goes through aiogram's own checks,
  which raise the usual exceptions.
- pydantic keeps parametrised classes like `Response[Message]` only weakly, so under load they
  are collected and built again (~6 ms each); we hold each one we have used.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Update
from aiohttp import ClientError, ClientTimeout
from pydantic import ValidationError
from pydantic_core import to_json

from bot.logging_setup import log_event

_JSON_HEADERS = {"Content-Type": "application/json"}
_RESPONSE_TYPES: dict[Any, Any] = {}  # result type → Response[result type], held strongly


class BotSession(AiohttpSession):
    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, Any] = {}
        payload = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                payload[key] = prepared
        if files:  # uploads need multipart: aiogram's own form
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=to_json(payload),
                headers=_JSON_HEADERS,
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),  # what aiohttp makes of a number
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        response = self.check_response(bot=bot, method=method, status_code=resp.status, content=raw_result)
        return cast(TelegramType, response.result)

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        response_type = _RESPONSE_TYPES.get(returning)
        if response_type is None:
            response_type = _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]  # pydantic: a generic model parametrised at run time
        if status_code == HTTPStatus.OK:
            try:
                response = response_type.model_validate_json(content, context={"bot": bot})
            except ValidationError:
                if isinstance(method, GetUpdates):
                    return cast(Response[TelegramType], _updates_one_by_one(bot, content))
                # otherwise aiogram's path below says what is wrong
            else:
                if response.ok:
                    return response
        return super().check_response(bot, method, status_code, content)


def _updates_one_by_one(bot: Bot, content: str) -> Response[list[Update]]:
    """A batch with one update the library cannot read (a field it does not know, a required one
    missing) must not stop every update behind it: polling would ask for the same batch forever.
    Each update is read on its own; one that fails becomes a bare ``Update(update_id=…)``, which moves
    the offset past it and which the dispatcher skips, and one line says so — its id and the reason's
    kind, never its content (it may hold her name or what she wrote)."""
    raw = json.loads(content)
    updates: list[Update] = []
    for item in raw.get("result") or []:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        try:
            updates.append(Update.model_validate(item, context={"bot": bot}))
        except ValidationError as error:
            if not isinstance(update_id, int):
                log_event("update_unreadable", reason="no_update_id")
                continue
            reasons = sorted({problem["type"] for problem in error.errors()})
            log_event("update_skipped", update_id=update_id, reason=",".join(reasons))
            updates.append(Update(update_id=update_id))
    return Response[list[Update]](ok=True, result=updates)

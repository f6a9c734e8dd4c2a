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

import asyncio
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiohttp import ClientError
from pydantic import ValidationError
from pydantic_core import to_json

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
                timeout=self.timeout if timeout is None else timeout,
            ) as resp:
                raw_result = await resp.text()
        except asyncio.TimeoutError as e:
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
            response_type = _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        if status_code == HTTPStatus.OK:
            try:
                response = response_type.model_validate_json(content, context={"bot": bot})
            except ValidationError:
                pass  # aiogram's path below says what is wrong
            else:
                if response.ok:
                    return response  # type: ignore[no-any-return]
        return super().check_response(bot, method, status_code, content)

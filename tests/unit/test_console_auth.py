"""Signing in to the console (bot/domain/console_auth.py, console/security.py): codes, Telegram's Login
Widget signature as Telegram documents it, the sign-in rate limit and the Content-Security-Policy."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from bot.domain.console_auth import code_hash, new_code, sign_widget_data, widget_user_id
from console.security import SignInLimiter, content_security_policy

TOKEN = "123456:TEST-token-for-emulator"
NOW = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)


def signed(**fields: str) -> dict[str, str]:
    # Telegram's documented algorithm, written out here independently of the code under test.
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    digest = hmac.new(hashlib.sha256(TOKEN.encode()).digest(), check.encode(), hashlib.sha256).hexdigest()
    return {**fields, "hash": digest}


def test_codes_carry_256_random_bits_and_only_their_hash_is_kept() -> None:
    codes = {new_code() for _ in range(100)}
    assert len(codes) == 100 and all(len(code) >= 43 for code in codes)
    code = new_code()
    assert code_hash(code) == hashlib.sha256(code.encode()).hexdigest() and code not in code_hash(code)


def test_the_login_widget_is_believed_only_with_telegrams_signature_and_when_fresh() -> None:
    data = signed(id="7301", first_name="Saule", username="saule", auth_date=str(int(NOW.timestamp()) - 60))
    assert widget_user_id(data, TOKEN, NOW) == 7301
    assert sign_widget_data(data, TOKEN) == data["hash"]
    assert widget_user_id({**data, "id": "7302"}, TOKEN, NOW) is None  # another user, same signature
    assert widget_user_id(data, "654321:another-bot-token", NOW) is None
    assert widget_user_id({k: v for k, v in data.items() if k != "hash"}, TOKEN, NOW) is None
    assert widget_user_id(data, TOKEN, NOW + timedelta(minutes=11)) is None  # a replay later
    stale = signed(id="7301", auth_date=str(int((NOW - timedelta(days=2)).timestamp())))
    assert widget_user_id(stale, TOKEN, NOW) is None
    assert widget_user_id(signed(id="x", auth_date="1"), TOKEN, NOW) is None


def test_sign_in_attempts_are_limited_per_address() -> None:
    now = [0.0]
    limiter = SignInLimiter(attempts=3, window=60, monotonic=lambda: now[0])
    assert [limiter.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("10.0.0.2")
    now[0] = 61
    assert limiter.allow("10.0.0.1")


def test_no_inline_script_is_ever_allowed() -> None:
    for widget in (False, True):
        policy = content_security_policy(widget)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
    assert "telegram.org" not in content_security_policy(False)


def test_behind_a_proxy_the_browser_is_the_address_the_proxy_added() -> None:
    from types import SimpleNamespace
    from typing import Any

    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from console.keys import CONTEXT
    from console.pages.signin import client_address

    def request(behind_proxy: bool, forwarded: str | None) -> web.Request:
        app = web.Application()
        app[CONTEXT] = SimpleNamespace(settings=SimpleNamespace(console_behind_proxy=behind_proxy))  # type: ignore[assignment]
        headers: Any = {"X-Forwarded-For": forwarded} if forwarded else {}
        return make_mocked_request("POST", "/login/x", headers=headers, app=app)

    assert client_address(request(True, "6.6.6.6, 10.1.2.3")) == "10.1.2.3"  # the first one is the browser's claim
    assert client_address(request(False, "10.1.2.3")) != "10.1.2.3"  # not trusted without the setting

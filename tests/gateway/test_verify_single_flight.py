"""A burst with one credential before it is cached costs the auth service one verify call,
and none of the burst is refused for want of a connection to it (issue 27's burst test
failed on this: 141 of 500 chats got "auth service unreachable", a pool timeout)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from atlas_auth.main import create_app
from atlas_common.settings import DEV_INTERNAL_TOKEN
from atlas_gateway.auth.authenticator import Authenticator
from atlas_gateway.auth.cache import PrincipalCache
from tests.auth.support import make_settings
from tests.support.inprocess import serve

KEY = "single-flight-key-0123456789"
BURST = 200


class CountVerifies:
    """Counts the auth app's verify calls (the real app behind it answers them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/internal/v1/verify":
            self.calls += 1
        await self.app(scope, receive, send)


def request_with(headers: dict[str, str]) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/api/v1/chat",
                    "client": ("127.0.0.1", 50000), "query_string": b"",
                    "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})


async def _burst(principal: Callable[[Request], Awaitable[object]],
                 headers: dict[str, str]) -> list[object]:
    return await asyncio.gather(*(principal(request_with(headers)) for _ in range(BURST)),
                                return_exceptions=True)


async def test_a_burst_with_one_key_is_verified_once() -> None:
    counted = CountVerifies(create_app(make_settings(ATLAS_API_KEY=KEY)))
    async with serve(counted) as url:  # type: ignore[arg-type]
        # two connections to auth, as a replica under load has few free: one call must do
        limits = httpx.Limits(max_connections=2)
        async with httpx.AsyncClient(limits=limits) as http:
            auth = Authenticator(url, DEV_INTERNAL_TOKEN, http, PrincipalCache(100, 60), [])
            seen = await _burst(auth.principal, {"x-api-key": KEY})
            assert not [s for s in seen if isinstance(s, BaseException)], seen[:3]
            assert {s.user_id for s in seen} == {seen[0].user_id}  # type: ignore[attr-defined]
            assert counted.calls == 1
            refused = await _burst(auth.principal, {"x-api-key": "a wrong key, also once"})
            assert all(getattr(r, "code", None) == "auth_error" for r in refused), refused[:3]
            assert counted.calls == 2
            assert not auth._verifying  # nothing kept once answered

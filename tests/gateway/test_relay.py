"""The relay to internal services: what goes up (allowed headers, the internal token, the
principal, x-forwarded-for), what comes back (only the listed headers), and a service that
cannot be reached (503 unavailable, told when to retry in header and body)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from atlas_common.errors import install_error_handlers
from atlas_common.internal import INTERNAL_TOKEN_HEADER, PRINCIPAL_HEADER, decode_principal
from atlas_common.principal import Principal
from atlas_gateway.proxy import relay
from tests.support.inprocess import serve

TOKEN = "relay-test-token"
CALLER = Principal(user_id="u1", role="analyst")


def upstream_app() -> FastAPI:
    app = FastAPI()

    @app.post("/api/thing")
    async def thing(request: Request) -> Response:
        seen = {"headers": dict(request.headers), "query": str(request.url.query),
                "body": (await request.body()).decode()}
        response = Response(
            content=json.dumps(seen), media_type="application/json")
        response.headers["set-cookie"] = "s=1; HttpOnly"
        response.headers["x-internal-detail"] = "never relayed"
        return response

    return app


def gateway_app(base_url: str, http: httpx.AsyncClient) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    state: Any = SimpleNamespace(settings=SimpleNamespace(internal_token=TOKEN), http=http)

    @app.post("/api/thing")
    async def thing(request: Request) -> Response:
        return await relay(request, state, base_url, "thing", CALLER)

    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def call(app: FastAPI, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app, client=("203.0.113.9", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        return await client.post("/api/thing", **kwargs)


async def test_what_goes_up_and_what_comes_back(http: httpx.AsyncClient) -> None:
    async with serve(upstream_app()) as url:
        response = await call(gateway_app(url, http), params={"a": "1"}, content=b"{}",
                              headers={"authorization": "Bearer t", "x-secret": "no",
                                       "content-type": "application/json"})
    seen = response.json()
    up = seen["headers"]
    assert up["authorization"] == "Bearer t" and "x-secret" not in up
    assert up[INTERNAL_TOKEN_HEADER] == TOKEN
    assert decode_principal(up[PRINCIPAL_HEADER]) == CALLER
    assert up["x-forwarded-for"] == "203.0.113.9"
    assert (seen["query"], seen["body"]) == ("a=1", "{}")
    assert response.headers["set-cookie"] == "s=1; HttpOnly"
    assert "x-internal-detail" not in response.headers


async def test_a_service_that_cannot_be_reached_is_503_with_retry_after(
    http: httpx.AsyncClient,
) -> None:
    response = await call(gateway_app("http://127.0.0.1:1", http))
    body = response.json()
    assert response.status_code == 503 and body["error"] == "unavailable"
    assert response.headers["retry-after"] == "2" and body["retryAfterSeconds"] == 2

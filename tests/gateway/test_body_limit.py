"""Bodies over the limit get 413 payload_too_large in the envelope, declared or streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request

from atlas_gateway.middleware import BodyLimitMiddleware, RequestIdMiddleware

LIMIT = 1000


def app() -> FastAPI:
    application = FastAPI()

    @application.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    application.add_middleware(BodyLimitMiddleware, max_bytes=LIMIT)
    application.add_middleware(RequestIdMiddleware)
    return application


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app()), base_url="http://g")


async def chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 100):
        yield b"x" * 100


async def test_a_body_at_the_limit_passes() -> None:
    async with client() as http:
        response = await http.post("/echo", content=b"x" * LIMIT)
    assert response.status_code == 200 and response.json() == {"bytes": LIMIT}


async def test_a_declared_body_over_the_limit_is_refused() -> None:
    async with client() as http:
        response = await http.post("/echo", content=b"x" * (LIMIT + 1))
    body = response.json()
    assert response.status_code == 413 and body["error"] == "payload_too_large"
    assert body["requestId"] == response.headers["x-request-id"]


async def test_a_streamed_body_over_the_limit_is_refused() -> None:
    async with client() as http:  # chunked: no content-length to trust
        response = await http.post("/echo", content=chunks(LIMIT * 3))
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"

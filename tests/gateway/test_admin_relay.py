"""The audit routes' relay: path and query kept, the principal sent up, the CSV export passed
on chunk by chunk (the client reads the first rows before the audit service has written the
rest) with its download headers, and an audit service that is down: 503 ``unavailable``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import StreamingResponse

from atlas_common.errors import install_error_handlers
from atlas_common.internal import PRINCIPAL_HEADER, decode_principal
from atlas_common.principal import Principal
from atlas_gateway.proxy import relay_to_audit
from tests.support.inprocess import serve

ADMIN = Principal(user_id="ada", role="admin", workspace_id="ws1")
HEADERS = {"content-disposition": 'attachment; filename="atlas-audit-2026-12-07.csv"',
           "x-atlas-truncated": "true"}


def audit_app(more: asyncio.Event, seen: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/admin/audit/export")
    async def export(request: Request) -> Response:
        seen.append({"query": str(request.url.query),
                     "principal": decode_principal(request.headers[PRINCIPAL_HEADER])})

        async def rows() -> AsyncIterator[bytes]:
            yield b"id,question\r\n1,first\r\n"
            await more.wait()  # the rest only once the client has the first rows
            yield b"2,second\r\n"

        return StreamingResponse(rows(), media_type="text/csv", headers=HEADERS)

    @app.get("/api/v1/admin/audit")
    async def log() -> dict[str, Any]:
        return {"rows": [], "total": 0, "limit": 50, "offset": 0, "nextCursor": None}

    return app


def gateway_app(audit_url: str, http: httpx.AsyncClient) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    state: Any = SimpleNamespace(
        settings=SimpleNamespace(internal_token="t", audit_url=audit_url), http=http)

    @app.get("/api/v1/admin/audit/export")
    async def export(request: Request) -> Response:
        return await relay_to_audit(request, state, ADMIN, stream=True)

    @app.get("/api/v1/admin/audit")
    async def log(request: Request) -> Response:
        return await relay_to_audit(request, state, ADMIN)

    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def test_the_export_streams_with_its_headers(http: httpx.AsyncClient) -> None:
    more, seen = asyncio.Event(), []  # type: ignore[var-annotated]
    params = {"outcome": "error", "q": "a b"}
    async with (
        serve(audit_app(more, seen)) as audit,
        serve(gateway_app(audit, http)) as gw,
        http.stream("GET", gw + "/api/v1/admin/audit/export", params=params) as response,
    ):
        chunks = response.aiter_bytes()
        first = await asyncio.wait_for(anext(chunks), 5)
        more.set()
        rest = b"".join([chunk async for chunk in chunks])
    assert first == b"id,question\r\n1,first\r\n" and rest == b"2,second\r\n"
    assert response.headers["content-type"].startswith("text/csv")
    assert {k: response.headers[k] for k in HEADERS} == HEADERS
    assert seen == [{"query": "outcome=error&q=a+b", "principal": ADMIN}]


async def test_a_down_audit_service_is_503(http: httpx.AsyncClient) -> None:
    async with serve(gateway_app("http://127.0.0.1:9", http)) as gw:
        for path in ("/api/v1/admin/audit", "/api/v1/admin/audit/export"):
            response = await http.get(gw + path)
            assert response.status_code == 503, path
            assert response.json()["error"] == "unavailable"
            assert "retry-after" in response.headers


async def test_the_list_is_relayed_as_answered(http: httpx.AsyncClient) -> None:
    async with serve(audit_app(asyncio.Event(), [])) as audit, serve(
        gateway_app(audit, http)
    ) as gw:
        response = await http.get(gw + "/api/v1/admin/audit", params={"limit": "5"})
    assert response.status_code == 200 and response.json()["total"] == 0

"""An internal app whose PostgreSQL is restarting answers 503 unavailable (+ Retry-After), never
a 500; any other unexpected error is still a 500 internal_error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, FastAPI

from atlas_common.internal import INTERNAL_TOKEN_HEADER
from atlas_common.service import internal_app

TOKEN = "db-token"
RAISED: dict[str, Exception] = {
    "closed": asyncpg.ConnectionDoesNotExistError("connection was closed mid-operation"),
    "starting": asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    "shutdown": asyncpg.exceptions.AdminShutdownError("terminating connection"),
    "refused": ConnectionRefusedError(111, "Connect call failed"),
    "pool": TimeoutError(),
    "interface": asyncpg.InterfaceError("connection is closed"),
    "bug": ValueError("not a database problem"),
}


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/raise/{kind}")
    async def raise_(kind: str) -> None:
        raise RAISED[kind]

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        yield

    return internal_app("db", TOKEN, lifespan, [router])


async def _get(kind: str) -> httpx.Response:
    transport = httpx.ASGITransport(_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
        return await http.get(f"/raise/{kind}", headers={INTERNAL_TOKEN_HEADER: TOKEN})


@pytest.mark.parametrize("kind", [k for k in RAISED if k != "bug"])
async def test_database_down_is_unavailable(kind: str) -> None:
    r = await _get(kind)
    assert r.status_code == 503, r.text
    assert r.json()["error"] == "unavailable" and r.json()["retryAfterSeconds"] >= 1
    assert int(r.headers["retry-after"]) >= 1


async def test_other_errors_stay_internal() -> None:
    r = await _get("bug")
    assert r.status_code == 500 and r.json()["error"] == "internal_error"

"""The relay is exact (issue 22: the upstream URL was built from the decoded path, so
``/conversations/%2E%2E`` reached ``/api/v1`` upstream and ``%1E`` was a 500): over a corpus of
encoded paths, a request either reaches the internal service with its raw path byte for byte,
or is refused with 404 ``not_found`` before anything is relayed. Both ends are real HTTP
servers (uvicorn), so the raw paths are the ones a client sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from atlas_common.errors import install_error_handlers
from atlas_common.principal import Principal
from atlas_gateway.proxy import METHODS, relay
from tests.support.inprocess import serve

CALLER = Principal(user_id="u1", role="analyst")
# Encoded forms that could name another route once decoded: refused before the relay.
REFUSED = ["%2E%2E", "%2e%2e", "%2E", ".%2E", "%2E.", "a%2Fb", "%2F", "%2F%2E%2E%2Fadmin",
           "a%5Cb", "%5C..", "%1E", "%00", "%0A", "%0D%0Aset-cookie:x", "%09", "%7F",
           "%C0%AE%C0%AE", "%C0%AF", "%E0%80%AE", "%C1%9C", "%FF", "%ED%A0%80"]
# Encoded forms that are plain names: relayed with their escapes as sent.
KEPT = ["abc", "a%20b", "%41bc", "caf%C3%A9", "a%25b", "a+b", "a%3Bb", "~user", "a.b", "..a"]
PREFIXES = ["/api/v1/conversations/", "/api/v1/conversations/x/", "/api/auth/",
            "/api/v1/admin/semantic/raw/"]


@dataclass
class Ends:
    url: str  # the gateway's
    seen: list[bytes]  # raw paths the internal service received
    client: httpx.AsyncClient


def upstream(seen: list[bytes]) -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=METHODS)
    async def anything(request: Request) -> Response:
        seen.append(request.scope["raw_path"])
        return Response(status_code=200)

    return app


def gateway(base_url: str, http: httpx.AsyncClient) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    state: Any = SimpleNamespace(settings=SimpleNamespace(internal_token="t"), http=http)

    @app.api_route("/api/{path:path}", methods=METHODS)
    async def anything(request: Request) -> Response:
        return await relay(request, state, base_url, "thing", CALLER)

    return app


@pytest.fixture
async def ends() -> AsyncIterator[Ends]:
    seen: list[bytes] = []
    async with httpx.AsyncClient(timeout=5) as http, serve(upstream(seen)) as up, \
            serve(gateway(up, http)) as gw, httpx.AsyncClient(timeout=5) as client:
        yield Ends(gw, seen, client)


async def _send(ends: Ends, method: str, path: str) -> httpx.Response:
    url = httpx.URL(ends.url).copy_with(raw_path=path.encode())
    assert url.raw_path == path.encode()  # the client sends the escapes as written
    return await ends.client.request(method, url)


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_encoded_paths_are_refused_before_the_relay(ends: Ends, prefix: str) -> None:
    for form in REFUSED:
        for method in ("GET", "DELETE", "PATCH"):
            r = await _send(ends, method, prefix + form)
            assert r.status_code == 404 and r.json()["error"] == "not_found", (method, form)
    assert ends.seen == []


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_plain_names_reach_upstream_byte_for_byte(ends: Ends, prefix: str) -> None:
    for form in KEPT:
        path = prefix + form
        r = await _send(ends, "GET", path)
        assert r.status_code == 200, form
        assert ends.seen[-1] == path.encode(), form
    assert len(ends.seen) == len(KEPT)

"""AccessLogMiddleware in process: one line per request with the route template, at the level
the app chose; a request that raised is one 500 line and one error record."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from atlas_common.access_log import AccessLogMiddleware
from atlas_common.errors import install_error_handlers
from atlas_common.internal import REQUEST_ID_HEADER, internal_headers


def app(level: int, *, id_header: bool = False) -> FastAPI:
    application = FastAPI()
    install_error_handlers(application)
    application.add_middleware(AccessLogMiddleware, level=level, id_header=id_header)

    @application.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @application.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @application.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return application


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app(logging.INFO), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
        yield http


def access(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "atlas.access"]


def fields(record: logging.LogRecord, *names: str) -> tuple[object, ...]:
    return tuple(record.__dict__[name] for name in names)


async def test_one_line_with_the_template_never_the_path(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.get("/things/id-42?token=t0ken")
    [line] = access(caplog)
    assert line.levelno == logging.INFO
    assert fields(line, "method", "route", "status") == ("GET", "/things/{thing_id}", 200)
    assert "id-42" not in str(line.__dict__) and "t0ken" not in str(line.__dict__)


async def test_a_request_that_raised_is_a_500_line_and_one_error_record(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    r = await client.get("/boom")
    assert r.status_code == 500
    [line] = access(caplog)
    assert fields(line, "route", "status") == ("/boom", 500)
    errors = [x for x in caplog.records if x.exc_info]
    assert len(errors) == 1 and fields(errors[0], "route") == ("/boom",)


async def test_no_route_and_probes(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.get("/nothing/here")
    await client.get("/healthz")
    missing, probe = access(caplog)
    assert fields(missing, "route", "status", "levelno") == (None, 404, logging.INFO)
    assert fields(probe, "route", "levelno") == ("/healthz", logging.DEBUG)


async def test_an_internal_app_logs_at_debug_under_the_callers_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    application = app(logging.DEBUG, id_header=True)
    transport = httpx.ASGITransport(application)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
        await http.get("/things/1", headers={"x-request-id": "rid-1"})
        assert not access(caplog)  # at INFO, an internal app says nothing
        caplog.set_level(logging.DEBUG)
        await http.get("/things/2", headers={"x-request-id": "rid-2"})
    [line] = access(caplog)
    assert fields(line, "levelno", "request_id") == (logging.DEBUG, "rid-2")


async def test_calls_made_while_serving_carry_the_request_id() -> None:
    application = app(logging.INFO, id_header=True)

    @application.get("/calls")
    async def calls() -> dict[str, str]:
        return internal_headers("token")

    transport = httpx.ASGITransport(application)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
        sent = (await http.get("/calls", headers={"x-request-id": "rid-3"})).json()
    assert sent[REQUEST_ID_HEADER] == "rid-3"
    assert REQUEST_ID_HEADER not in internal_headers("token")  # outside a request: none

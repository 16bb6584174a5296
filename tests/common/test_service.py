"""The service skeleton: the internal app's shape, the typed state, the one-line refusal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import Field, ValidationError

from atlas_common.internal import INTERNAL_TOKEN_HEADER
from atlas_common.service import app_state, internal_app, set_state, settings_error_line
from atlas_common.settings import CommonSettings

TOKEN = "skeleton-token"


@dataclass
class State:
    greeting: str


@dataclass
class OtherState:
    pass


def app() -> FastAPI:
    router = APIRouter()

    @router.get("/hello")
    async def hello(request: Request) -> dict[str, str]:
        return {"greeting": app_state(request, State).greeting}

    @router.get("/wrong")
    async def wrong(request: Request) -> dict[str, str]:
        app_state(request, OtherState)
        return {}

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        set_state(application, State("hi"))
        yield

    return internal_app("test", TOKEN, lifespan, [router])


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    application = app()
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            yield http


async def test_routes_need_the_token_but_healthz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    refused = await client.get("/hello")
    assert refused.status_code == 401 and refused.json()["error"] == "auth_error"
    ok = await client.get("/hello", headers={INTERNAL_TOKEN_HEADER: TOKEN})
    assert ok.json() == {"greeting": "hi"}


async def test_no_docs_and_no_schema(client: httpx.AsyncClient) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        response = await client.get(path, headers={INTERNAL_TOKEN_HEADER: TOKEN})
        assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_the_state_is_read_as_its_type_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/wrong", headers={INTERNAL_TOKEN_HEADER: TOKEN})
    assert response.status_code == 500 and response.json()["error"] == "internal_error"


class Strict(CommonSettings):
    limit: int = Field(1, ge=1, validation_alias="ATLAS_TEST_LIMIT")


def test_a_bad_setting_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_TEST_LIMIT", "0")
    with pytest.raises(ValidationError) as caught:
        Strict()
    assert settings_error_line(caught.value) == (
        "ATLAS_TEST_LIMIT: Input should be greater than or equal to 1")
    monkeypatch.setenv("ATLAS_TEST_LIMIT", "1")
    monkeypatch.setenv("ATLAS_ENV", "production")  # a model-level check names its variable
    monkeypatch.delenv("ATLAS_INTERNAL_TOKEN", raising=False)
    with pytest.raises(ValidationError) as caught:
        Strict()
    assert settings_error_line(caught.value).startswith("ATLAS_INTERNAL_TOKEN must be set")


SETTLE = """
import gc, json
from atlas_common.service import settle_heap
from atlas_common.settings import CommonSettings
made_at_start = [object() for _ in range(1000)]
settle_heap(CommonSettings())
print(json.dumps({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}))
"""


@pytest.mark.parametrize(("setting", "gen0"), [(None, 700), ("20000", 20000)])
def test_start_up_objects_are_frozen_and_the_threshold_applied(
    setting: str | None, gen0: int
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ATLAS_GC_GEN0_THRESHOLD"}
    if setting is not None:
        env["ATLAS_GC_GEN0_THRESHOLD"] = setting
    # a process of its own: freezing is for the life of the process
    done = subprocess.run([sys.executable, "-c", SETTLE], env=env, capture_output=True,
                          text=True, timeout=60, check=True)
    seen = json.loads(done.stdout)
    assert seen["frozen"] > 1000  # the modules' objects, and the list made before
    assert seen["threshold"][0] == gen0


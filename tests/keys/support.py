"""Helpers for the keys tests: settings without the environment, an in-process server, the
principal header the gateway would send, and a poller."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from atlas_common.internal import INTERNAL_TOKEN_HEADER, encode_principal
from atlas_common.principal import Principal, Role
from atlas_common.settings import DEV_INTERNAL_TOKEN
from atlas_keys.settings import KeysSettings

INTERNAL = {INTERNAL_TOKEN_HEADER: DEV_INTERNAL_TOKEN}


class IsolatedSettings(KeysSettings):
    """KeysSettings that read only what the test passes (no environment, no .env)."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(**values: Any) -> KeysSettings:
    return IsolatedSettings(**values)


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` (with its lifespan) on a free port in this event loop; yields its URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on",
                                           access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the app did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def principal(role: Role = "admin", *, workspace: str | None = None, user: str | None = None,
              claims: dict[str, Any] | None = None) -> Principal:
    """A caller as the gateway verified it; a fresh workspace unless one is given."""
    return Principal(user_id=user or "u-" + uuid.uuid4().hex[:8],
                     workspace_id=workspace or "ws-" + uuid.uuid4().hex[:8],
                     role=role, claims=claims or {}, auth_mode="managed")


def as_caller(caller: Principal) -> dict[str, str]:
    return {**INTERNAL, "x-atlas-principal": encode_principal(caller)}


async def eventually(predicate: Callable[[], Awaitable[Any]], *, timeout: float = 10,
                     what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{what} not reached within {timeout}s")


async def holds(predicate: Callable[[], bool], *, seconds: float) -> None:
    """A condition that must stay true for a while (a negative check needs a window)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert predicate()
        await asyncio.sleep(0.05)


class KeysApi:
    """The keys service's routes, for one caller."""

    def __init__(self, client: httpx.AsyncClient, caller: Principal) -> None:
        self.client = client
        self.caller = caller
        self.headers = as_caller(caller)

    async def create(self, **body: Any) -> httpx.Response:
        body.setdefault("name", "test key")
        return await self.client.post("/api/auth/api-key/create", json=body,
                                      headers=self.headers)

    async def created(self, **body: Any) -> dict[str, Any]:
        response = await self.create(**body)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def list(self, **params: Any) -> dict[str, Any]:
        response = await self.client.get("/api/auth/api-key/list", params=params,
                                         headers=self.headers)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def delete(self, key_id: Any) -> httpx.Response:
        return await self.client.post("/api/auth/api-key/delete", json={"keyId": key_id},
                                      headers=self.headers)

    async def verify(self, key: str) -> httpx.Response:
        return await self.client.post("/internal/v1/verify-key", json={"key": key},
                                      headers=INTERNAL)

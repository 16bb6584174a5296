"""Helpers for the keys tests: settings without the environment, an in-process server, the
principal header the gateway would send, and a poller."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from atlas_common.internal import INTERNAL_TOKEN_HEADER, encode_principal
from atlas_common.principal import Principal, Role
from atlas_common.settings import DEV_INTERNAL_TOKEN
from atlas_keys.settings import KeysSettings
from tests.support.inprocess import free_socket, isolated, serve  # noqa: F401 - re-exported

INTERNAL = {INTERNAL_TOKEN_HEADER: DEV_INTERNAL_TOKEN}


IsolatedSettings = isolated(KeysSettings)


def make_settings(**values: Any) -> KeysSettings:
    return IsolatedSettings(**values)


def principal(role: Role = "admin", *, workspace: str | None = None, user: str | None = None,
              claims: dict[str, Any] | None = None) -> Principal:
    """A caller as the gateway verified it; a fresh workspace unless one is given."""
    return Principal(user_id=user or "u-" + uuid.uuid4().hex[:8],
                     workspace_id=workspace or "ws-" + uuid.uuid4().hex[:8],
                     role=role, claims=claims or {}, auth_mode="managed")


def as_caller(caller: Principal) -> dict[str, str]:
    return {**INTERNAL, "x-atlas-principal": encode_principal(caller)}


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

"""Helpers for the entitlements tests: settings without the environment, an in-process
server, the internal headers, the plans file of the tests and a poller."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from atlas_common.internal import internal_headers
from atlas_common.settings import DEV_INTERNAL_TOKEN
from atlas_entitlements.settings import EntitlementsServiceSettings

INTERNAL = internal_headers(DEV_INTERNAL_TOKEN)
T = TypeVar("T")

PLANS = """
features:
  query:         {type: boolean, description: Ask questions}
  data-explorer: {type: boolean}
  queries:       {type: metered, unit: question, reset: month}
  llm-tokens:    {type: metered, unit: token, reset: month}
  daily:         {type: metered, reset: day}
  weekly:        {type: metered, reset: week}
  lifetime:      {type: metered}
  api-keys:      {type: gauge, description: Active API keys}
plans:
  free:
    default: true
    features:
      query: true
      queries: {limit: 3}
      llm-tokens: {limit: 100}
      daily: {limit: 5}
      weekly: {limit: 5}
      lifetime: {limit: 10}
      api-keys: {limit: 2}
  team:
    features:
      query: true
      data-explorer: true
      queries: {limit: 5, policy: soft}
      llm-tokens: {unlimited: true}
      api-keys: {limit: 20}
  solo:
    features:
      query: true
      queries: {limit: 1}
"""


def write_plans(directory: Path, text: str = PLANS, name: str = "plans.yaml") -> Path:
    path = directory / name
    path.write_text(text)
    return path


class IsolatedSettings(EntitlementsServiceSettings):
    """Settings that read only what the test passes (no environment, no .env)."""

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(**values: Any) -> EntitlementsServiceSettings:
    return IsolatedSettings(**values)


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Run ``app`` (with its lifespan) on a free port in this event loop; yields its URL."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("server stopped during start-up")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def eventually(
    probe: Callable[[], Awaitable[T]], *, timeout: float = 10, what: str = "condition"
) -> T:
    """Poll ``probe`` until it returns a truthy value (never a bare sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(0.05)

"""Running one service's app inside the test's event loop, with settings only from the test."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from tests.support.isolation import POOL_MAX

S = TypeVar("S", bound=BaseSettings)


def isolated(settings_cls: type[S]) -> type[S]:
    """A subclass of ``settings_cls`` that reads only what the test passes (no env, no .env),
    with the suite's small database pools unless the test says otherwise."""

    class Isolated(settings_cls):  # type: ignore[valid-type,misc]
        @classmethod
        def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings,)

        def __init__(self, **values: Any) -> None:
            if "database_pool_max" in settings_cls.model_fields:
                values.setdefault("ATLAS_DATABASE_POOL_MAX", POOL_MAX)
            super().__init__(**values)

    Isolated.__name__ = f"Isolated{settings_cls.__name__}"
    return Isolated


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serve(app: FastAPI, **config: Any) -> AsyncIterator[str]:
    """Run ``app`` (with its lifespan) on a free port in this event loop; yields its URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on",
                                           access_log=False, **config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the app did not start (see the lifespan error above)")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()

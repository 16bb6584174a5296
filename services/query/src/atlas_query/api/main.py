"""The query-api app: ``create_app(settings)`` for tests and ``run()`` for the process.

The semantic layer is loaded when the app is created, so a broken layer stops start-up with
one message naming the file and the field. The datasource connects lazily: the API starts
(and reports it in its health) even while the demo database is still being created.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from atlas_common.service import StartupError, internal_app, run_service, set_state
from atlas_query.api import admin_routes, conversations, semantic_routes
from atlas_query.api.deps import AppState
from atlas_query.api.routes import internal
from atlas_query.api.service import QueryApiService
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.conversations.retention import run_retention
from atlas_query.conversations.service import ConversationService
from atlas_query.conversations.shares import ShareRepository
from atlas_query.conversations.sharing import SharingService
from atlas_query.db import open_query_db
from atlas_query.executors import create_executor
from atlas_query.guard import SqlGuard
from atlas_query.semantic import load_semantic_layer
from atlas_query.settings import QuerySettings


def create_app(settings: QuerySettings | None = None) -> FastAPI:
    settings = settings or QuerySettings()
    layer = load_semantic_layer(settings.semantic_root)
    executor = create_executor(settings)
    guard = SqlGuard(layer, executor.dialect, settings,
                     default_schema=executor.default_schema)
    service = QueryApiService(layer, guard, executor, settings.starter_prompts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(executor.close)
            pool = await open_query_db(settings.database_url, max_size=settings.pool_size(8))
            stack.push_async_callback(pool.close)
            repository = ConversationRepository(pool)
            if settings.conversation_retention_days > 0:
                retention = asyncio.create_task(run_retention(
                    pool, settings.conversation_retention_days,
                    settings.conversation_cleanup_interval_s))
                stack.callback(retention.cancel)
            set_state(app, AppState(settings, service, ConversationService(repository),
                                    SharingService(repository, ShareRepository(pool))))
            yield

    return internal_app("Atlas query-api", settings.internal_token, lifespan,
                        [internal, conversations.router, semantic_routes.router,
                         admin_routes.router])


def _create_or_refuse(settings: QuerySettings) -> FastAPI:
    """A datasource URL or guard setting that cannot work is a start-up error too."""
    try:
        return create_app(settings)
    except ValueError as exc:
        raise StartupError(f"cannot start: {exc}") from exc


def run() -> None:
    """Console script: a bad setting or semantic layer stops start-up with one line (exit 2)."""
    run_service("query-api", QuerySettings, _create_or_refuse,
                listen=lambda settings: (settings.api_host, settings.api_port))

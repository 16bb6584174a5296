"""The query-api app: ``create_app(settings)`` for tests and ``run()`` for the process.

The semantic layer is loaded when the app is created, so a broken layer stops start-up with
one message naming the file and the field. The datasource connects lazily: the API starts
(and reports it in its health) even while the demo database is still being created.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from atlas_common.errors import install_error_handlers
from atlas_query.api import conversations, semantic_routes
from atlas_query.api.deps import AppState
from atlas_query.api.routes import internal, public
from atlas_query.api.service import QueryApiService
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.conversations.service import ConversationService
from atlas_query.conversations.shares import ShareRepository
from atlas_query.conversations.sharing import SharingService
from atlas_query.db import open_query_db
from atlas_query.executors import create_executor
from atlas_query.guard import SqlGuard
from atlas_query.semantic import SemanticLayerError, load_semantic_layer
from atlas_query.settings import QuerySettings


def create_app(settings: QuerySettings | None = None) -> FastAPI:
    settings = settings or QuerySettings()
    layer = load_semantic_layer(settings.semantic_root)
    executor = create_executor(settings)
    guard = SqlGuard(layer, executor.dialect, settings)
    service = QueryApiService(layer, guard, executor, settings.starter_prompts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await open_query_db(settings.database_url)
        repository = ConversationRepository(pool)
        app.state.conversations = ConversationService(repository)
        app.state.sharing = SharingService(repository, ShareRepository(pool))
        try:
            yield
        finally:
            await executor.close()
            await pool.close()

    app = FastAPI(title="Atlas query-api", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.atlas = AppState(settings=settings, service=service)
    install_error_handlers(app)
    app.include_router(public)
    app.include_router(internal)
    app.include_router(conversations.router)
    app.include_router(semantic_routes.router)
    return app


def run() -> None:
    settings = QuerySettings()
    try:
        app = create_app(settings)
    except (SemanticLayerError, ValueError) as exc:
        raise SystemExit(f"atlas-query-api: cannot start: {exc}") from exc
    uvicorn.run(
        app, host=settings.api_host, port=settings.api_port, log_level=settings.log_level.lower()
    )

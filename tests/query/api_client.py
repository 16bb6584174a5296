"""The query-api in the test's event loop: its lifespan runs (the state it builds is what the
routes read), on the run's private database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from atlas_query.api.main import create_app
from atlas_query.settings import QuerySettings


@asynccontextmanager
async def query_api(settings: QuerySettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://query-api") as http:
            yield http

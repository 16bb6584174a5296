"""The entitlements service: ``create_app(settings)`` and the ``atlas-entitlements`` script.

Serves ``/healthz``, the internal API (snapshot, check, consume, refund) and the operator API
(plans, subscriptions, overrides), all behind the internal token. At start it migrates schema
``entitlements``, loads the plans file into it and consumes ``usage.recorded`` from its durable
queue.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import NoReturn

import asyncpg
import uvicorn
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from atlas_common.bus import Bus
from atlas_common.db import create_pool, migrate
from atlas_common.entitlements import ALL_CUSTOMERS
from atlas_common.errors import install_error_handlers
from atlas_common.internal import require_internal_token
from atlas_common.telemetry import setup_logging, setup_tracing
from atlas_entitlements import routes
from atlas_entitlements.catalog_loader import load_catalog, refuse_dropped_plans
from atlas_entitlements.deps import EntitlementsState
from atlas_entitlements.events import Events
from atlas_entitlements.handlers import RETRYABLE, UsageHandler, consume_usage
from atlas_entitlements.plans import PlansFileError, load_plans_file
from atlas_entitlements.service import EntitlementsService
from atlas_entitlements.settings import EntitlementsServiceSettings
from atlas_entitlements.subscriptions import OperatorService
from atlas_entitlements.usage_batch import UsageBatcher

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "entitlements"
log = logging.getLogger("atlas_entitlements")


def create_app(settings: EntitlementsServiceSettings | None = None) -> FastAPI:
    settings = settings or EntitlementsServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            pool = await _pool(settings.database_url, settings.db_pool_max)
            stack.push_async_callback(pool.close)
            await migrate(pool, SCHEMA, MIGRATIONS)
            catalog, changed = await load_catalog(pool, settings.plans_file.strip())
            bus = await Bus.connect(settings.rabbitmq_url,
                                    delivery_limit=settings.job_delivery_limit)
            stack.push_async_callback(bus.close)
            events = Events(bus)
            if changed:  # every cache drops every customer: limits may have moved
                await events.changed(ALL_CUSTOMERS, catalog.version)
            batcher = UsageBatcher(pool, RETRYABLE, settings.usage_batch,
                                   settings.usage_batch_wait_ms / 1000)
            service = EntitlementsService(pool, catalog, batcher)
            usage = UsageHandler(service)
            await consume_usage(bus, usage, settings.usage_prefetch)
            app.state.entitlements_service = EntitlementsState(
                settings, catalog, service, OperatorService(pool, catalog, events))
            app.state.usage_handler = usage
            log.info("entitlements ready", extra={"plans": sorted(catalog.plans),
                                                  "catalog_version": catalog.version})
            yield

    app = FastAPI(title="Atlas entitlements", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    guard = [Depends(require_internal_token(settings.internal_token))]
    app.include_router(routes.internal, dependencies=guard)
    app.include_router(routes.operator, dependencies=guard)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Pool release without asyncpg's reset query (one round trip per query saved): this
    service leaves no session state (only transaction-scoped locks and SET LOCAL)."""


async def _pool(dsn: str, max_size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=max_size, timeout=10,
                                     reset=_keep_session)
    assert pool is not None
    return pool


async def preflight(settings: EntitlementsServiceSettings) -> None:
    """Check the plans file (and that it drops no subscribed plan) before serving anything."""
    path = settings.plans_file.strip()
    if not path:
        return
    catalog = load_plans_file(path)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        await migrate(pool, SCHEMA, MIGRATIONS)
        await refuse_dropped_plans(pool, catalog, path)
    finally:
        await pool.close()


def run() -> None:
    """Console script: a bad setting or plans file stops start-up with one line (exit 2)."""
    try:
        settings = EntitlementsServiceSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        _die(f"{name}: {first.get('msg', 'invalid value')}")
    setup_logging("entitlements", settings.log_level, json=settings.log_json)
    setup_tracing("entitlements", settings.otel_exporter)
    try:
        asyncio.run(preflight(settings))
    except PlansFileError as exc:
        _die(str(exc))
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                proxy_headers=False, timeout_graceful_shutdown=5)


def _die(message: str) -> NoReturn:
    print(f"atlas-entitlements: {message}", file=sys.stderr)
    raise SystemExit(2)

"""The entitlements service: ``create_app(settings)`` and the ``atlas-entitlements`` script.

Serves ``/healthz``, the internal API (snapshot, check, consume, refund) and the operator API
(plans, subscriptions, overrides), all behind the internal token. At start it migrates schema
``entitlements``, loads the plans file into it, consumes ``usage.recorded`` from its durable
queue and relays its outbox (``subscription.changed``) to the bus.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from atlas_common.bus import Bus
from atlas_common.db import create_pool, migrate
from atlas_common.outbox import OutboxRelay
from atlas_common.service import internal_app, run_service, set_state
from atlas_entitlements import repository, routes
from atlas_entitlements.catalog_loader import load_catalog, refuse_dropped_plans
from atlas_entitlements.deps import EntitlementsState
from atlas_entitlements.handlers import RETRYABLE, UsageHandler, consume_usage
from atlas_entitlements.plans import load_plans_file
from atlas_entitlements.service import EntitlementsService
from atlas_entitlements.settings import EntitlementsServiceSettings
from atlas_entitlements.subscriptions import OperatorService
from atlas_entitlements.usage_batch import UsageBatcher

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = repository.SCHEMA
log = logging.getLogger("atlas_entitlements")


def create_app(settings: EntitlementsServiceSettings | None = None) -> FastAPI:
    settings = settings or EntitlementsServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            pool = await _pool(settings.database_url, settings.pool_size(settings.db_pool_max))
            stack.push_async_callback(pool.close)
            await migrate(pool, SCHEMA, MIGRATIONS)
            catalog, _ = await load_catalog(pool, settings.plans_file.strip())
            bus = await Bus.connect(settings.rabbitmq_url,
                                    delivery_limit=settings.job_delivery_limit,
                                    query_max_length=settings.query_queue_max_length)
            stack.push_async_callback(bus.close)
            relay = OutboxRelay(pool, bus, SCHEMA)  # a changed catalog's event is in it
            await relay.start()
            stack.push_async_callback(relay.stop)
            batcher = UsageBatcher(pool, RETRYABLE, settings.usage_batch,
                                   settings.usage_batch_wait_ms / 1000)
            service = EntitlementsService(pool, catalog, batcher)
            usage = UsageHandler(service)
            await consume_usage(bus, usage, settings.usage_prefetch)
            set_state(app, EntitlementsState(
                settings, catalog, service, OperatorService(pool, catalog), usage))
            log.info("entitlements ready", extra={"plans": sorted(catalog.plans),
                                                  "catalog_version": catalog.version})
            yield

    return internal_app("Atlas entitlements", settings.internal_token, lifespan,
                        [routes.internal, routes.operator])


async def _keep_session(connection: asyncpg.Connection) -> None:
    """Pool release without asyncpg's reset query (one round trip per query saved): this
    service leaves no session state (only transaction-scoped locks and SET LOCAL)."""


async def _pool(dsn: str, max_size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min(2, max_size), max_size=max_size, timeout=10,
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
    run_service("entitlements", EntitlementsServiceSettings, create_app,
                preflight=lambda settings: asyncio.run(preflight(settings)))

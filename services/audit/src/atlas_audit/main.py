"""The audit service: ``create_app(settings)`` and the ``atlas-audit`` console script.

Serves ``/healthz`` and ``/api/v1/admin/audit`` (list, stats, export; relayed by the gateway
with the verified principal; every route but ``/healthz`` and ``/metrics`` needs the internal
token). At start it migrates schema ``audit``, makes the monthly partitions ahead and applies
retention (then daily), and consumes ``audit.events`` in batches. Any number of replicas may
run: writes are idempotent and maintenance takes an advisory lock.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from atlas_audit import repository, routes
from atlas_audit.consumer import AuditConsumer
from atlas_audit.deps import AuditState
from atlas_audit.maintenance import Maintenance
from atlas_audit.service import AuditService
from atlas_audit.settings import AuditSettings
from atlas_common.db import create_pool, migrate
from atlas_common.service import internal_app, run_service, set_state

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("atlas_audit")


async def _open(settings: AuditSettings, stack: AsyncExitStack) -> AuditState:
    pool = await create_pool(settings.database_url, max_size=settings.pool_size(10))
    stack.push_async_callback(pool.close)
    await migrate(pool, repository.SCHEMA, MIGRATIONS)
    await repository.ensure_search_index(pool)
    maintenance = Maintenance(pool, settings.retention_days)
    await maintenance.start()
    stack.push_async_callback(maintenance.stop)
    consumer = AuditConsumer(settings, pool)
    await consumer.start()
    stack.push_async_callback(consumer.stop)
    return AuditState(settings, AuditService(pool, settings.count_budget_ms), consumer)


def create_app(settings: AuditSettings | None = None) -> FastAPI:
    settings = settings or AuditSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            set_state(app, await _open(settings, stack))
            log.info("audit ready")
            yield

    return internal_app("Atlas audit", settings.internal_token, lifespan, [routes.public])


def run() -> None:
    """Console script: a bad setting stops start-up with one line naming it (exit code 2)."""
    run_service("audit", AuditSettings, create_app)

"""The keys service: ``create_app(settings)`` and the ``atlas-keys`` console script.

Serves ``/healthz``, the public key management at ``/api/auth/api-key/{list,create,delete}``
(relayed by the gateway with the verified principal) and ``/internal/v1/verify-key`` for the
auth service. Every route but ``/healthz`` needs the internal token. At start it migrates
schema ``keys``, consumes ``user.deactivated`` from a durable queue of its own and relays its
outbox (``key.revoked``) to the bus.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from atlas_common.bus import Bus
from atlas_common.db import create_pool, migrate
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.outbox import OutboxRelay
from atlas_common.service import internal_app, run_service, set_state
from atlas_keys import handlers, repository, routes
from atlas_keys.deps import KeysState
from atlas_keys.last_used import LastUsedRecorder
from atlas_keys.service import KeysService
from atlas_keys.settings import KeysSettings

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("atlas_keys")


def create_app(settings: KeysSettings | None = None) -> FastAPI:
    settings = settings or KeysSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            pool = await create_pool(settings.database_url, max_size=settings.pool_size(10))
            stack.push_async_callback(pool.close)
            await migrate(pool, repository.SCHEMA, MIGRATIONS)
            bus = await Bus.connect(settings.rabbitmq_url,
                                    delivery_limit=settings.job_delivery_limit,
                                    query_max_length=settings.query_queue_max_length)
            stack.push_async_callback(bus.close)
            recorder = LastUsedRecorder(pool, settings.last_used_flush_s)
            recorder.start()
            stack.push_async_callback(recorder.stop)
            entitlements = EntitlementsClient(EntitlementsSettings())
            stack.push_async_callback(entitlements.aclose)
            entitlements.providers.register(
                "api-keys", lambda workspace: repository.count_active(pool, workspace))
            await entitlements.attach(bus)
            relay = OutboxRelay(pool, bus, repository.SCHEMA)
            await relay.start()
            stack.push_async_callback(relay.stop)
            service = KeysService(pool, recorder, entitlements)
            await handlers.subscribe(bus, handlers.Deactivations(service))
            set_state(app, KeysState(settings, service, recorder, entitlements))
            log.info("keys service ready")
            yield

    return internal_app("Atlas keys", settings.internal_token, lifespan,
                        [routes.public, routes.internal])


def run() -> None:
    """Console script: a bad setting stops start-up with one line naming it (exit code 2)."""
    run_service("keys", KeysSettings, create_app)

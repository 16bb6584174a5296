"""The keys service: ``create_app(settings)`` and the ``atlas-keys`` console script.

Serves ``/healthz``, the public key management at ``/api/auth/api-key/{list,create,delete}``
(relayed by the gateway with the verified principal) and ``/internal/v1/verify-key`` for the
auth service. Every route but ``/healthz`` needs the internal token. At start it migrates
schema ``keys`` and consumes ``user.deactivated`` from a durable queue of its own.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from atlas_common.bus import Bus, names
from atlas_common.db import create_pool, migrate
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.errors import install_error_handlers
from atlas_common.internal import require_internal_token
from atlas_common.telemetry import setup_logging, setup_tracing
from atlas_keys import handlers, repository, routes
from atlas_keys.deps import KeysState
from atlas_keys.events import Events
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
            pool = await create_pool(settings.database_url)
            stack.push_async_callback(pool.close)
            await migrate(pool, "keys", MIGRATIONS)
            bus = await Bus.connect(settings.rabbitmq_url,
                                    delivery_limit=settings.job_delivery_limit)
            stack.push_async_callback(bus.close)
            recorder = LastUsedRecorder(pool, settings.last_used_flush_s)
            recorder.start()
            stack.push_async_callback(recorder.stop)
            entitlements = EntitlementsClient(EntitlementsSettings())
            stack.push_async_callback(entitlements.aclose)
            entitlements.providers.register(
                "api-keys", lambda workspace: repository.count_active(pool, workspace))
            await bus.subscribe_events([names.SUBSCRIPTION_CHANGED], entitlements.handle)
            app.state.entitlements = entitlements
            service = KeysService(pool, Events(bus), recorder, entitlements)
            await handlers.subscribe(bus, handlers.Deactivations(service))
            app.state.keys = KeysState(settings, service, recorder)
            log.info("keys service ready")
            yield

    app = FastAPI(title="Atlas keys", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    install_error_handlers(app)
    guard = [Depends(require_internal_token(settings.internal_token))]
    app.include_router(routes.public, dependencies=guard)
    app.include_router(routes.internal, dependencies=guard)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def run() -> None:
    """Console script: a bad setting stops start-up with one line naming it (exit code 2)."""
    try:
        settings = KeysSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        print(f"atlas-keys: {name}: {first.get('msg', 'invalid value')}", file=sys.stderr)
        raise SystemExit(2) from None
    setup_logging("keys", settings.log_level, json=settings.log_json)
    setup_tracing("keys", settings.otel_exporter)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                proxy_headers=False, timeout_graceful_shutdown=5)

"""The auth service: ``create_app(settings)`` and the ``atlas-auth`` console script.

Serves ``/healthz``, the internal ``/internal/v1/{mode,verify}`` for the gateway, and in managed
mode ``/api/auth/*`` and ``/api/admin/users*`` (proxied unchanged by the gateway). Every route
but ``/healthz`` needs the internal token.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from atlas_auth.routes import admin_users, auth, internal
from atlas_auth.settings import AuthSettings, ConfigError
from atlas_auth.stored_keys import StoredKeyVerifier
from atlas_auth.wiring import build_state
from atlas_common.errors import install_error_handlers
from atlas_common.internal import require_internal_token

log = logging.getLogger("atlas_auth")


def create_app(settings: AuthSettings, *, stored_keys: StoredKeyVerifier | None = None) -> FastAPI:
    """The app; raises ConfigError at once for a mode that cannot start.

    ``stored_keys`` replaces the verifier of stored API keys (tests); by default managed and
    byot modes ask the keys service at ``ATLAS_KEYS_URL``, and other modes refuse them."""
    mode = settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with build_state(settings, stored_keys) as state:
            app.state.auth = state
            log.info("auth service ready", extra={"mode": mode})
            yield

    app = FastAPI(title="Atlas auth", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    install_error_handlers(app)
    guard = [Depends(require_internal_token(settings.internal_token))]
    for router in (internal.router, auth.router, admin_users.router):
        app.include_router(router, dependencies=guard)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _config_error_line(exc: ConfigError | ValidationError) -> str:
    if isinstance(exc, ConfigError):
        return str(exc)
    first = exc.errors()[0]
    name = ".".join(str(p) for p in first.get("loc", ())) or "settings"
    return f"{name}: {first.get('msg', 'invalid value')}"


def run() -> None:
    """Console script: refuse a bad configuration with one line naming the variable."""
    try:
        settings = AuthSettings()
        app = create_app(settings)
    except (ConfigError, ValidationError) as exc:
        print(f"atlas-auth: {_config_error_line(exc)}", file=sys.stderr)
        raise SystemExit(2) from None
    logging.basicConfig(level=settings.log_level.upper())
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                proxy_headers=False)

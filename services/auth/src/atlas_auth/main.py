"""The auth service: ``create_app(settings)`` and the ``atlas-auth`` console script.

Serves ``/healthz``, the internal ``/internal/v1/{mode,verify}`` for the gateway, and in managed
mode ``/api/auth/*`` and ``/api/admin/users*`` (proxied unchanged by the gateway). Every route
but ``/healthz`` needs the internal token.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from atlas_auth.routes import admin_users, auth, internal
from atlas_auth.settings import AuthSettings
from atlas_auth.state import build_state
from atlas_auth.stored_keys import StoredKeyVerifier
from atlas_common.allow import install_allow
from atlas_common.service import internal_app, run_service, set_state

log = logging.getLogger("atlas_auth")


def create_app(settings: AuthSettings, *, stored_keys: StoredKeyVerifier | None = None) -> FastAPI:
    """The app; raises ConfigError at once for a mode that cannot start.

    ``stored_keys`` replaces the verifier of stored API keys (tests); by default managed and
    byot modes ask the keys service at ``ATLAS_KEYS_URL``, and other modes refuse them."""
    mode = settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with build_state(settings, stored_keys) as state:
            set_state(app, state)
            log.info("auth service ready", extra={"mode": mode})
            yield

    app = internal_app("Atlas auth", settings.internal_token, lifespan,
                       [internal.router, auth.router, admin_users.router])
    install_allow(app)  # the gateway relays its 405s: Allow names every method of the path
    return app


def run() -> None:
    """Console script: a bad setting stops start-up with one line naming the variable."""
    run_service("auth", AuthSettings, create_app)

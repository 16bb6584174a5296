"""The gateway app: the only public HTTP listener of Atlas. ``atlas-gateway`` runs it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from atlas_common.access_log import AccessLogMiddleware
from atlas_common.bus import Bus, names
from atlas_common.db import create_pool
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.errors import install_error_handlers
from atlas_common.metrics import metrics_router
from atlas_common.redis_resilience import install_redis_down_handler, resilient_redis
from atlas_common.service import run_service, set_state
from atlas_common.stream import StreamHub
from atlas_common.telemetry import fastapi_telemetry
from atlas_common.tracing import http_transport
from atlas_gateway.admission import AdmissionMiddleware
from atlas_gateway.auth.authenticator import Authenticator
from atlas_gateway.auth.cache import PrincipalCache
from atlas_gateway.auth.invalidation import Invalidator
from atlas_gateway.auth.rate_limit import RateLimiter
from atlas_gateway.docs_ui import install_docs
from atlas_gateway.errors import method_not_allowed
from atlas_gateway.limits import apply_fd_limit
from atlas_gateway.middleware import BodyLimitMiddleware, RequestIdMiddleware
from atlas_gateway.openapi import install_openapi
from atlas_gateway.routes import (
    admin,
    admin_pages,
    ask,
    auth_proxy,
    conversations,
    execution,
    health,
    keys_proxy,
    me,
    query_api,
    runs,
    scheduled_tasks_proxy,
    semantic,
    widget,
)
from atlas_gateway.service.checks import start_background_checks
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.state import GatewayState
from atlas_gateway.widget_files import WidgetFiles


class _NoCookies(CookieJar):
    """The relay's client must never keep a cookie: one a service set for one person (the
    session cookie of a sign-in) would otherwise go out with every later relayed request."""

    def __init__(self) -> None:
        super().__init__(DefaultCookiePolicy(allowed_domains=[]))


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:  # each resource closes even if a later one fails
            set_state(app, await _open_state(settings, stack))
            yield

    app = FastAPI(
        title="Atlas API",
        version="0.1.0",
        description="Ask plain-English questions about your data; get validated SQL, rows and "
        "a narrative.",
        lifespan=lifespan,
        docs_url=None,  # docs_ui: the same page, with assets served from Atlas, not a CDN
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
        telemetry=fastapi_telemetry(settings.otel_exporter),
    )
    install_error_handlers(app)
    install_redis_down_handler(app)  # Redis down: 503, not 500
    app.add_exception_handler(405, method_not_allowed(app))  # Allow: every route of the path
    install_openapi(app)
    install_docs(app, "/api/v1/openapi.json", app.title)
    app.include_router(ask.router)
    app.include_router(runs.router)
    app.include_router(health.router)
    app.include_router(keys_proxy.router)  # before auth_proxy: /api/auth/api-key/* is keys'
    app.include_router(auth_proxy.router)
    app.include_router(query_api.router)
    app.include_router(semantic.router)
    app.include_router(admin.router)
    app.include_router(execution.router)
    app.include_router(conversations.router)
    app.include_router(me.router)
    app.include_router(scheduled_tasks_proxy.router)
    app.include_router(admin_pages.router)
    app.include_router(widget.router)
    if settings.metrics_public:  # else on ATLAS_METRICS_PORT only, never on the public port
        app.include_router(metrics_router())
    app.add_middleware(AdmissionMiddleware)  # innermost: a refusal still has its request id
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    # Outside the request id, body limit and refusals: every public request is one INFO line,
    # in a server span whose trace id the bus carries to the worker.
    app.add_middleware(AccessLogMiddleware, level=logging.INFO, span=True)
    _add_cors(app, settings.cors_origins)  # last = outermost: 401/403/413/429 carry CORS too
    return app


async def _open_state(settings: GatewaySettings, stack: AsyncExitStack) -> GatewayState:
    redis = resilient_redis(settings.redis_url)
    stack.push_async_callback(redis.aclose)
    hub = StreamHub(redis, settings.redis_prefix)
    await hub.start()
    stack.push_async_callback(hub.stop)
    bus = await Bus.connect(settings.rabbitmq_url, delivery_limit=settings.job_delivery_limit,
                            query_max_length=settings.query_queue_max_length)
    stack.push_async_callback(bus.close)
    db = await create_pool(settings.database_url, max_size=settings.pool_size(4))
    stack.push_async_callback(db.close)
    http = httpx.AsyncClient(timeout=10, cookies=_NoCookies(), transport=http_transport())
    stack.push_async_callback(http.aclose)
    entitlements = EntitlementsClient(EntitlementsSettings())
    stack.push_async_callback(entitlements.aclose)
    cache = PrincipalCache(settings.auth_cache_max, settings.auth_cache_ttl_s)
    auth = Authenticator(
        settings.auth_url, settings.internal_token, http, cache, settings.cors_origins
    )
    invalidator = Invalidator(cache)
    await bus.subscribe_events(names.PRINCIPAL_INVALIDATION_EVENTS, invalidator.handle)
    bus.on_reconnect(invalidator.flush)
    await entitlements.attach(bus)
    limiter = RateLimiter(redis, settings.redis_prefix, settings.rate_limit_rpm)
    state = GatewayState(settings, bus, redis, hub, db, http, auth, limiter, entitlements,
                         WidgetFiles(settings.widget_dir))
    stack.push_async_callback(state.tasks.cancel_all)  # first to go: watchers use the rest
    await start_background_checks(state)
    return state


def _add_cors(app: FastAPI, origins: list[str]) -> None:
    """CORS for pages on other origins (the widget). ``*`` allows any origin without
    credentials (no cookies); listed origins may send credentials."""
    if not origins:
        return
    anyone = "*" in origins
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"] if anyone else origins,
        allow_credentials=not anyone,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["authorization", "content-type", "x-api-key", "last-event-id"],
        expose_headers=["x-request-id", "x-run-id", "x-conversation-id",
                        "x-vercel-ai-ui-message-stream", "retry-after"],
        max_age=600,
    )


def run() -> None:
    """Console script: a bad setting stops start-up with one line naming it (exit code 2)."""
    run_service("gateway", GatewaySettings, create_app, preflight=apply_fd_limit)

"""One way to start an Atlas process, and one shape for the internal HTTP apps.

``run_service(name, Settings, create_app)`` is every HTTP service's console script and
``run_worker(name, Settings, serve)`` every bus worker's: the settings are parsed once, a bad
setting stops the process with one line naming the variable (exit code 2), and logging and
tracing are set up the same way everywhere; what start-up made is then frozen out of the
cyclic garbage collector's view (``settle_heap``). ``internal_app`` builds an app that only other
Atlas processes call: no docs, the error envelope, every route behind the internal token but
``/healthz``. ``set_state`` / ``app_state`` are the one typed way to reach what the lifespan
built.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, NoReturn, TypeVar

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import ValidationError

from atlas_common.access_log import AccessLogMiddleware
from atlas_common.db_unavailable import install_database_down_handler
from atlas_common.errors import install_error_handlers
from atlas_common.internal import require_internal_token
from atlas_common.metrics import metrics_router, serve_metrics
from atlas_common.settings import CommonSettings
from atlas_common.telemetry import setup_logging, setup_tracing

S = TypeVar("S", bound=CommonSettings)
T = TypeVar("T")
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
APP_STATE = "atlas"  # the one attribute of app.state: what the lifespan built


class StartupError(Exception):
    """A configuration that cannot start (a bad plans file, semantic layer or mode): the
    console script prints its message as one line and exits with code 2."""


def settings_error_line(exc: ValidationError) -> str:
    """``VARIABLE: problem`` for the first error (a model-level check names its variable
    in its message)."""
    first = exc.errors()[0]
    name = ".".join(str(p) for p in first.get("loc", ()))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{name}: {message}" if name else message


def die(name: str, message: str) -> NoReturn:
    print(f"atlas-{name}: {message}", file=sys.stderr)
    raise SystemExit(2)


def start_process(name: str, settings_class: type[S]) -> S:
    """Parse the settings once, then set up JSON logging and tracing for ``name``."""
    try:
        settings = settings_class()
    except ValidationError as exc:
        die(name, settings_error_line(exc))
    setup_logging(name, settings.log_level, json=settings.log_json)
    setup_tracing(name, settings.otel_exporter, db_query_text=settings.otel_db_query_text)
    try:
        serve_metrics(settings.metrics_host, settings.metrics_port)
    except OSError as exc:
        die(name, f"ATLAS_METRICS_PORT: cannot listen on {settings.metrics_port}: {exc}")
    return settings


def _listen(settings: Any) -> tuple[str, int]:
    return str(settings.host), int(settings.port)


def run_service(
    name: str,
    settings_class: type[S],
    create_app: Callable[[S], FastAPI],
    *,
    listen: Callable[[S], tuple[str, int]] = _listen,
    preflight: Callable[[S], None] | None = None,
) -> None:
    """The console script of an HTTP service: settings, ``preflight``, the app, uvicorn."""
    settings = start_process(name, settings_class)
    try:
        if preflight is not None:
            preflight(settings)
        app = create_app(settings)
    except StartupError as exc:
        die(name, str(exc))
    host, port = listen(settings)
    settle_heap(settings)
    # log_config=None: uvicorn's loggers go through the JSON handler of setup_logging;
    # access_log=False: its access lines carry raw paths and query strings (AccessLogMiddleware
    # logs the route template instead).
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False,
                proxy_headers=False, timeout_graceful_shutdown=5)


def run_worker(name: str, settings_class: type[S],
               serve: Callable[[S], Coroutine[Any, Any, None]]) -> None:
    """The console script of a bus worker: settings, then ``serve`` until it returns."""
    settings = start_process(name, settings_class)
    settle_heap(settings)
    try:
        run_loop(serve(settings))
    except StartupError as exc:
        die(name, str(exc))


def settle_heap(settings: CommonSettings) -> None:
    """Freeze what start-up made (modules, routes, models: most of a process's objects) out of
    the cyclic GC's view, so that a full collection under a burst walks only what requests
    made; then the young generation's threshold, if set (docs/performance.md, open streams)."""
    gc.collect()
    gc.freeze()
    if settings.gc_gen0_threshold is not None:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(settings.gc_gen0_threshold, older, oldest)


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop, as uvicorn runs the HTTP services: a worker spends a tenth of
    its CPU in the event loop itself, and uvloop's costs less (issue 23). The stdlib loop
    where uvloop does not build (Windows)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - only where uvloop has no wheel
        asyncio.run(main)
        return
    uvloop.run(main)


def internal_app(title: str, internal_token: str, lifespan: Lifespan,
                 routers: Sequence[APIRouter]) -> FastAPI:
    """An app only Atlas processes call: docs and schema off, the error envelope, every
    router behind the internal token, an unguarded ``/healthz``, and an access line per request
    at DEBUG."""
    app = FastAPI(title=title, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    install_error_handlers(app)
    install_database_down_handler(app)  # PostgreSQL restarting: 503, not 500
    # DEBUG: the gateway's INFO line already says the request happened, under the same id.
    app.add_middleware(AccessLogMiddleware, level=logging.DEBUG, id_header=True)
    guard = [Depends(require_internal_token(internal_token))]
    for router in routers:
        app.include_router(router, dependencies=guard)
    app.include_router(metrics_router())  # unguarded, like /healthz: Prometheus has no token

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def set_state(app: FastAPI, state: object) -> None:
    """Publish what the lifespan built; routes read it with :func:`app_state`."""
    setattr(app.state, APP_STATE, state)


def app_state(request: Request, kind: type[T]) -> T:
    """The app's state as ``kind``; an app whose lifespan has not run fails loudly."""
    state = getattr(request.app.state, APP_STATE, None)
    if not isinstance(state, kind):
        raise RuntimeError(f"app state is {type(state).__name__}, not {kind.__name__}")
    return state

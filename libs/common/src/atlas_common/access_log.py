"""One access line per HTTP request: request id, method, route, status, duration, trace id.

The route is the template the request matched (``/api/v1/conversations/{id}``), never the raw
path or its query string: ids, share tokens or a key put in a query never reach a log, and lines
group by route. Headers and bodies are never read. The gateway logs its public requests at INFO
(the one line a question costs); internal services log theirs at DEBUG, since the gateway's line
already says the request happened. uvicorn's own access log is off (``run_service``): it prints
raw paths with their query strings.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from typing import Any

from opentelemetry import propagate, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas_common.metrics import HTTP_DURATION, HTTP_IN_FLIGHT, STREAMS_OPEN

log = logging.getLogger("atlas.access")
tracer = trace.get_tracer("atlas.http")
#: Routes a liveness probe polls every few seconds: their lines are DEBUG, whatever the level.
PROBES = frozenset({"/healthz"})
#: The ASGI state of the request being served: its ``request_id`` is set by the app (the
#: gateway's RequestIdMiddleware) and read by :func:`current_request_id`.
_state: ContextVar[dict[str, Any] | None] = ContextVar("atlas_request_state", default=None)


def current_request_id() -> str | None:
    """The id of the request this task serves, so that calls to internal services carry it
    (``x-request-id``) and their records name the id the caller was given."""
    state = _state.get()
    rid = state.get("request_id") if state is not None else None
    return str(rid) if rid is not None else None


class AccessLogMiddleware:
    """Log each HTTP request once, when its response ends (a stream: when the stream ends).

    With ``span=True`` (the gateway) the request runs in a server span (FastAPI's, else one of
    its own), so the trace id of the access line is the one the bus carries to the worker. A
    request that raised is logged with status 500: the error handler logs the exception
    itself, once.
    """

    def __init__(self, app: ASGIApp, *, level: int = logging.INFO, span: bool = False,
                 quiet_routes: frozenset[str] = PROBES, id_header: bool = False) -> None:
        self.app = app
        self.level = level
        self.span = span
        self.quiet_routes = quiet_routes
        # Internal apps: the caller's x-request-id (the gateway's id) names the request.
        self.id_header = id_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if self.id_header and "request_id" not in state:
            state["request_id"] = _id_from_header(scope)
        token = _state.set(state)
        started = time.perf_counter()
        status = 500  # what the client gets when nothing answered before an exception
        stream = _SseWrite()

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                stream.started(message)
            await send(message)

        HTTP_IN_FLIGHT.inc()
        try:
            with self._span(scope) as span:
                try:
                    await self.app(scope, receive, send_noting_status)
                finally:
                    stream.ended()
                    self._log(scope, status, started, span)
        finally:
            HTTP_IN_FLIGHT.dec()
            _state.reset(token)

    def _span(self, scope: Scope) -> AbstractContextManager[Any]:
        # FastAPI's own telemetry already opens a server span once a tracer provider is set:
        # then the line takes its trace id, and no second span nests in it.
        if not self.span or trace.get_current_span().get_span_context().is_valid:
            return nullcontext()
        return tracer.start_as_current_span(
            f"HTTP {scope['method']}", context=_caller_context(scope), kind=trace.SpanKind.SERVER
        )

    def _log(self, scope: Scope, status: int, started: float, span: Any) -> None:
        route = route_template(scope)
        elapsed = time.perf_counter() - started
        HTTP_DURATION.labels(route or "unmatched", scope["method"], str(status)).observe(elapsed)
        if span is not None:
            span.update_name(f"{scope['method']} {route}")
            span.set_attributes({"http.route": route or "", "http.response.status_code": status})
        level = logging.DEBUG if route in self.quiet_routes else self.level
        if not log.isEnabledFor(level):
            return
        state = scope.get("state") or {}
        fields: dict[str, Any] = {
            "request_id": state.get("request_id"),
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": round(elapsed * 1000, 1),
        }
        if "client_request_id" in state:
            fields["client_request_id"] = state["client_request_id"]
        log.log(level, "request", extra=fields)


class _SseWrite:
    """An event stream being written: counted in ``atlas_streams_open`` and spanned (the SSE
    write of a question's trace) from its first byte to its end."""

    def __init__(self) -> None:
        self.span: Any = None

    def started(self, message: Message) -> None:
        headers = dict(message.get("headers") or [])
        if not headers.get(b"content-type", b"").startswith(b"text/event-stream"):
            return
        STREAMS_OPEN.inc()
        self.span = tracer.start_span("sse write", attributes={"network.protocol.name": "http"})

    def ended(self) -> None:
        if self.span is not None:
            STREAMS_OPEN.dec()
            self.span.end()
            self.span = None


def _caller_context(scope: Scope) -> Any:
    """The caller's trace (its ``traceparent`` header), as FastAPI's own span would continue
    it; None (a new trace) when it sent none."""
    headers = scope.get("headers") or []
    carrier = {
        k.decode("latin-1"): v.decode("latin-1")
        for k, v in headers
        if k in (b"traceparent", b"tracestate")
    }
    return propagate.extract(carrier) if carrier else None


def _id_from_header(scope: Scope) -> str | None:
    given = dict(scope.get("headers") or []).get(b"x-request-id")
    return given.decode("latin-1")[:128] if given else None


def route_template(scope: Scope) -> str | None:
    """The path template of the route that took the request (``None`` when none did)."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template is not None else None

"""Spans Atlas opens itself: calls to other services (httpx), database calls, named steps.

One trace per question: the gateway's server span, the bus publish and consume (``traceparent``
in AMQP headers), the worker's steps, calls between services (``traceparent`` in HTTP headers,
continued by FastAPI's server span on the other side). Attributes follow the OpenTelemetry
semantic conventions and never carry a secret: no header, no query string value, no URL user
info, no raw path (a share link's path is its token; ``http.route`` names the template), and
SQL text only when ``ATLAS_OTEL_DB_QUERY_TEXT=true`` (guarded SQL holds no credential, but its
literals may be a user's data).

Without an exporter (``telemetry.setup_tracing``) :func:`http_transport` adds nothing and
:func:`step` / :func:`db_call` open no span at all: near-zero cost (issue 23). Log lines keep
the trace id of the enclosing (non-recording) server or consume span.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import SpanKind, StatusCode

tracer = trace.get_tracer("atlas")


class _Config:
    enabled = False  # an exporter is set: spans are recorded
    db_query_text = False


config = _Config()


def configure(*, enabled: bool, db_query_text: bool = False) -> None:
    config.enabled = enabled
    config.db_query_text = db_query_text


#: What a step is when nothing is exported: no span at all (a non-recording one still costs
#: ids, a context switch and a generator, per step and per stream write).
_NO_SPAN = nullcontext(trace.INVALID_SPAN)


def step(name: str, attributes: dict[str, Any] | None = None) -> AbstractContextManager[trace.Span]:
    """A named step of the work (planning, guard, LLM call, stream publish)."""
    if not config.enabled:
        return _NO_SPAN
    return tracer.start_as_current_span(name, attributes=attributes)


def messaging_attributes(destination: str, routing_key: str, operation: str) -> dict[str, str]:
    """RabbitMQ span attributes: the exchange published to (or the queue consumed), the
    routing key, and the operation (``publish``, ``process``)."""
    return {
        "messaging.system": "rabbitmq",
        "messaging.destination.name": destination,
        "messaging.rabbitmq.destination.routing_key": routing_key,
        "messaging.operation.type": operation,
        "messaging.operation": operation,  # the attribute's name before semconv 1.26
    }


def db_call(
    system: str, operation: str, text: str | None = None
) -> AbstractContextManager[trace.Span]:
    """A database call (``db.system``, ``db.operation.name``); the text only when allowed."""
    if not config.enabled:
        return _NO_SPAN
    attributes: dict[str, Any] = {"db.system": system, "db.operation.name": operation}
    if text is not None and config.db_query_text:
        attributes["db.query.text"] = text
    return tracer.start_as_current_span(
        f"{operation} {system}", kind=SpanKind.CLIENT, attributes=attributes
    )


class TracingTransport(httpx.AsyncBaseTransport):
    """An httpx transport that opens a client span per request and sends ``traceparent``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        attributes: dict[str, Any] = {
            "http.request.method": request.method,
            "server.address": url.host,
            "server.port": url.port or (443 if url.scheme == "https" else 80),
            "url.scheme": url.scheme,
        }
        with tracer.start_as_current_span(
            request.method, kind=SpanKind.CLIENT, attributes=attributes
        ) as span:
            propagate.inject(request.headers)
            response = await self._inner.handle_async_request(request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(StatusCode.ERROR)
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def http_transport(**options: Any) -> httpx.AsyncBaseTransport | None:
    """``httpx.AsyncClient(transport=http_transport())``: traced when spans are exported,
    else None (httpx's own transport, nothing added per call)."""
    if not config.enabled:
        return None
    return TracingTransport(httpx.AsyncHTTPTransport(**options))


class Redactor(SpanProcessor):
    """Strips what may be a secret from a span as it starts (FastAPI's server span records the
    raw path and query): query values become ``REDACTED``, the raw path is dropped."""

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        attributes = span.attributes or {}
        query = attributes.get("url.query")
        if isinstance(query, str) and query:
            pairs = parse_qsl(query, keep_blank_values=True)
            span.set_attribute("url.query", urlencode([(k, "REDACTED") for k, _ in pairs]))
        if "url.path" in attributes:
            span.set_attribute("url.path", "REDACTED")

    def on_end(self, span: ReadableSpan) -> None:
        return None

"""Prometheus metrics of every Atlas process, and the ways they are served.

Each process holds the metrics of its own work in ``prometheus_client``'s default registry
(with the process collector: CPU, memory, open files); a metric a process never touches is
still listed, at zero, so dashboards and alert rules find every name on every service. Names
are ``atlas_*`` with the unit in the name (``_seconds``, ``_total``). Labels are bounded: a
route template (never a raw path), a status code, an outcome, a feature, a model name.

Served (docs/observability.md):

- internal HTTP services: ``GET /metrics`` on their own (internal) port, without the internal
  token, like ``/healthz`` (``atlas_common.service.internal_app``);
- the gateway and the query workers: a listener of its own on ``ATLAS_METRICS_PORT`` (0: none),
  never through the public app unless ``ATLAS_METRICS_PUBLIC=true``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

#: Seconds, from a cached call (~1 ms) to a question near its deadline (120 s).
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

HTTP_DURATION = Histogram(
    "atlas_http_request_duration_seconds",
    "HTTP request duration (a stream: until it ends), by route template, method and status.",
    ["route", "method", "status"],
    buckets=_LATENCY,
)
HTTP_IN_FLIGHT = Gauge("atlas_http_requests_in_flight", "HTTP requests being served now.")
STREAMS_OPEN = Gauge("atlas_streams_open", "Server-sent event streams open now.")
JOBS = Counter("atlas_jobs_total", "Questions a worker ended, by outcome.", ["outcome"])
JOB_DURATION = Histogram(
    "atlas_job_duration_seconds",
    "From a worker taking a question to its stream's end, by outcome.",
    ["outcome"],
    buckets=_LATENCY,
)
QUEUE_WAIT = Histogram(
    "atlas_job_queue_wait_seconds",
    "From a question's publish to a worker receiving it (each delivery).",
    buckets=_LATENCY,
)
FIRST_TOKEN = Histogram(
    "atlas_time_to_first_token_seconds",
    "From a question's publish to its first answer text written to the stream.",
    buckets=_LATENCY,
)
REPLAY_HITS = Counter(
    "atlas_stream_replay_hits_total", "Stream resumes that found their run (Last-Event-ID)."
)
CACHE_LOOKUPS = Counter(
    "atlas_cache_lookups_total",
    "Credential cache lookups by cache (principal: the gateway's; key: auth's stored keys) "
    "and result (hit, miss).",
    ["cache", "result"],
)
REVOCATION_DELAY = Histogram(
    "atlas_revocation_propagation_seconds",
    "From a revocation event's occurrence to this process dropping the cached credential.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
ENTITLEMENT_DENIALS = Counter(
    "atlas_entitlement_denials_total", "Requests a plan refused, by feature.", ["feature"]
)
LLM_TOKENS = Counter(
    "atlas_llm_tokens_total",
    "Language model tokens, by kind (input, output) and model.",
    ["kind", "model"],
)
QUEUE_DEPTH = Gauge("atlas_query_queue_depth", "Ready questions in the query queue (last read).")
QUEUE_CONSUMERS = Gauge(
    "atlas_query_queue_consumers", "Workers consuming the query queue (last read)."
)


#: Label children looked up once: ``labels()`` takes a lock and a dict lookup per call.
_OUTCOMES = {
    o: (JOBS.labels(o), JOB_DURATION.labels(o)) for o in ("answered", "stopped", "timeout", "error")
}


def queue_read(messages: int | None, consumers: int | None) -> None:
    """The query queue's passive declare (the gateway's presence check reads it)."""
    QUEUE_DEPTH.set(messages or 0)
    QUEUE_CONSUMERS.set(consumers or 0)


def delivered(message: Any) -> None:
    """A question reached a worker: its wait in the queue."""
    if getattr(message, "type", None) == "query.requested":
        QUEUE_WAIT.observe(max(0.0, time.time() - message.occurred_at.timestamp()))


def stream_written(events: Sequence[Any], started: float) -> None:
    """A worker wrote ``events``; the last ending the stream ends the job: its outcome."""
    if not events:
        return
    last = events[-1]
    kind = getattr(last, "type", None)
    if kind == "done":
        stopped = any(getattr(e, "stage", None) == "stopped" for e in events)
        outcome = "stopped" if stopped else "answered"
    elif kind == "error":
        outcome = "timeout" if last.code == "timeout" else "error"
    else:
        return
    jobs, duration = _OUTCOMES[outcome]
    jobs.inc()
    duration.observe(time.monotonic() - started)


def denied(feature: str) -> None:
    ENTITLEMENT_DENIALS.labels(feature).inc()


def cache_lookup(cache: str, hit: bool) -> None:
    CACHE_LOOKUPS.labels(cache, "hit" if hit else "miss").inc()


def revoked(occurred_at: float) -> None:
    REVOCATION_DELAY.observe(max(0.0, time.time() - occurred_at))


def llm_tokens(model: str, input_tokens: int, output_tokens: int) -> None:
    LLM_TOKENS.labels("input", model).inc(input_tokens)
    LLM_TOKENS.labels("output", model).inc(output_tokens)


def metrics_router() -> APIRouter:
    """``GET /metrics`` in Prometheus's text format, for an app's own port."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def serve_metrics(host: str, port: int) -> None:
    """A listener of its own (a daemon thread) for a process whose HTTP port is public (the
    gateway) or that has none (a worker); ``port`` 0: none."""
    if port:
        start_http_server(port, addr=host)

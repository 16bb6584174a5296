"""Tracing without an exporter (``ATLAS_OTEL_EXPORTER=none``, the default): nothing is
recorded, yet each request still runs in one span with a valid trace id (the log lines' and
the bus's ``traceparent``), continuing the caller's trace when it sent one (issue 23)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from opentelemetry import propagate, trace

from atlas_common.access_log import AccessLogMiddleware
from atlas_common.telemetry import fastapi_telemetry, setup_tracing

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def app() -> FastAPI:
    application = FastAPI(telemetry=fastapi_telemetry("none"))
    application.add_middleware(AccessLogMiddleware, span=True)

    @application.get("/span")
    async def span() -> dict[str, object]:
        current = trace.get_current_span()
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return {
            "trace_id": format(current.get_span_context().trace_id, "032x"),
            "valid": current.get_span_context().is_valid,
            "recording": current.is_recording(),
            "traceparent": carrier.get("traceparent"),
        }

    return application


async def get(headers: dict[str, str] | None = None) -> dict[str, object]:
    transport = httpx.ASGITransport(app())
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        response = await client.get("/span", headers=headers)
    body: dict[str, object] = response.json()
    return body


async def test_a_request_has_a_valid_unrecorded_span_whose_id_travels() -> None:
    setup_tracing("tests")
    seen = await get()
    assert seen["valid"] is True and seen["recording"] is False
    assert isinstance(seen["traceparent"], str)
    assert seen["traceparent"].split("-")[1] == seen["trace_id"]
    other = await get()
    assert other["trace_id"] != seen["trace_id"]  # a new trace per request


async def test_the_callers_traceparent_is_continued() -> None:
    setup_tracing("tests")
    parent = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"
    seen = await get({"traceparent": parent})
    assert seen["trace_id"] == CALLER_TRACE and seen["valid"] is True

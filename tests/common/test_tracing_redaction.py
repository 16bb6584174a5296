"""atlas_common.tracing: what may be a secret leaves a span before any exporter sees it."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from atlas_common import tracing


@pytest.fixture
def recorded() -> tuple[TracerProvider, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(tracing.Redactor())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_query_values_and_raw_path_are_redacted(
    recorded: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = recorded
    attributes = {"url.query": "token=s3cret&page=2", "url.path": "/api/public/conversations/tok"}
    provider.get_tracer("t").start_span("GET", attributes=attributes).end()
    (span,) = exporter.get_finished_spans()
    assert span.attributes is not None
    assert span.attributes["url.query"] == "token=REDACTED&page=REDACTED"
    assert span.attributes["url.path"] == "REDACTED"


async def test_the_transport_sends_traceparent_and_records_no_url(
    recorded: tuple[TracerProvider, InMemorySpanExporter], monkeypatch: pytest.MonkeyPatch
) -> None:
    provider, exporter = recorded
    monkeypatch.setattr(tracing, "tracer", provider.get_tracer("t"))
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    transport = tracing.TracingTransport(httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get("http://user:pw@svc:8101/internal/v1/x?key=atlas_sk_secret")
    (span,) = exporter.get_finished_spans()
    assert seen[0].headers["traceparent"].split("-")[2] == format(span.context.span_id, "016x")
    values = " ".join(str(v) for v in (span.attributes or {}).values())
    assert "atlas_sk_secret" not in values and "pw" not in values and "/internal" not in values
    assert span.attributes is not None and span.attributes["http.response.status_code"] == 204


def test_without_an_exporter_steps_open_no_span() -> None:
    tracing.configure(enabled=False)
    with tracing.step("guard") as span, tracing.db_call("duckdb", "SELECT", "x") as db:
        assert not span.get_span_context().is_valid and not db.get_span_context().is_valid
    assert tracing.http_transport() is None

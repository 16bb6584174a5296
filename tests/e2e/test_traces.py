"""One trace per question: a stack exporting OTLP/HTTP to a receiver this test runs.

The receiver decodes ``ExportTraceServiceRequest`` bodies with the OpenTelemetry proto
package. One chat question (an API key, managed auth, so the gateway asks auth, which asks
keys; a chat id, so the gateway asks query-api for the conversation) must give one trace id
holding the gateway's, the worker's and query-api's spans, the worker's consume span under the
gateway's request span, and no secret in any attribute or resource.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.support.polling import wait_for
from tests.support.stack import wait_for_workers
from tests.support.stacks import isolated_stack

QUESTION = "How many users signed up last week?"


@dataclass
class Received:
    """Every span the receiver got: (service name, span, resource attributes)."""

    spans: list[tuple[str, Any, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        with self.lock:
            for resource_spans in request.resource_spans:
                resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        self.spans.append((resource.get("service.name", ""), span, resource))

    def of_trace(self, trace_id: bytes) -> list[tuple[str, Any, dict[str, str]]]:
        with self.lock:
            return [s for s in self.spans if s[1].trace_id == trace_id]


def _value(value: Any) -> str:
    kind = value.WhichOneof("value")
    return str(getattr(value, kind)) if kind else ""


def receiver(received: Received) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            status = 200 if self.path == "/v1/traces" else 404
            if status == 200:
                received.add(body)
            reply = ExportTraceServiceResponse().SerializeToString()
            self.send_response(status)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Traced:
    received: Received
    trace_id: bytes
    secrets: dict[str, str]


def _ask(gateway: str, key: str) -> str:
    body = {
        "id": "chat-" + secrets.token_hex(4),
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": QUESTION}]}],
    }
    with httpx.stream(
        "POST", gateway + "/api/v1/chat", json=body, headers={"x-api-key": key}, timeout=60
    ) as r:
        assert r.status_code == 200, r.read()
        text = "".join(r.iter_text())
    assert '"type":"finish"' in text.replace(" ", ""), text[-500:]

    return str(r.headers["x-request-id"])


def _signed_up_key(gateway: str, password: str) -> tuple[str, str]:
    account = {"email": "traces@example.com", "password": password, "name": "Tracy"}
    up = httpx.post(gateway + "/api/auth/sign-up/email", json=account, timeout=10)
    assert up.status_code == 200, up.text
    session = str(up.json()["token"])
    created = httpx.post(
        gateway + "/api/auth/api-key/create",
        json={"name": "traces"},
        headers={"authorization": f"Bearer {session}"},
        timeout=10,
    )
    assert created.status_code == 200, created.text
    return session, str(created.json()["key"])


def _gateway_trace(received: Received, request_id: str) -> bytes:
    """The trace of the gateway's server span of the question (its request id is not an
    attribute, so: the one POST /api/v1/chat server span)."""

    def find() -> bytes | None:
        with received.lock:
            for service, span, _ in received.spans:
                if (
                    service == "gateway"
                    and span.kind == span.SPAN_KIND_SERVER
                    and span.name == "POST /api/v1/chat"
                ):
                    return bytes(span.trace_id)
        return None

    found = wait_for(find, timeout=30, what="the gateway's server span of the question")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Traced]:
    received = Received()
    server = receiver(received)
    directory = tmp_path_factory.mktemp("traces")
    internal_token = secrets.token_hex(24)
    # its own stack: every process exports traces to this module's receiver.
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_INTERNAL_TOKEN": internal_token,
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{server.server_port}",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    try:
        with isolated_stack(directory, env) as (stack, _):
            with stack.together():
                stack.start("atlas-query-worker", "worker-1")
                stack.start_keys()
                stack.start_auth(
                    {
                        "ATLAS_AUTH_MODE": "managed",
                        "BETTER_AUTH_SECRET": "t" * 40,
                        "ATLAS_SIGNUP": "open",
                        "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                        "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192",
                    }
                )
                stack.start_query_api()
                gateway = stack.start_gateway()
            wait_for_workers(gateway, 1)
            password = "a password no span holds " + secrets.token_hex(8)
            session, key = _signed_up_key(gateway, password)
            request_id = _ask(gateway, key)
            trace_id = _gateway_trace(received, request_id)
            found = {
                "api key": key,
                "password": password,
                "internal token": internal_token,
                "session token": session,
            }
            yield Traced(received, trace_id, found)
    finally:
        server.shutdown()


def _services(traced: Traced) -> set[str]:
    return {service for service, _, _ in traced.received.of_trace(traced.trace_id)}


def test_one_trace_holds_the_gateway_the_worker_and_the_query_api(traced: Traced) -> None:
    want = {"gateway", "query-worker", "query-api", "auth", "keys"}
    wait_for(
        lambda: _services(traced) >= want,
        timeout=30,
        what=f"spans of {want} in the question's trace",
    )


def _by_id(traced: Traced) -> dict[bytes, Any]:
    return {bytes(s.span_id): s for _, s, _ in traced.received.of_trace(traced.trace_id)}


def _ancestors(span: Any, spans: dict[bytes, Any]) -> list[Any]:
    chain = []
    while span.parent_span_id and bytes(span.parent_span_id) in spans:
        span = spans[bytes(span.parent_span_id)]
        chain.append(span)
    return chain


def _named(traced: Traced, service: str, name: str) -> Any:
    def find() -> Any:
        for svc, span, _ in traced.received.of_trace(traced.trace_id):
            if svc == service and span.name == name:
                return span
        return None

    return wait_for(find, timeout=30, what=f"{service}'s span {name}")


def test_the_worker_consume_span_descends_from_the_gateway_request(traced: Traced) -> None:
    consume = _named(traced, "query-worker", "consume query.requested")
    request = _named(traced, "gateway", "POST /api/v1/chat")
    publish = _named(traced, "gateway", "publish query.requested")
    chain = _ancestors(consume, _by_id(traced))
    assert [bytes(s.span_id) for s in chain][:1] == [bytes(publish.span_id)]
    assert bytes(request.span_id) in {bytes(s.span_id) for s in chain}
    assert not request.parent_span_id  # the question's root: the client sent no traceparent
    attributes = {a.key: _value(a.value) for a in consume.attributes}
    assert attributes["messaging.system"] == "rabbitmq"
    assert attributes["messaging.operation.type"] == "process"


def test_worker_steps_and_the_sse_write_are_in_the_trace(traced: Traced) -> None:
    spans = _by_id(traced)
    consume = _named(traced, "query-worker", "consume query.requested")
    for name in ("planning", "guard", "SELECT duckdb", "stream publish"):
        step = _named(traced, "query-worker", name)
        assert consume in _ancestors(step, spans), name
    db = {
        a.key: _value(a.value) for a in _named(traced, "query-worker", "SELECT duckdb").attributes
    }
    assert db["db.system"] == "duckdb" and "db.query.text" not in db  # off by default
    sse = _named(traced, "gateway", "sse write")
    assert _named(traced, "gateway", "POST /api/v1/chat") in _ancestors(sse, spans)
    client = [
        s
        for svc, s, _ in traced.received.of_trace(traced.trace_id)
        if svc == "gateway" and s.kind == s.SPAN_KIND_CLIENT
    ]
    resolve = _named(traced, "query-api", "POST /internal/v1/conversations/resolve")
    assert bytes(resolve.parent_span_id) in {bytes(c.span_id) for c in client}


def test_no_secret_in_any_attribute(traced: Traced) -> None:
    with traced.received.lock:
        everything = list(traced.received.spans)
    assert everything
    for service, span, resource in everything:
        values = [_value(a.value) for a in span.attributes] + list(resource.values())
        values += [_value(a.value) for e in span.events for a in e.attributes]
        text = "\n".join([span.name, *values])
        for name, secret in traced.secrets.items():
            assert secret not in text, f"{name} in a span of {service}: {span.name}"

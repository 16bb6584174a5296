"""Every error status carries the envelope; no worker means a clean, immediate 503."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.isolation import Isolation
from tests.support.polling import wait_for
from tests.support.stack import Stack


def assert_envelope(r: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    body: dict[str, object] = r.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["requestId"] == r.headers["x-request-id"]
    assert "detail" not in body
    return body


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", {}, 404, "not_found"),
        ("PUT", "/api/v1/query", {}, 405, "method_not_allowed"),
        (
            "POST",
            "/api/v1/query",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "invalid_request",
        ),
        ("POST", "/api/v1/query", {"json": {}}, 422, "validation_error"),
        ("POST", "/api/v1/query", {"json": {"question": 42}}, 422, "validation_error"),
        ("POST", "/api/v1/query", {"json": {"question": "   "}}, 422, "validation_error"),
        ("POST", "/api/v1/query", {"json": {"question": "x" * 4001}}, 422, "validation_error"),
        (
            "POST",
            "/api/v1/query",
            {"json": {"question": "x" * 2_000_000}},
            413,
            "payload_too_large",
        ),
        ("POST", "/api/v1/chat", {"json": {"messages": []}}, 422, "validation_error"),
        (
            "POST",
            "/api/v1/chat",
            {
                "json": {
                    "messages": [
                        {"id": "a", "role": "assistant", "parts": [{"type": "text", "text": "hi"}]}
                    ]
                }
            },
            400,
            "invalid_request",
        ),
        ("POST", "/api/v1/chat", {"json": {"messages": "nope"}}, 422, "validation_error"),
    ],
)
def test_bad_input_gets_the_envelope(
    gateway: str, method: str, path: str, kwargs: dict[str, object], status: int, code: str
) -> None:
    r = httpx.request(method, gateway + path, timeout=10, **kwargs)  # type: ignore[arg-type]
    body = assert_envelope(r, status, code)
    if code == "validation_error":
        assert isinstance(body["details"], list) and body["details"]


@pytest.fixture(scope="module")
def workerless_gateway(stack: Stack) -> Iterator[str]:
    """A gateway on a vhost of its own where no worker consumes."""
    iso = Isolation().create()
    try:
        url = stack.start_gateway("gateway-no-workers", iso.env())
        yield url
    finally:
        for proc in [p for p in stack.procs if p.name == "gateway-no-workers"]:
            stack.stop(proc)
        iso.remove()


def test_no_worker_is_unavailable_at_once(workerless_gateway: str) -> None:
    started = time.monotonic()
    r = httpx.post(
        workerless_gateway + "/api/v1/query", json={"question": "How many users?"}, timeout=30
    )
    assert time.monotonic() - started < 5, "the gateway waited instead of refusing"
    body = assert_envelope(r, 503, "unavailable")
    assert int(r.headers["retry-after"]) >= 1 and body["retryAfterSeconds"] >= 1
    chat = httpx.post(
        workerless_gateway + "/api/v1/chat",
        timeout=30,
        json={
            "messages": [
                {"id": "m", "role": "user", "parts": [{"type": "text", "text": "How many users?"}]}
            ]
        },
    )
    assert_envelope(chat, 503, "unavailable")
    health = httpx.get(workerless_gateway + "/api/health", timeout=10).json()
    assert health["status"] == "degraded" and health["checks"]["workers"]["consumers"] == 0


def test_health_is_ok_with_workers(gateway: str) -> None:
    # Read in the background every second: a check that failed a moment ago on a busy machine
    # shows for a second; a lasting failure still fails below.
    with contextlib.suppress(TimeoutError):
        wait_for(lambda: _health_status(gateway) == "ok", timeout=10, what="/api/health ok")
    r = httpx.get(gateway + "/api/health", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["checks"]["workers"]["consumers"] >= 2
    assert body["status"] == "ok"
    for name in ("rabbitmq", "redis", "internalDb", "datasource", "semanticLayer"):
        assert body["checks"][name]["status"] == "ok", body["checks"][name]
    assert body["checks"]["semanticLayer"]["entityCount"] >= 5
    assert body["checks"]["auth"]["mode"] == "none"


def _health_status(gateway: str) -> str:
    return str(httpx.get(gateway + "/api/health", timeout=10).json()["status"])


def test_openapi_and_docs_are_served(gateway: str) -> None:
    spec = httpx.get(gateway + "/api/v1/openapi.json", timeout=10).json()
    assert {"/api/v1/query", "/api/v1/chat", "/api/health"} <= set(spec["paths"])
    assert httpx.get(gateway + "/docs", timeout=10).status_code == 200

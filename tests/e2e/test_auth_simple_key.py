"""simple-key mode through the gateway: 401s, the role table, shared rate limits, the query API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.stacks import isolated_stack

KEY = "sk-test-0123456789abcdef0123456789abcdef"


@dataclass
class KeyStack:
    gateway: str
    limited: list[str]


@pytest.fixture(scope="module")
def simple_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyStack]:
    directory = tmp_path_factory.mktemp("simple-key")
    # its own stack: simple-key auth with a viewer key, and replicas limited to 5 requests a minute.
    env = {"ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb")}
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            stack.start_auth(
                {"ATLAS_AUTH_MODE": "api-key", "ATLAS_API_KEY": KEY, "ATLAS_API_KEY_ROLE": "viewer"}
            )
            stack.start_query_api()
            gateway = stack.start_gateway()
            limited = [
                stack.start_gateway(f"limited-{i}", {"ATLAS_RATE_LIMIT_RPM": "5"}) for i in (1, 2)
            ]
        yield KeyStack(gateway, limited)


def test_missing_or_wrong_key_is_401_with_www_authenticate(simple_key: KeyStack) -> None:
    for headers in ({}, {"authorization": "Bearer nope"}, {"x-api-key": KEY[:-1]}):
        r = httpx.get(simple_key.gateway + "/api/v1/tables", headers=headers, timeout=10)
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "auth_error"
        assert r.headers["www-authenticate"].lower().startswith("bearer")


def test_key_by_bearer_or_header_reaches_the_tables(simple_key: KeyStack) -> None:
    for headers in ({"authorization": f"Bearer {KEY}"}, {"x-api-key": KEY}):
        r = httpx.get(simple_key.gateway + "/api/v1/tables", headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        tables = {t["table"] for t in r.json()["tables"]}
        assert {"users", "orders"} <= tables


def test_a_viewer_may_not_validate_sql(simple_key: KeyStack) -> None:
    r = httpx.post(
        simple_key.gateway + "/api/v1/validate-sql",
        json={"sql": "SELECT 1"},
        headers={"x-api-key": KEY},
        timeout=10,
    )
    assert r.status_code == 403 and r.json()["error"] == "forbidden_role"


def test_health_reports_the_canonical_mode(simple_key: KeyStack) -> None:
    body = httpx.get(simple_key.gateway + "/api/health", timeout=10).json()
    assert body["checks"]["auth"]["mode"] == "simple-key"


def test_rate_limit_is_shared_by_replicas(simple_key: KeyStack) -> None:
    headers = {"x-api-key": KEY}
    seconds_into_minute = time.time() % 60
    if seconds_into_minute > 50:  # the counter's window is the minute: keep all 6 inside one
        time.sleep(61 - seconds_into_minute)
    statuses = [
        httpx.get(url + "/api/v1/tables", headers=headers, timeout=10)
        for url in simple_key.limited * 3
    ]
    assert [r.status_code for r in statuses[:5]] == [200] * 5
    refused = statuses[5]
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= refused.json()["retryAfterSeconds"] <= 60
    assert refused.headers["retry-after"] == str(refused.json()["retryAfterSeconds"])

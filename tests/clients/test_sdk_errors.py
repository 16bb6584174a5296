"""Typed errors from a simple-key Atlas (401, 403, 429), and the retry rules on their own."""

from __future__ import annotations

import httpx
import pytest
from atlas_sdk import (
    APIError,
    Atlas,
    AuthenticationError,
    PermissionDeniedError,
    PlanLimitError,
    RateLimitError,
    ServiceUnavailableError,
)
from atlas_sdk._errors import error_from_envelope
from atlas_sdk._retry import RetryPolicy

from tests.clients.conftest import KEY, Running


def test_a_missing_or_wrong_key_is_an_authentication_error(key_stack: Running) -> None:
    for key in ("", "sk-wrong"):
        with pytest.raises(AuthenticationError) as caught:
            Atlas(key_stack.url, api_key=key).tables()
        assert caught.value.status_code == 401 and caught.value.code == "auth_error"
        assert caught.value.request_id


def test_the_key_comes_from_the_environment(
    key_stack: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_URL", key_stack.url)
    monkeypatch.setenv("ATLAS_API_KEY", KEY)
    client = Atlas()
    assert client.base_url == key_stack.url
    assert {"users", "orders"} <= {t.table for t in client.tables()}
    assert KEY not in repr(client)


def test_a_viewer_validating_sql_is_permission_denied(key_stack: Running) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        Atlas(key_stack.url, api_key=KEY).validate_sql("SELECT 1")
    assert caught.value.status_code == 403 and caught.value.code == "forbidden_role"


def test_rate_limited_carries_retry_after(key_stack: Running) -> None:
    client = Atlas(key_stack.limited_url, api_key=KEY, max_retries=0)
    with pytest.raises(RateLimitError) as caught:
        for _ in range(3):  # 1 per minute: the second or third is refused
            client.tables()
    error = caught.value
    assert error.code == "rate_limited" and error.status_code == 429
    assert error.retry_after is not None and 0 < error.retry_after <= 60


def test_retry_rules() -> None:
    policy = RetryPolicy(max_retries=2, initial_delay=0.5, max_retry_after=30)
    limited = error_from_envelope(
        {"error": "rate_limited", "message": "", "retryAfterSeconds": 7}, status_code=429
    )
    plan = error_from_envelope(
        {"error": "plan_limit_exceeded", "message": "", "retryAfterSeconds": 5}, status_code=429
    )
    busy = error_from_envelope({"error": "unavailable", "message": ""}, status_code=503)
    assert isinstance(plan, PlanLimitError) and isinstance(plan, RateLimitError)
    assert isinstance(busy, ServiceUnavailableError)
    assert policy.error_delay(1, limited, idempotent=False) == 7
    assert policy.delay(1, retry_after=45) is None  # longer than the bound: raise, don't wait
    assert policy.error_delay(1, plan, idempotent=True) is None  # resets on the plan's clock
    assert policy.error_delay(3, limited, idempotent=True) is None  # past max_retries
    assert 0.375 <= (policy.error_delay(1, busy, idempotent=False) or 0) <= 0.5
    shed = error_from_envelope({"error": "overloaded", "message": "", "retryAfterSeconds": 3},
                               status_code=503)
    assert isinstance(shed, ServiceUnavailableError)
    assert policy.error_delay(1, shed, idempotent=False) == 3  # refused before any work
    refused = httpx.ConnectError("refused")
    dropped = httpx.ReadError("reset")
    assert policy.error_delay(1, refused, idempotent=False) is not None
    assert policy.error_delay(1, dropped, idempotent=False) is None  # the question may run
    assert policy.error_delay(1, dropped, idempotent=True) is not None
    gateway_down = error_from_envelope({"error": "internal_error"}, status_code=502)
    assert policy.error_delay(1, gateway_down, idempotent=False) is None
    assert isinstance(gateway_down, APIError) and policy.error_delay(
        1, gateway_down, idempotent=True
    )

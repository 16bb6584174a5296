"""Provider failures -> Atlas codes, and the retry policy around model requests."""

from __future__ import annotations

import pytest
from pydantic_ai.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelHTTPError,
    ModelNotFoundError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
)

from atlas_query.agent.answerer import AgentAnswerer
from atlas_query.agent.errors import ProviderError, is_retryable, to_atlas_error
from atlas_query.agent.providers import build_model, model_settings
from atlas_query.agent.retries import RetryPolicy
from atlas_query.agent.settings import AgentSettings
from atlas_query.semantic import SemanticLayer
from tests.query.agent.conftest import NOW, Record
from tests.query.agent.scripts import Script
from tests.support.stack import free_port

CASES = [
    (ModelAuthenticationError("m", "bad key"), "provider_auth_error"),
    (ModelRateLimitError("m", "slow down", retry_after=2.2), "provider_rate_limit"),
    (ModelQuotaExceededError("m", "no credits"), "provider_rate_limit"),
    (ModelTimeoutError("m", "read timeout", phase="read"), "provider_timeout"),
    (ModelConnectionError("m", "refused", phase="connect"), "provider_unreachable"),
    (ModelUnavailableError("m", "503"), "provider_unreachable"),
    (ModelNotFoundError("m", "no such model"), "provider_model_not_found"),
    (ModelServerError("m", "500"), "provider_error"),
    (ModelHTTPError(418, "m", body={"error": "teapot"}), "provider_error"),
    (UnexpectedModelBehavior("garbled"), "provider_error"),
]


@pytest.mark.parametrize(("exc", "code"), CASES, ids=[c for _, c in CASES])
def test_each_failure_has_its_wire_code(exc: Exception, code: str) -> None:
    err = to_atlas_error(exc)
    assert isinstance(err, ProviderError)
    assert err.code == code
    assert err.status_code in (502, 503, 504)


def test_retry_after_is_whole_seconds_in_the_error_and_header() -> None:
    err = to_atlas_error(ModelRateLimitError("m", "slow down", retry_after=2.2))
    assert err.retry_after_seconds == 3
    assert err.extra == {"retryAfterSeconds": 3}
    assert err.headers == {"Retry-After": "3"}
    assert to_atlas_error(ModelRateLimitError("m", "slow down")).retry_after_seconds is None


def test_the_message_never_echoes_the_providers_body() -> None:
    exc = ModelHTTPError(401, "m", body={"error": "Incorrect API key provided: sk-abc***xyz"})
    err = to_atlas_error(exc)
    assert "sk-abc" not in err.message and "401" in err.message


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (ModelRateLimitError("m", "x"), True),
        (ModelServerError("m", "x"), True),
        (ModelUnavailableError("m", "x"), True),
        (ModelConnectionError("m", "x"), True),
        (ModelTimeoutError("m", "x"), True),
        (ModelServerError("m", "x", in_stream=True), False),
        (ModelQuotaExceededError("m", "x"), False),
        (ModelAuthenticationError("m", "x"), False),
        (ModelNotFoundError("m", "x"), False),
        (UnexpectedModelBehavior("x"), False),
    ],
)
def test_what_is_worth_a_retry(exc: Exception, retryable: bool) -> None:
    assert is_retryable(exc) is retryable


def test_the_policy_waits_within_bounds() -> None:
    policy = RetryPolicy(retries=2, base_s=0.5, max_wait_s=10)
    assert 0.25 <= policy.wait_s(1, None) <= 0.5  # type: ignore[operator]
    assert 0.5 <= policy.wait_s(2, None) <= 1.0  # type: ignore[operator]
    assert policy.wait_s(3, None) is None
    assert policy.wait_s(1, 4.0) == 4.0
    assert policy.wait_s(1, 30.0) is None  # a long Retry-After fails fast
    assert RetryPolicy(retries=9, base_s=5, max_wait_s=3).wait_s(6, None) == 3


def fast(retries: int = 2) -> RetryPolicy:
    return RetryPolicy(retries=retries, base_s=0.001, max_wait_s=1)


async def test_a_rate_limit_is_retried_then_answered(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([ModelRateLimitError("m", "429", retry_after=0.01), "Answered."])
    r = record("Anything")
    await AgentAnswerer(script.model, layer, now=lambda: NOW, retry=fast()).answer(r.ctx)
    assert len(script.seen) == 2 and r.text == "Answered."


async def test_retries_are_bounded(layer: SemanticLayer, record: Record) -> None:
    script = Script([ModelServerError("m", "500")])
    r = record("Anything")
    answerer = AgentAnswerer(script.model, layer, now=lambda: NOW, retry=fast(2))
    with pytest.raises(ProviderError) as raised:
        await answerer.answer(r.ctx)
    assert raised.value.code == "provider_error"
    assert len(script.seen) == 3


async def test_a_refusal_is_not_retried(layer: SemanticLayer, record: Record) -> None:
    script = Script([ModelAuthenticationError("m", "401")])
    r = record("Anything")
    answerer = AgentAnswerer(script.model, layer, now=lambda: NOW, retry=fast())
    with pytest.raises(ProviderError) as raised:
        await answerer.answer(r.ctx)
    assert raised.value.code == "provider_auth_error"
    assert len(script.seen) == 1


async def test_a_long_retry_after_fails_fast_with_the_wait(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([ModelRateLimitError("m", "429", retry_after=45)])
    answerer = AgentAnswerer(script.model, layer, now=lambda: NOW, retry=fast())
    with pytest.raises(ProviderError) as raised:
        await answerer.answer(record("Anything").ctx)
    assert raised.value.code == "provider_rate_limit"
    assert raised.value.retry_after_seconds == 45
    assert len(script.seen) == 1


async def test_an_unreachable_provider_through_the_real_client(
    layer: SemanticLayer, record: Record
) -> None:
    settings = AgentSettings(
        ATLAS_PROVIDER="openai-compatible",
        ATLAS_MODEL="m",
        OPENAI_COMPATIBLE_BASE_URL=f"http://127.0.0.1:{free_port()}/v1",  # nothing listens
    )
    model = build_model(settings)
    assert model is not None
    answerer = AgentAnswerer(model, layer, retry=fast(1), model_settings=model_settings(settings))
    with pytest.raises(ProviderError) as raised:
        await answerer.answer(record("Anything").ctx)
    assert raised.value.code == "provider_unreachable"

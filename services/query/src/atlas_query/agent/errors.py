"""Provider failures -> the Atlas wire codes, and which of them are worth a retry.

Exceptions::

    AtlasError (atlas_common)
    └── ProviderError            502 provider_error          anything else the provider did wrong
        ├── ProviderAuthError    503 provider_auth_error     key refused (401 / 403)
        ├── ProviderRateLimit    503 provider_rate_limit     429, quota (+ retry-after when known)
        ├── ProviderTimeout      504 provider_timeout        no bytes within the timeout
        ├── ProviderUnreachable  503 provider_unreachable    connection refused / reset, 503
        └── ProviderModelNotFound 503 provider_model_not_found  404, unknown model

Messages name the provider's status, never its body (which may echo a masked key) or ours.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelHTTPError,
    ModelNotFoundError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestTimeout,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
)

from atlas_common.errors import AtlasError, ErrorCode


class ProviderError(AtlasError):
    status_code = 502
    code: ErrorCode = "provider_error"

    def __init__(self, message: str, *, retry_after_seconds: int | None = None) -> None:
        extra: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if retry_after_seconds is not None:
            extra["retryAfterSeconds"] = retry_after_seconds
            headers["Retry-After"] = str(retry_after_seconds)
        super().__init__(message, headers=headers, **extra)
        self.retry_after_seconds = retry_after_seconds


class ProviderAuthError(ProviderError):
    status_code = 503
    code: ErrorCode = "provider_auth_error"


class ProviderRateLimit(ProviderError):
    status_code = 503
    code: ErrorCode = "provider_rate_limit"


class ProviderTimeout(ProviderError):
    status_code = 504
    code: ErrorCode = "provider_timeout"


class ProviderUnreachable(ProviderError):
    status_code = 503
    code: ErrorCode = "provider_unreachable"


class ProviderModelNotFound(ProviderError):
    status_code = 503
    code: ErrorCode = "provider_model_not_found"


def to_atlas_error(exc: Exception) -> ProviderError:
    """The Atlas error for a pydantic-ai model failure (most specific category first)."""
    status = f" (HTTP {exc.status_code})" if isinstance(exc, ModelHTTPError) else ""
    if isinstance(exc, ModelAuthenticationError):
        return ProviderAuthError(f"The model provider refused the credentials{status}")
    if isinstance(exc, ModelRateLimitError | ModelQuotaExceededError):
        return ProviderRateLimit(
            f"The model provider is rate limiting requests{status}",
            retry_after_seconds=retry_after(exc),
        )
    if isinstance(exc, ModelTimeoutError | ModelRequestTimeout):
        return ProviderTimeout("The model provider did not answer in time")
    if isinstance(exc, ModelConnectionError):
        return ProviderUnreachable("The model provider could not be reached")
    if isinstance(exc, ModelUnavailableError):
        return ProviderUnreachable(f"The model provider is unavailable{status}")
    if isinstance(exc, ModelNotFoundError):
        return ProviderModelNotFound(f"The model provider does not know the model{status}")
    if isinstance(exc, UnexpectedModelBehavior):
        return ProviderError("The model's reply could not be used")
    return ProviderError(f"The model provider failed{status}")


def retry_after(exc: BaseException) -> int | None:
    """Whole seconds the provider asked to wait, when it said."""
    value = getattr(exc, "retry_after", None)
    return max(1, math.ceil(value)) if isinstance(value, int | float) and value > 0 else None


def is_retryable(exc: BaseException) -> bool:
    """Worth the same request again: load, limits, transport trouble; never a refusal."""
    if isinstance(exc, ModelQuotaExceededError):
        return False  # waiting does not refill a quota
    return isinstance(
        exc,
        ModelRateLimitError | ModelUnavailableError | ModelServerError | ModelConnectionError,
    ) and not (isinstance(exc, ModelAPIError) and exc.in_stream)

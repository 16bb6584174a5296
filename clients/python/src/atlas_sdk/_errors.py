"""Errors raised by the SDK, one class per kind of failure, chosen by the envelope's ``error`` code.

Every error body of Atlas is ``{"error": code, "message": ..., "requestId": ...}`` plus
code-specific fields; the code decides the class, the HTTP status is the fallback. An error
that ends a stream (an ``error`` frame) is built the same way and handed to the caller in an
:class:`~atlas_sdk.ErrorEvent`; :meth:`~atlas_sdk.Stream.final_result` raises it.

Exceptions::

    AtlasError                      any error of this SDK
    ├── APIConnectionError           Atlas could not be reached, or the connection dropped
    │   └── APITimeoutError          no answer within the timeout
    └── APIError                     Atlas answered with an error envelope
        ├── BadRequestError          400 invalid_request, no_datasource, payload_too_large,
        │                                invalid_cron, invalid_recipients
        ├── AuthenticationError      401 auth_error
        │   └── SessionExpiredError  401 session_expired
        ├── PermissionDeniedError    403 forbidden, forbidden_role
        │   └── FeatureNotInPlanError  403 feature_not_in_plan
        ├── NotFoundError            404 not_found
        ├── ConflictError            409 task_disabled
        ├── UnprocessableEntityError 422 validation_error
        ├── RateLimitError           429 rate_limited            (retry_after)
        │   └── PlanLimitError       429 plan_limit_exceeded     (retry_after, feature, limit, used)
        ├── ProviderError            provider_* (the LLM provider failed)
        ├── StreamLostError          stream_lost (the replay buffer no longer has the frames)
        └── InternalServerError      5xx, internal_error
            ├── ServiceUnavailableError  503 unavailable (retry_after)
            └── GatewayTimeoutError      504 timeout
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AtlasError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FeatureNotInPlanError",
    "GatewayTimeoutError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlanLimitError",
    "ProviderError",
    "RateLimitError",
    "ServiceUnavailableError",
    "SessionExpiredError",
    "StreamLostError",
    "UnprocessableEntityError",
]


class AtlasError(Exception):
    """The base of every error this SDK raises."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(AtlasError):
    """Atlas could not be reached (refused, DNS, TLS), or the connection dropped mid-answer."""

    def __init__(self, message: str = "Connection error", *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class APITimeoutError(APIConnectionError):
    """No answer (or no byte of a stream) within the timeout."""

    def __init__(self, message: str = "Request timed out", *, url: str | None = None) -> None:
        super().__init__(message, url=url)


class APIError(AtlasError):
    """Atlas answered with an error envelope.

    ``status_code`` is the HTTP status, or None for an error that ended a stream (the status
    line had been sent already). ``body`` is the whole envelope.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int | None = None,
        request_id: str | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status_code = status_code
        self.request_id = request_id
        self.body: dict[str, Any] = dict(body or {})
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before trying again, from ``retryAfterSeconds`` or ``Retry-After``."""
        for value in (self.body.get("retryAfterSeconds"), self.headers.get("retry-after")):
            seconds = _seconds(value)
            if seconds is not None:
                return seconds
        return None

    def __str__(self) -> str:
        status = f"{self.status_code} " if self.status_code is not None else ""
        return f"{status}{self.code}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status_code={self.status_code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIError):
    """400: the request was refused as it is (``invalid_request``, ``no_datasource``...)."""


class AuthenticationError(APIError):
    """401: no credential, or one Atlas does not accept."""


class SessionExpiredError(AuthenticationError):
    """401 ``session_expired``: sign in again."""


class PermissionDeniedError(APIError):
    """403: authenticated, but not allowed (``forbidden``, ``forbidden_role``)."""


class FeatureNotInPlanError(PermissionDeniedError):
    """403 ``feature_not_in_plan``: the workspace's plan does not include this."""

    @property
    def reason(self) -> str | None:
        value = self.body.get("reason")
        return str(value) if value is not None else None


class NotFoundError(APIError):
    """404: no such route, run, conversation or key."""


class ConflictError(APIError):
    """409: the resource's state refuses the call (a disabled scheduled task triggered)."""


class UnprocessableEntityError(APIError):
    """422 ``validation_error``: ``details`` names each bad field."""

    @property
    def details(self) -> list[dict[str, Any]]:
        value = self.body.get("details")
        return list(value) if isinstance(value, list) else []


class RateLimitError(APIError):
    """429 ``rate_limited``: too many requests; ``retry_after`` says when to try again."""


class PlanLimitError(RateLimitError):
    """429 ``plan_limit_exceeded``: a usage limit of the plan is reached.

    ``retry_after`` is when the limit resets, when the plan says so.
    """

    @property
    def feature(self) -> str | None:
        value = self.body.get("feature")
        return str(value) if value is not None else None

    @property
    def limit(self) -> int | None:
        return _int(self.body.get("limit"))

    @property
    def used(self) -> int | None:
        return _int(self.body.get("used"))


class ProviderError(APIError):
    """The LLM provider failed (``provider_auth_error``, ``provider_rate_limit``...)."""


class StreamLostError(APIError):
    """``stream_lost``: the frames after the last one received are no longer replayable."""


class InternalServerError(APIError):
    """5xx: Atlas failed on its side."""


class ServiceUnavailableError(InternalServerError):
    """503 ``unavailable`` (no worker, or a dependency down) or ``overloaded`` (load shed);
    ``retry_after`` says when to try again."""


class GatewayTimeoutError(InternalServerError):
    """504 ``timeout``: the answer was not done by its deadline."""


_BY_CODE: dict[str, type[APIError]] = {
    "invalid_request": BadRequestError,
    "payload_too_large": BadRequestError,
    "method_not_allowed": BadRequestError,
    "no_datasource": BadRequestError,
    "invalid_cron": BadRequestError,
    "invalid_recipients": BadRequestError,
    "task_disabled": ConflictError,
    "auth_error": AuthenticationError,
    "session_expired": SessionExpiredError,
    "forbidden": PermissionDeniedError,
    "forbidden_role": PermissionDeniedError,
    "feature_not_in_plan": FeatureNotInPlanError,
    "not_found": NotFoundError,
    "validation_error": UnprocessableEntityError,
    "rate_limited": RateLimitError,
    "plan_limit_exceeded": PlanLimitError,
    "stream_lost": StreamLostError,
    "unavailable": ServiceUnavailableError,
    "overloaded": ServiceUnavailableError,
    "timeout": GatewayTimeoutError,
    "internal_error": InternalServerError,
}

_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
    504: GatewayTimeoutError,
}


def error_class(code: str, status_code: int | None) -> type[APIError]:
    """The class for an error code; the HTTP status decides for codes this SDK does not know."""
    if code in _BY_CODE:
        return _BY_CODE[code]
    if code.startswith("provider_"):
        return ProviderError
    if status_code is not None and status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if status_code is not None and status_code >= 500:
        return InternalServerError
    return APIError


def error_from_envelope(
    body: Mapping[str, Any],
    *,
    status_code: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> APIError:
    """An error envelope (``{error, message, requestId, ...}``) -> the matching exception."""
    code = str(body.get("error") or "internal_error")
    message = str(body.get("message") or code.replace("_", " "))
    request_id = body.get("requestId")
    cls = error_class(code, status_code)
    return cls(
        message,
        code=code,
        status_code=status_code,
        request_id=str(request_id) if request_id is not None else None,
        body=body,
        headers=headers,
    )


def error_from_response(response: httpx.Response) -> APIError:
    """An error response -> its exception; a body that is not an envelope still gets one."""
    headers = {k.lower(): v for k, v in response.headers.items()}
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or "error" not in body:
        text = response.text[:500] if response.text else response.reason_phrase
        body = {"error": _code_for_status(response.status_code), "message": text}
    body.setdefault("requestId", headers.get("x-request-id"))
    return error_from_envelope(body, status_code=response.status_code, headers=headers)


def error_from_text(text: str) -> APIError:
    """The ``errorText`` of an ``error`` frame (the JSON envelope) -> its exception."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"error": "internal_error", "message": text}
    return error_from_envelope(body)


def _code_for_status(status: int) -> str:
    for code, cls in _BY_CODE.items():
        if _BY_STATUS.get(status) is cls:
            return code
    return "internal_error" if status >= 500 else "invalid_request"


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None  # an HTTP date: Atlas never sends one
    return seconds if seconds >= 0 else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None

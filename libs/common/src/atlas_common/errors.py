"""The error envelope and the FastAPI handlers that make every error use it.

Every error body is ``{"error": code, "message": ..., "requestId": ...}`` plus code-specific
fields (``details``, ``retryAfterSeconds``, ``feature``...). FastAPI's ``{"detail": ...}`` never
reaches a client: 404, 405, 413, 422 and unexpected exceptions all pass through here.

Every code is one of :data:`ErrorCode`, the documented list (docs/architecture.md, "Error
codes"), which both SDKs know; a test holds the three together.

Exceptions::

    AtlasError             any error with a code and an HTTP status
    ├── InvalidRequest      400 invalid_request
    ├── AuthFailed          401 auth_error (+ WWW-Authenticate: Bearer)
    ├── Forbidden           403 forbidden
    ├── ForbiddenRole       403 forbidden_role
    ├── NotFound            404 not_found
    ├── ValidationFailed    422 validation_error (+ details)
    ├── RateLimited         429 rate_limited (+ retryAfterSeconds, Retry-After)
    ├── Unavailable         503 unavailable (+ retryAfterSeconds, Retry-After)
    ├── Overloaded          503 overloaded (+ retryAfterSeconds, Retry-After): load shed
    └── RequestTimeout      504 timeout
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Literal, get_args

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from atlas_common.access_log import route_template
from atlas_common.telemetry import mark_logged

log = logging.getLogger(__name__)

ErrorCode = Literal[
    "invalid_request",
    "validation_error",
    "payload_too_large",
    "not_found",
    "method_not_allowed",
    "auth_error",
    "session_expired",
    "forbidden",
    "forbidden_role",
    "rate_limited",
    "stream_lost",
    "feature_not_in_plan",
    "plan_limit_exceeded",
    "no_datasource",
    "invalid_cron",
    "invalid_recipients",
    "task_disabled",
    "unavailable",
    "overloaded",
    "timeout",
    "provider_auth_error",
    "provider_rate_limit",
    "provider_timeout",
    "provider_unreachable",
    "provider_model_not_found",
    "provider_error",
    "internal_error",
]

ERROR_CODES: frozenset[ErrorCode] = frozenset(get_args(ErrorCode))


def error_code(value: str, default: ErrorCode = "internal_error") -> ErrorCode:
    """``value`` as a documented code (one relayed from another service), else ``default``."""
    return value if value in ERROR_CODES else default


_STATUS_CODES: dict[int, ErrorCode] = {
    400: "invalid_request",
    401: "auth_error",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    413: "payload_too_large",
    415: "invalid_request",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
    504: "timeout",
}


def envelope(code: ErrorCode, message: str, request_id: str | None, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, "requestId": request_id, **extra}


class AtlasError(Exception):
    status_code = 500
    code: ErrorCode = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.headers = headers or {}
        self.extra = extra


class InvalidRequest(AtlasError):
    status_code = 400
    code: ErrorCode = "invalid_request"


class AuthFailed(AtlasError):
    status_code = 401
    code: ErrorCode = "auth_error"

    def __init__(self, message: str = "Missing or invalid credential", **extra: Any) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"}, **extra)


class Forbidden(AtlasError):
    status_code = 403
    code: ErrorCode = "forbidden"


class ForbiddenRole(AtlasError):
    status_code = 403
    code: ErrorCode = "forbidden_role"


class NotFound(AtlasError):
    status_code = 404
    code: ErrorCode = "not_found"


class ValidationFailed(AtlasError):
    """422 with ``details``: one ``{field, message}`` per problem, the first in the message."""

    status_code = 422
    code: ErrorCode = "validation_error"

    def __init__(self, field: str, problem: str, *, message: str | None = None) -> None:
        message = message or (f"{field}: {problem}" if field else problem)
        super().__init__(message, details=[{"field": field, "message": problem}])


def _retry_after(retry_after: int) -> dict[str, Any]:
    """The header and the body say the same, so a client may read either."""
    seconds = max(1, int(retry_after))
    return {"headers": {"Retry-After": str(seconds)}, "retryAfterSeconds": seconds}


class RateLimited(AtlasError):
    status_code = 429
    code: ErrorCode = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(message, **_retry_after(retry_after), **extra)


class Unavailable(AtlasError):
    status_code = 503
    code: ErrorCode = "unavailable"

    def __init__(self, message: str, *, retry_after: int = 1, **extra: Any) -> None:
        super().__init__(message, **_retry_after(retry_after), **extra)


class Overloaded(AtlasError):
    """Load shed: Atlas works but is at capacity (never that a part is down: Unavailable)."""

    status_code = 503
    code: ErrorCode = "overloaded"

    def __init__(self, message: str, *, retry_after: int, **extra: Any) -> None:
        super().__init__(message, **_retry_after(retry_after), **extra)


class RequestTimeout(AtlasError):
    status_code = 504
    code: ErrorCode = "timeout"


def request_id_of(request: Request) -> str:
    """The id of this request: set by the app, else the caller's ``x-request-id``, else new."""
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid
    return str(rid)


def error_response(request: Request, exc: AtlasError) -> JSONResponse:
    rid = request_id_of(request)
    body = envelope(exc.code, exc.message, rid, **exc.extra)
    headers = {"x-request-id": rid, **exc.headers}
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _atlas_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AtlasError)
    return error_response(request, exc)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(
        exc.status_code, "internal_error" if exc.status_code >= 500 else "invalid_request"
    )
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and message == "Not Found":
        message = f"No route {request.method} {request.url.path}"
    err = AtlasError(
        message, code=code, status_code=exc.status_code, headers=dict(exc.headers or {})
    )
    return error_response(request, err)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(request, InvalidRequest("The request body is not valid JSON"))
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e["msg"]}
        for e in errors
    ]
    first = details[0] if details else {"field": "", "message": "invalid request"}
    message = f"{first['field'] or 'body'}: {first['message']}"
    err = AtlasError(message, code="validation_error", status_code=422, details=details)
    return error_response(request, err)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The one record of an unhandled error (with its traceback): Starlette raises the
    exception again after this answer, and uvicorn's report of it is dropped as a duplicate."""
    log.error("unhandled error", exc_info=exc, extra={
        "request_id": request_id_of(request), "method": request.method,
        "route": route_template(request.scope)})
    mark_logged(exc)
    return error_response(request, AtlasError("An internal error occurred"))


def install_unavailable_handler(
    app: FastAPI, kinds: Iterable[type[Exception]], part: str, retry_after_s: int
) -> None:
    """Answer ``kinds`` (a part of Atlas down: its database, Redis) with 503 ``unavailable``
    and Retry-After, logged as one warning, never a 500: the caller should retry."""
    handler = unavailable_handler(part, retry_after_s)
    for kind in kinds:
        app.add_exception_handler(kind, handler)


def unavailable_handler(
    part: str, retry_after_s: int
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """The exception handler of :func:`install_unavailable_handler`, for a caller that tells
    some of those exceptions apart first."""

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s unreachable: %s: %s", part, type(exc).__name__, exc,
                    extra={"path": request.url.path})
        return error_response(
            request, Unavailable(f"{part[0].upper()}{part[1:]} is unreachable",
                                 retry_after=retry_after_s))

    return unavailable


def install_error_handlers(app: FastAPI) -> None:
    """Replace FastAPI's default error bodies with the Atlas envelope."""
    app.add_exception_handler(AtlasError, _atlas_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)

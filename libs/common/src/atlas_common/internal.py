"""Calls between Atlas services: the internal token and the principal the gateway passes on.

Internal endpoints refuse calls without ``ATLAS_INTERNAL_TOKEN`` (compared in constant time).
The gateway sends the verified principal in ``X-Atlas-Principal``; services trust it only when
the token is right. Every call made while serving a request carries that request's id
(``x-request-id``), so an internal service's log records and error bodies use the gateway's id.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request

from atlas_common.access_log import current_request_id
from atlas_common.errors import AtlasError
from atlas_common.principal import Principal

INTERNAL_TOKEN_HEADER = "x-atlas-internal-token"  # noqa: S105 - a header name
PRINCIPAL_HEADER = "x-atlas-principal"
REQUEST_ID_HEADER = "x-request-id"


def encode_principal(principal: Principal) -> str:
    return base64.urlsafe_b64encode(principal.model_dump_json().encode()).decode()


def decode_principal(value: str) -> Principal:
    return Principal.model_validate_json(base64.urlsafe_b64decode(value.encode()))


def internal_headers(token: str, principal: Principal | None = None) -> dict[str, str]:
    """The token, the principal, and the id of the request being served (so the service
    called logs, and answers errors, under the id the gateway gave its caller)."""
    headers = {INTERNAL_TOKEN_HEADER: token}
    if principal is not None:
        headers[PRINCIPAL_HEADER] = encode_principal(principal)
    request_id = current_request_id()
    if request_id is not None:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def token_matches(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def require_internal_token(expected: str) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency that refuses calls without the internal token (401)."""

    async def dependency(request: Request) -> None:
        if not token_matches(expected, request.headers.get(INTERNAL_TOKEN_HEADER)):
            raise AtlasError(
                "Internal endpoint: missing or wrong internal token",
                code="auth_error",
                status_code=401,
            )

    return dependency


def principal_from_request(request: Request) -> Principal:
    """The principal the gateway passed on; call only behind :func:`require_internal_token`."""
    raw = request.headers.get(PRINCIPAL_HEADER)
    if raw is None:
        raise AtlasError("Missing principal", code="auth_error", status_code=401)
    try:
        return decode_principal(raw)
    except ValueError as exc:
        raise AtlasError("Malformed principal header", code="auth_error", status_code=401) from exc

"""The error envelope as an OpenAPI schema, for routes to declare their 4xx answers."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from atlas_common.wire import WireModel


class ErrorEnvelope(WireModel):
    """``{error, message, requestId}`` plus code-specific fields (``details``...)."""

    model_config = ConfigDict(extra="allow")
    error: str
    message: str
    request_id: str | None = None


_WHAT = {
    400: "Malformed input (`invalid_request`)",
    401: "No or bad credential (`auth_error`)",
    403: "Role or plan refuses (`forbidden_role`, `feature_not_in_plan`)",
    404: "Not found, or not yours (`not_found`)",
    413: "The body is larger than the gateway accepts (`payload_too_large`)",
    422: "Body or parameter invalid (`validation_error`)",
    429: "Too many requests (`rate_limited`)",
    503: "A service behind this one is unreachable (`unavailable`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with the envelope schema."""
    return {s: {"model": ErrorEnvelope, "description": _WHAT.get(s, "Error")} for s in statuses}

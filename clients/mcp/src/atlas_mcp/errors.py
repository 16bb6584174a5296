"""Every failure a tool can report, as one exception with a stable code.

A tool never raises out of the server: :class:`ToolFailure` becomes a tool result with
``isError`` and the envelope ``{"error": code, "message": ..., ...}`` (the gateway's envelope,
so a model sees the same codes whichever surface it uses). Codes are the gateway's
(``forbidden_role``, ``plan_limit_exceeded``, ``rate_limited``, ``auth_error``, ...) plus the
MCP server's own:

    invalid_arguments    the arguments do not match the tool's input schema
    unknown_tool         no tool by that name
    unknown_entity       describeEntity / resources: no such entity
    unknown_metric       runMetric / resources: no such metric
    sql_refused          executeSQL: the guard refused the statement (``errors`` say which layer)
    gateway_unreachable  the gateway did not answer (down, refused, DNS)
    gateway_timeout      the gateway did not answer in time
"""

from __future__ import annotations

from typing import Any

import httpx
from atlas_sdk import APIConnectionError, APIError, APITimeoutError, AtlasError


class ToolFailure(Exception):
    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def envelope(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


def from_sdk(error: AtlasError) -> ToolFailure:
    """An SDK error (the ``query`` tool's stream) as a tool failure."""
    if isinstance(error, APITimeoutError):
        return ToolFailure("gateway_timeout", "Atlas did not answer in time")
    if isinstance(error, APIConnectionError):
        return ToolFailure("gateway_unreachable", "Atlas (the gateway) is unreachable")
    if isinstance(error, APIError):
        return ToolFailure(error.code, error.message, **_extras(error.body))
    return ToolFailure("internal_error", error.message)


def from_transport(error: httpx.TransportError) -> ToolFailure:
    if isinstance(error, httpx.TimeoutException):
        return ToolFailure("gateway_timeout", "Atlas did not answer in time")
    return ToolFailure("gateway_unreachable", "Atlas (the gateway) is unreachable")


def from_response(response: httpx.Response) -> ToolFailure:
    """A gateway error answer (its envelope) as a tool failure; the code is kept as is."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return ToolFailure("internal_error", f"Atlas answered {response.status_code}")
    return ToolFailure(body["error"], str(body.get("message", "")), **_extras(body))


_KEPT = (
    "retryAfterSeconds",
    "feature",
    "limit",
    "used",
    "reason",
    "details",
    "errors",
    "requestId",
)


def _extras(body: object) -> dict[str, Any]:
    """The envelope's fields a model can act on (when to retry, which limit)."""
    if not isinstance(body, dict):
        return {}
    return {k: body[k] for k in _KEPT if k in body}

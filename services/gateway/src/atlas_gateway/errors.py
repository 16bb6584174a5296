"""The gateway's errors, all in the common envelope (see :mod:`atlas_common.errors`).

Exceptions::

    AtlasError (atlas_common)
    ├── NotInRoleTable   403 forbidden_role  a route the role table does not list (fail closed)
    ├── RoleTooLow       403 forbidden_role  the caller's role is below the route's
    ├── OriginMismatch   403 forbidden       a cookie-authenticated unsafe request from elsewhere
    ├── OverRateLimit    429 rate_limited    (+ retryAfterSeconds, Retry-After)
    └── InvalidQuestion  422 validation_error an empty or too long question

``method_not_allowed`` answers 405 ``method_not_allowed`` with an ``Allow`` header.

Relayed failures keep the code the service answered (``auth.authenticator``); a service
that cannot be reached is ``atlas_common.errors.Unavailable``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi.routing import APIRoute
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from atlas_common.errors import (
    AtlasError,
    Forbidden,
    ForbiddenRole,
    RateLimited,
    ValidationFailed,
    error_response,
)


class NotInRoleTable(ForbiddenRole):
    def __init__(self) -> None:
        super().__init__("This route has no entry in the role table")


class RoleTooLow(ForbiddenRole):
    def __init__(self, need: str, role: str) -> None:
        super().__init__(f"This needs the {need} role; you are {role}")


class OriginMismatch(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Cookie-authenticated requests that change state need a matching Origin header")


class OverRateLimit(RateLimited):
    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(f"More than {per_minute} requests per minute", retry_after=retry_after)


class InvalidQuestion(ValidationFailed):
    def __init__(self, problem: str, message: str) -> None:
        super().__init__("question", problem, message=f"question: {message}")


def method_not_allowed(app: Starlette) -> Callable[[Request, Exception], Awaitable[Response]]:
    """405 with ``Allow`` naming every method the path serves: Starlette's own names only the
    first route that matched the path, where several routes may share it (GET and DELETE of a
    conversation are two routes)."""

    async def handler(request: Request, exc: Exception) -> Response:
        allowed: set[str] = set()
        for route in app.router.routes:
            match, _ = route.matches({**request.scope, "method": "\x00"})
            if match is not Match.NONE and isinstance(route, Route | APIRoute) and route.methods:
                allowed |= route.methods
        headers = {"Allow": ", ".join(sorted(allowed))}
        return error_response(request, AtlasError(
            "Method Not Allowed", code="method_not_allowed", status_code=405, headers=headers))

    return handler

"""405 ``method_not_allowed`` with an ``Allow`` header naming every method the path serves.

Starlette's own 405 names the methods of the first route that matched the path only, where
several routes often share one (GET and DELETE of a conversation are two routes); a client
(and RFC 9110) reads ``Allow`` as the whole list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from atlas_common.errors import AtlasError, error_response

#: No route serves this method, so every route whose path matches answers "partial".
_NO_METHOD = "\x00"


def allowed_methods(app: Starlette, request: Request) -> set[str]:
    allowed: set[str] = set()
    for route in app.router.routes:
        if not isinstance(route, Route) or not route.methods:
            continue
        match, _ = route.matches({**request.scope, "method": _NO_METHOD})
        if match is not Match.NONE:
            allowed |= route.methods
    return allowed


def method_not_allowed(app: Starlette) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, exc: Exception) -> Response:
        headers = {"Allow": ", ".join(sorted(allowed_methods(app, request)))}
        return error_response(request, AtlasError(
            "Method Not Allowed", code="method_not_allowed", status_code=405, headers=headers))

    return handler


def install_allow(app: Starlette) -> None:
    app.add_exception_handler(405, method_not_allowed(app))

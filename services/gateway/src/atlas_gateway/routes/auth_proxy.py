"""Routes served by the auth service, relayed as they are: ``/api/auth/*``, ``/api/admin/users*``.

The auth service verifies the forwarded credential itself; the gateway adds the internal token
and, on user management, first checks the admin role. A sign-out or a change to a user served
here drops this replica's cache entries before answering; other replicas follow the event.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import METHODS, relay

router = APIRouter(include_in_schema=False)


@router.api_route("/api/auth/{path:path}", methods=METHODS)
async def auth_routes(path: str, request: Request, state: State) -> Response:
    response = await relay(request, state, state.settings.auth_url, "auth")
    if path.startswith("sign-out") and response.status_code < 300:
        state.auth.forget(request)
    return response


@router.api_route("/api/admin/users", methods=METHODS)
async def admin_users(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay(request, state, state.settings.auth_url, "auth")


@router.api_route("/api/admin/users/{path:path}", methods=METHODS)
async def admin_user(
    path: str, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    response = await relay(request, state, state.settings.auth_url, "auth")
    if request.method != "GET" and response.status_code < 300:
        state.auth.cache.drop_id(f"user:{path.split('/')[0]}")
    return response

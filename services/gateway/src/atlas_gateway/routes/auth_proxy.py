"""Routes served by the auth service, relayed as they are: ``/api/auth/*``, ``/api/admin/users*``.

The auth service verifies the forwarded credential itself; the gateway adds the internal token
and, on user management, first checks the admin role. A sign-out or a change to a user served
here drops this replica's cache entries before answering; other replicas follow the event.
"""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response

from atlas_common.errors import Unavailable
from atlas_common.internal import internal_headers
from atlas_gateway.deps import CurrentPrincipal, State

router = APIRouter(include_in_schema=False)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_FORWARDED = (
    "authorization",
    "x-api-key",
    "cookie",
    "origin",
    "content-type",
    "user-agent",
    "accept",
    "host",
)
_RETURNED = ("content-type", "set-cookie", "www-authenticate", "retry-after", "cache-control")


async def relay(
    request: Request, state: State, base_url: str, principal_header: dict[str, str] | None = None
) -> Response:
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED}
    headers.update(internal_headers(state.settings.internal_token))
    headers.update(principal_header or {})
    if request.client is not None:
        headers["x-forwarded-for"] = request.client.host
    try:
        upstream = await state.http.request(
            request.method,
            base_url.rstrip("/") + request.url.path,
            params=request.query_params,
            content=await request.body(),
            headers=headers,
        )
    except httpx.HTTPError as exc:
        raise Unavailable(
            "The auth service is unreachable", retry_after=2, retryAfterSeconds=2
        ) from exc
    response = Response(upstream.content, status_code=upstream.status_code)
    for key, value in upstream.headers.multi_items():
        if key.lower() in _RETURNED:
            response.headers.append(key, value)
    return response


@router.api_route("/api/auth/{path:path}", methods=METHODS)
async def auth_routes(path: str, request: Request, state: State) -> Response:
    response = await relay(request, state, state.settings.auth_url)
    if path.startswith("sign-out") and response.status_code < 300:
        state.auth.forget(request)
    return response


@router.api_route("/api/admin/users", methods=METHODS)
async def admin_users(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay(request, state, state.settings.auth_url)


@router.api_route("/api/admin/users/{path:path}", methods=METHODS)
async def admin_user(
    path: str, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    response = await relay(request, state, state.settings.auth_url)
    if request.method != "GET" and response.status_code < 300:
        state.auth.cache.drop_id(f"user:{path.split('/')[0]}")
    return response

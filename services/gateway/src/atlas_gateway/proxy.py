"""Relaying a public request to an internal service, with the internal token (and principal)."""

from __future__ import annotations

import httpx
from fastapi import Request, Response

from atlas_common.errors import Unavailable
from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_gateway.state import GatewayState

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
    request: Request,
    state: GatewayState,
    base_url: str,
    service: str,
    principal: Principal | None = None,
) -> Response:
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED}
    headers.update(internal_headers(state.settings.internal_token, principal))
    if request.client is not None:
        forwarded = request.headers.get("x-forwarded-for")
        client = request.client.host
        headers["x-forwarded-for"] = f"{forwarded}, {client}" if forwarded else client
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
            f"The {service} service is unreachable", retry_after=2
        ) from exc
    response = Response(upstream.content, status_code=upstream.status_code)
    for key, value in upstream.headers.multi_items():
        if key.lower() in _RETURNED:
            response.headers.append(key, value)
    return response

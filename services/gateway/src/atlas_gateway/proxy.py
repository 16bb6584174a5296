"""Relaying a public request to an internal service, with the internal token (and principal).

The upstream URL is built from the request's raw path, its percent-encoding kept, so the
internal service routes exactly what the gateway routed. A path whose segments decode to
something routing would read differently (``..``, ``.``, an encoded ``/`` or ``\\``, a
control character, bytes that are not UTF-8 such as overlong forms) names no route: 404
``not_found`` before anything is relayed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote_from_bytes, unquote_to_bytes

import httpx
from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from atlas_common.errors import NotFound, Unavailable
from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_gateway.state import GatewayState

# OPTIONS too: the service behind names its own methods (405 + Allow, relayed below).
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
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
# Characters kept as they are in the upstream path; every other byte is percent-encoded, and
# the request's own escapes ("%") stay escapes.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_FORBIDDEN = frozenset(b"/\\\x7f") | frozenset(range(0x20))
_RETURNED = (
    "content-type", "set-cookie", "www-authenticate", "retry-after", "cache-control", "allow",
    "content-disposition", "x-atlas-truncated",
)


async def relay(
    request: Request,
    state: GatewayState,
    base_url: str,
    service: str,
    principal: Principal | None = None,
) -> Response:
    try:
        upstream = await state.http.send(await _upstream_request(request, state, base_url,
                                                                 principal))
    except httpx.HTTPError as exc:
        raise Unavailable(
            f"The {service} service is unreachable", retry_after=2
        ) from exc
    return _returned(Response(upstream.content, status_code=upstream.status_code), upstream)


async def relay_streaming(
    request: Request,
    state: GatewayState,
    base_url: str,
    service: str,
    principal: Principal | None = None,
) -> Response:
    """:func:`relay` for a long answer (a CSV export): passed on chunk by chunk as it comes,
    never held whole in the gateway's memory."""
    outgoing = await _upstream_request(request, state, base_url, principal)
    try:
        upstream = await state.http.send(outgoing, stream=True)
    except httpx.HTTPError as exc:
        raise Unavailable(f"The {service} service is unreachable", retry_after=2) from exc
    streamed = StreamingResponse(_chunks(upstream), status_code=upstream.status_code)
    return _returned(streamed, upstream)


async def _chunks(upstream: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    finally:  # also when the client went away half way: the upstream connection is freed
        await upstream.aclose()


async def _upstream_request(
    request: Request, state: GatewayState, base_url: str, principal: Principal | None
) -> httpx.Request:
    # Trimmed: a value with trailing whitespace ("Bearer ") is one httpx refuses to send,
    # which read as "service unreachable" (503) instead of the service's own answer.
    headers = {k: v.strip() for k, v in request.headers.items() if k.lower() in _FORWARDED}
    headers.update(internal_headers(state.settings.internal_token, principal))
    if request.client is not None:
        forwarded = request.headers.get("x-forwarded-for")
        client = request.client.host
        headers["x-forwarded-for"] = f"{forwarded}, {client}" if forwarded else client
    return state.http.build_request(
        request.method,
        base_url.rstrip("/") + exact_path(request),
        params=request.query_params,
        content=await request.body(),
        headers=headers,
    )


def _returned(response: Response, upstream: httpx.Response) -> Response:
    for key, value in upstream.headers.multi_items():
        if key.lower() in _RETURNED:
            response.headers.append(key, value)
    return response


async def relay_to_query_api(
    request: Request, state: GatewayState, principal: Principal | None = None
) -> Response:
    """The query service's routes (conversations, tables, SQL, the semantic layer)."""
    return await relay(request, state, state.settings.query_api_url, "query", principal)


async def relay_to_audit(
    request: Request, state: GatewayState, principal: Principal, *, stream: bool = False
) -> Response:
    """The audit service's routes (the audit log, its stats and export); it scopes every read
    to the principal's workspace."""
    send = relay_streaming if stream else relay
    return await send(request, state, state.settings.audit_url, "audit", principal)


def exact_path(request: Request) -> str:
    """The raw path as the client sent it (percent-encoding kept), or 404 when a segment
    decodes to something that could reach another route."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    for segment in raw.split(b"/"):
        decoded = unquote_to_bytes(segment)
        if decoded in (b".", b"..") or not _FORBIDDEN.isdisjoint(decoded):
            raise NotFound("No such route")
        try:
            decoded.decode("utf-8")
        except UnicodeDecodeError as exc:  # overlong forms and stray bytes are not names
            raise NotFound("No such route") from exc
    return quote_from_bytes(raw, safe=_PATH_SAFE)

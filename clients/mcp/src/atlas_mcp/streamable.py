"""``atlas mcp --transport http``: streamable HTTP at ``/mcp`` for many clients at once.

There is no shared key in this mode: each MCP client sends its own API key as
``Authorization: Bearer`` and every tool call forwards it to the gateway, so each client gets
its own role, RLS claims, plan and rate limit. A request to ``/mcp`` without a bearer is
refused (401 ``auth_error``) before it reaches the MCP session.
"""

from __future__ import annotations

import json
from typing import Any

import uvicorn
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from atlas_mcp import server
from atlas_mcp.gateway import Gateway
from atlas_mcp.settings import McpSettings

PATH = "/mcp"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def bearer(headers: Any) -> str | None:
    """The bearer of an HTTP request's headers (``Authorization`` or ``X-API-Key``)."""
    value = headers.get("authorization") if headers is not None else None
    if isinstance(value, str) and value[:7].lower() == "bearer " and value[7:].strip():
        return value[7:].strip()
    key = headers.get("x-api-key") if headers is not None else None
    return key.strip() if isinstance(key, str) and key.strip() else None


def key_of(ctx: server.Ctx) -> str | None:
    """This request's bearer: read from the HTTP request the message came in."""
    request = ctx.request
    return bearer(getattr(request, "headers", None))


class RequireBearer:
    """401 for a request to /mcp without a credential; everything else passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == PATH:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if bearer(headers) is None:
                await _unauthorized(send)
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send) -> None:
    body = json.dumps(
        {"error": "auth_error", "message": "Send your Atlas API key as Authorization: Bearer"}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"www-authenticate", b'Bearer realm="atlas"'),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: McpSettings, gateway: Gateway | None = None) -> ASGIApp:
    gateway = gateway or Gateway(
        settings.base_url, timeout=settings.timeout, max_retries=settings.max_retries
    )
    mcp = server.build(gateway, key_of)
    app: Starlette = mcp.streamable_http_app(
        streamable_http_path=PATH,
        host=settings.host,
        transport_security=_security(settings),
        custom_starlette_routes=[Route("/healthz", healthz)],
    )
    return RequireBearer(app)


def _security(settings: McpSettings) -> TransportSecuritySettings | None:
    """DNS-rebinding protection on localhost (as the SDK's default), plus configured hosts."""
    if settings.host not in LOCAL_HOSTS and not settings.allowed_hosts:
        return None
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*", *settings.allowed_hosts]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


def run(settings: McpSettings) -> None:
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=None,  # keep the handlers logs.setup installed: JSON lines, no colours
        access_log=False,  # one endpoint (/mcp): a line per protocol message says nothing
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )

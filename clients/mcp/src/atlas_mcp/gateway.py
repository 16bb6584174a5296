"""The MCP server's one way to Atlas: HTTP calls to the gateway with the caller's key.

One ``httpx.AsyncClient`` (one connection pool) serves every session and key; the key travels
per request as ``Authorization: Bearer``, so auth, roles, RLS claims, plans, rate limits and
usage apply exactly as for any other caller. The MCP server never opens a database.
"""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import quote

import httpx
from atlas_sdk import AsyncAtlas

from atlas_mcp.errors import ToolFailure, from_response, from_transport

USER_AGENT = "atlas-mcp/0.1"


class Gateway:
    def __init__(self, base_url: str, *, timeout: float, max_retries: int) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.timeout = timeout
        # No cookie jar: one session's cookie must never ride along with another's key.
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=5.0),
            headers={"user-agent": USER_AGENT},
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    def sdk(self, key: str) -> AsyncAtlas:
        """The SDK client for ``query`` (it parses and resumes the stream); shares the pool."""
        return AsyncAtlas(
            self.base_url,
            api_key=key,
            timeout=self.timeout,
            max_retries=self.max_retries,
            http_client=self.http,
        )

    async def get(self, key: str, path: str, **params: Any) -> dict[str, Any]:
        clean = {k: v for k, v in params.items() if v is not None}
        return await self._call("GET", path, key, params=clean)

    async def post(self, key: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", path, key, json=body)

    async def text(self, key: str, path: str) -> str:
        """A text answer (a raw semantic file)."""
        return (await self._send("GET", path, key, accept="text/plain")).text

    async def _call(self, method: str, path: str, key: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._send(method, path, key, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ToolFailure("internal_error", "Atlas answered with something that is not JSON")
        return body

    async def _send(
        self, method: str, path: str, key: str, accept: str = "application/json", **kwargs: Any
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {key}", "accept": accept}
        try:
            response = await self.http.request(
                method, self.base_url + path, headers=headers, **kwargs
            )
        except httpx.TransportError as exc:
            raise from_transport(exc) from None
        if response.status_code >= 400:
            raise from_response(response)
        return response


def segment(value: str) -> str:
    """A path segment, escaped (an entity name may hold spaces; never a path of its own)."""
    return quote(value, safe="")

"""MCP clients for the tests: the ``mcp`` SDK's own ``Client``, over stdio (spawning
``atlas mcp`` as Claude Desktop would) and over streamable HTTP with a key as Bearer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from tests.support.stack import BIN


@asynccontextmanager
async def over_http(url: str, key: str | None) -> AsyncIterator[Client]:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    timeout = httpx2.Timeout(30, read=120)
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


def stdio_params(gateway: str, key: str, **env: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=str(BIN / "atlas"),
        args=["mcp"],
        env={"ATLAS_URL": gateway, "ATLAS_API_KEY": key, "ATLAS_CONFIG_DIR": "/nonexistent", **env},
    )


@asynccontextmanager
async def over_stdio(gateway: str, key: str) -> AsyncIterator[Client]:
    async with Client(stdio_params(gateway, key)) as client:
        yield client


def structured(result: CallToolResult) -> dict[str, Any]:
    """A successful call's structured output, checked against its text block."""
    assert not result.is_error, result.structured_content
    return _payload(result)


def _payload(result: CallToolResult) -> dict[str, Any]:
    """The structured content, which must say what the text block says."""
    assert result.structured_content is not None, result
    [block] = result.content
    assert json.loads(block.text) == result.structured_content  # type: ignore[union-attr]
    return dict(result.structured_content)


def error_of(result: CallToolResult) -> dict[str, Any]:
    """A failed call's error envelope (``isError``)."""
    assert result.is_error, result
    return _payload(result)

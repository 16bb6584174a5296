"""``atlas mcp`` over stdio: check the key once, then serve one client on stdin/stdout.

stdout carries protocol messages only; every log line goes to stderr. A key that is missing,
wrong or revoked ends the process with one line on stderr and a non-zero exit (the codes of
the CLI: 3 unreachable, 4 not authenticated), never a traceback and never the key.
"""

from __future__ import annotations

import anyio
from mcp.server.stdio import stdio_server

from atlas_mcp import server
from atlas_mcp.errors import ToolFailure
from atlas_mcp.gateway import Gateway
from atlas_mcp.settings import McpSettings

EXIT_UNREACHABLE = 3
EXIT_AUTH = 4


class StartupError(Exception):
    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


async def check_key(gateway: Gateway, key: str | None) -> dict[str, object]:
    """Who the key is (``GET /api/v1/me``), or a :class:`StartupError` saying why not."""
    if not key:
        raise StartupError(
            "no API key: set ATLAS_API_KEY (or --api-key), or run `atlas login`", EXIT_AUTH
        )
    try:
        return await gateway.get(key, "/api/v1/me")
    except ToolFailure as failure:
        where = gateway.base_url
        if failure.code in ("gateway_unreachable", "gateway_timeout"):
            raise StartupError(
                f"cannot reach Atlas at {where}: is it running?", EXIT_UNREACHABLE
            ) from None
        if failure.code in ("auth_error", "session_expired"):
            raise StartupError(
                f"Atlas at {where} refused the API key ({failure.code}): it is wrong, expired "
                "or revoked",
                EXIT_AUTH,
            ) from None
        raise StartupError(
            f"Atlas at {where} answered {failure.code}: {failure.message}", 1
        ) from None


async def serve(settings: McpSettings) -> None:
    gateway = Gateway(settings.base_url, timeout=settings.timeout, max_retries=settings.max_retries)
    try:
        key = settings.key()
        await check_key(gateway, key)
        app = server.build(gateway, lambda _ctx: key)
        async with stdio_server() as (read, write):
            await app.run(read, write, app.create_initialization_options())
    finally:
        await gateway.aclose()


def run(settings: McpSettings) -> None:
    anyio.run(serve, settings)

"""The MCP server logs JSON lines like every Atlas service, and never a key."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.mcp.clients import over_http, structured
from tests.mcp.conftest import McpStack
from tests.support.polling import wait_for

KEYS = ("ts", "level", "service", "logger", "msg")


def _records(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # a plain line fails here
    for record in records:
        assert set(KEYS) <= set(record), record
        assert record["service"] == "mcp"
    return records


async def test_http_server_writes_json_lines_without_the_key(mcp_stack: McpStack) -> None:
    async with over_http(mcp_stack.mcp_url, mcp_stack.viewer_key) as client:
        structured(await client.call_tool("listEntities", {}))
    proc = next(p for p in mcp_stack.stack.procs if p.name == "mcp")

    def served() -> list[dict]:  # the call to the gateway, logged at DEBUG
        records = _records(proc.output())
        called = any("/api/v1/semantic/entities" in r["msg"] for r in records)
        return records if called else []

    records = wait_for(served, timeout=10, what="the MCP server's log of the gateway call")
    assert any("Uvicorn running" in r["msg"] for r in records)
    for key in (mcp_stack.viewer_key, mcp_stack.admin_key):
        assert key not in proc.output()


def test_warnings_and_uncaught_errors_are_json_too() -> None:
    script = (
        "import warnings\n"
        "from atlas_mcp import logs\n"
        "logs.setup('INFO')\n"
        "warnings.warn('old option', DeprecationWarning)\n"
        "raise RuntimeError('boom')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    records = _records(done.stderr)
    assert [r["level"] for r in records] == ["warning", "critical"]
    assert "old option" in records[0]["msg"]
    assert "RuntimeError: boom" in records[1]["exc"]

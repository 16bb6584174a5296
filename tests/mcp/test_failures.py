"""Bad input and failures: each a tool result with ``isError`` and a stable code, and the
server still answers the next call. At stdio start-up a bad key ends the process with one
line on stderr (never the key, never a traceback) and nothing on stdout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
from atlas_cli import config
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.mcp.clients import error_of, over_http, over_stdio, stdio_params, structured
from tests.mcp.conftest import DEMO_QUESTION, McpStack, sign_up
from tests.support.stack import BIN, free_port, wait_http


async def test_unknown_arguments_and_tool_are_errors_and_the_session_goes_on(
    mcp_stack: McpStack,
) -> None:
    async with over_http(mcp_stack.mcp_url, mcp_stack.admin_key) as client:
        extra = error_of(await client.call_tool("query", {"question": "x", "colour": "red"}))
        missing = error_of(await client.call_tool("query", {}))
        wrong = error_of(await client.call_tool("nope", {}))
        ok = await client.call_tool("query", {"question": DEMO_QUESTION})
    assert extra["error"] == "invalid_arguments" and "colour" in extra["message"]
    assert missing["error"] == "invalid_arguments" and "question" in missing["message"]
    assert wrong["error"] == "unknown_tool"
    assert not ok.is_error and structured(ok)["rows"]


async def test_a_gateway_that_is_down_is_an_error_not_a_crash(mcp_stack: McpStack) -> None:
    port = free_port()  # nothing listens there: the MCP server's gateway is "down"
    stack = mcp_stack.stack
    proc = stack.start(
        "atlas-mcp",
        "mcp-dead-gateway",
        {
            "ATLAS_URL": f"http://127.0.0.1:{free_port()}",
            "ATLAS_MCP_PORT": str(port),
            "ATLAS_MCP_TRANSPORT": "http",
            "ATLAS_MAX_RETRIES": "0",
        },
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", proc)
        async with over_http(f"http://127.0.0.1:{port}/mcp", mcp_stack.admin_key) as client:
            first = error_of(await client.call_tool("listEntities", {}))
            second = error_of(await client.call_tool("query", {"question": DEMO_QUESTION}))
    finally:
        stack.stop(proc)
    assert first["error"] == second["error"] == "gateway_unreachable"


async def test_a_workspace_at_its_plan_limit_gets_the_limit_error(mcp_stack: McpStack) -> None:
    other = sign_up(mcp_stack.gateway, "second@example.com")
    mcp_stack.set_plan(other["user"]["workspaceId"], "one-question")
    key = mcp_stack.create_key(other["token"], role="admin")["key"]
    async with over_http(mcp_stack.mcp_url, key) as client:
        first = await client.call_tool("query", {"question": DEMO_QUESTION})
        limited = error_of(await client.call_tool("query", {"question": DEMO_QUESTION}))
    assert not first.is_error
    assert limited["error"] == "plan_limit_exceeded"
    assert (limited["feature"], limited["limit"], limited["used"]) == ("queries", 1, 1)


async def test_a_revoked_key_fails_the_next_call(mcp_stack: McpStack) -> None:
    created = mcp_stack.create_key(role="analyst", name="to revoke")
    async with over_http(mcp_stack.mcp_url, created["key"]) as client:
        before = await client.call_tool("query", {"question": DEMO_QUESTION})
        mcp_stack.revoke(created["id"])
        after = error_of(await client.call_tool("query", {"question": DEMO_QUESTION}))
    assert not before.is_error
    assert after["error"] == "auth_error"


def test_http_without_a_key_is_refused_before_the_session(mcp_stack: McpStack) -> None:
    r = httpx.post(
        mcp_stack.mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, timeout=10
    )
    assert r.status_code == 401 and r.json()["error"] == "auth_error"


def _stdio_start(mcp_stack: McpStack, key: str) -> subprocess.CompletedProcess[str]:
    params = stdio_params(mcp_stack.gateway, key)
    return subprocess.run(
        [params.command, *params.args],
        env={"PATH": str(BIN), **params.env},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_stdio_start_with_a_wrong_or_revoked_key_is_one_line_and_exit_4(
    mcp_stack: McpStack,
) -> None:
    created = mcp_stack.create_key(role="viewer", name="revoked before start")
    mcp_stack.revoke(created["id"])
    for key in ("atlas_sk_not-a-real-key", created["key"]):
        done = _stdio_start(mcp_stack, key)
        assert done.returncode == 4, done
        assert done.stdout == ""  # stdout is the protocol's
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "refused the API key" in lines[0], done.stderr
        assert key not in done.stderr and "Traceback" not in done.stderr


def test_stdio_start_without_a_key_says_how_to_give_one(mcp_stack: McpStack) -> None:
    done = _stdio_start(mcp_stack, "")
    assert done.returncode == 4 and done.stdout == ""
    assert "ATLAS_API_KEY" in done.stderr and len(done.stderr.strip().splitlines()) == 1


async def test_stdio_serves_and_a_good_key_passes_the_start_check(mcp_stack: McpStack) -> None:
    async with Client(stdio_params(mcp_stack.gateway, mcp_stack.viewer_key)) as client:
        tools = await client.list_tools()
    assert {t.name for t in tools.tools} >= {"query", "executeSQL", "explore"}


async def test_execute_sql_needs_the_analyst_role(mcp_stack: McpStack) -> None:
    async with over_http(mcp_stack.mcp_url, mcp_stack.viewer_key) as client:
        refused = error_of(await client.call_tool("executeSQL", {"sql": "SELECT 1 AS one"}))
        metric = await client.call_tool("runMetric", {"id": "signups"})
    assert refused["error"] == "forbidden_role"
    assert not metric.is_error  # a canonical metric is a question any viewer may ask


async def test_stdio_uses_the_saved_atlas_login_without_a_key(
    mcp_stack: McpStack, tmp_path: Path
) -> None:
    config.save(tmp_path, config.Credentials(mcp_stack.gateway, mcp_stack.owner_token, "o@x"))
    params = StdioServerParameters(
        command=str(BIN / "atlas"),
        args=["mcp"],
        env={"ATLAS_URL": mcp_stack.gateway, "ATLAS_CONFIG_DIR": str(tmp_path)},
    )
    async with Client(params) as client:
        listed = structured(await client.call_tool("listEntities", {}))
    assert listed["count"] > 0


async def test_a_rate_limited_key_gets_rate_limited_with_when_to_retry(
    mcp_stack: McpStack,
) -> None:
    port = free_port()
    proc = mcp_stack.stack.start(
        "atlas-gateway",
        "gateway-limited",
        {"ATLAS_GATEWAY_PORT": str(port), "ATLAS_RATE_LIMIT_RPM": "2"},
    )
    limited = f"http://127.0.0.1:{port}"
    try:
        wait_http(limited + "/healthz", proc)
        async with over_stdio(limited, mcp_stack.analyst_key) as client:  # start check: 1 of 2
            first = await client.call_tool("listEntities", {})
            refused = error_of(await client.call_tool("listEntities", {}))
            still_up = await client.list_tools()
    finally:
        mcp_stack.stack.stop(proc)
    assert not first.is_error
    assert refused["error"] == "rate_limited" and refused["retryAfterSeconds"] >= 1
    assert still_up.tools

"""MCP server benchmark: what a tool call over MCP adds to the same gateway call made directly.

Run: ``make bench`` (or ``uv run python bench/mcp_overhead.py``). It starts auth (simple-key,
an admin key), the query-api and a gateway on a vhost, database and Redis prefix of its own,
then, in the same run and interleaved call by call (so both see the same machine):

- direct: ``GET /api/v1/semantic/entities`` with httpx, the key as Bearer;
- MCP over stdio: the ``listEntities`` tool through the ``mcp`` SDK's client, talking to
  ``atlas mcp`` spawned as Claude Desktop would (which makes that same gateway call).

The added latency is MCP minus direct at p50 and p95 (goal: p95 <= 5 ms; upstream Atlas quotes
p95 58 ms for its tool calls). Then 20 MCP sessions at once over streamable HTTP
(``atlas-mcp --transport http``), each listing tools and calling ``listEntities`` 10 times:
every call must succeed. ``BENCH_REQUESTS`` (default 300) sets the sequential count.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import httpx
import httpx2
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import BIN, Stack, free_port, wait_http

N = int(os.environ.get("BENCH_REQUESTS", "300"))
SESSIONS = 20
CALLS_PER_SESSION = 10
KEY = "sk-bench-mcp-0123456789abcdef0123456789abcdef"
GOAL_P95_MS = 5.0
PATH = "/api/v1/semantic/entities"  # the route the listEntities tool calls


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def start(directory: Path) -> tuple[Stack, Isolation, str, str]:
    isolation = Isolation().create()
    stack = Stack({**isolation.env(), "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
                   "ATLAS_RATE_LIMIT_RPM": "0"}, directory)
    stack.start_auth({"ATLAS_AUTH_MODE": "simple-key", "ATLAS_API_KEY": KEY,
                      "ATLAS_API_KEY_ROLE": "admin"})
    stack.start_query_api()
    gateway = stack.start_gateway()
    port = free_port()
    proc = stack.start("atlas-mcp", "mcp", {"ATLAS_URL": gateway, "ATLAS_MCP_PORT": str(port),
                                            "ATLAS_MCP_TRANSPORT": "http"})
    wait_http(f"http://127.0.0.1:{port}/healthz", proc)
    return stack, isolation, gateway, f"http://127.0.0.1:{port}/mcp"


async def sequential(gateway: str) -> tuple[list[float], list[float]]:
    """(direct ms, MCP-over-stdio ms), one of each per round, after a warm-up."""
    params = StdioServerParameters(command=str(BIN / "atlas"), args=["mcp"],
                                   env={"ATLAS_URL": gateway, "ATLAS_API_KEY": KEY})
    direct: list[float] = []
    over_mcp: list[float] = []
    headers = {"authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(timeout=30) as http, Client(params) as client:
        for i in range(N + 20):
            t0 = time.perf_counter()
            response = await http.get(gateway + PATH, headers=headers)
            t1 = time.perf_counter()
            result = await client.call_tool("listEntities", {})
            t2 = time.perf_counter()
            assert response.status_code == 200 and not result.is_error, (response, result)
            if i >= 20:  # the first rounds warm connections and caches
                direct.append((t1 - t0) * 1000)
                over_mcp.append((t2 - t1) * 1000)
    return direct, over_mcp


async def one_session(url: str) -> int:
    """Errors seen by one session (a failed call, or an exception)."""
    errors = 0
    headers = {"authorization": f"Bearer {KEY}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=60)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        await client.list_tools()
        for _ in range(CALLS_PER_SESSION):
            errors += (await client.call_tool("listEntities", {})).is_error
    return errors


async def concurrent(url: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    results = await asyncio.gather(*(one_session(url) for _ in range(SESSIONS)),
                                   return_exceptions=True)
    elapsed = time.perf_counter() - t0
    errors = sum(r if isinstance(r, int) else CALLS_PER_SESSION for r in results)
    for r in results:
        if isinstance(r, BaseException):
            print(f"  session failed: {type(r).__name__}: {r}")
    return errors, elapsed


def report(direct: list[float], over_mcp: list[float]) -> float:
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, N={N}")
    for name, values in (("direct GET (httpx)", direct), ("MCP listEntities (stdio)", over_mcp)):
        print(f"{name:<28} p50={pct(values, 50):6.2f} ms  p95={pct(values, 95):6.2f} ms  "
              f"p99={pct(values, 99):6.2f} ms")
    added_p50 = pct(over_mcp, 50) - pct(direct, 50)
    added_p95 = pct(over_mcp, 95) - pct(direct, 95)
    print(f"added by MCP: p50 {added_p50:+.2f} ms, p95 {added_p95:+.2f} ms "
          f"(goal p95 <= {GOAL_P95_MS} ms: {'met' if added_p95 <= GOAL_P95_MS else 'NOT met'})")
    return added_p95


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-mcp-") as tmp:
        stack, isolation, gateway, mcp_url = start(Path(tmp))
        try:
            report(*asyncio.run(sequential(gateway)))
            errors, elapsed = asyncio.run(concurrent(mcp_url))
            calls = SESSIONS * CALLS_PER_SESSION
            print(f"{SESSIONS} concurrent MCP sessions over streamable HTTP: {calls} calls in "
                  f"{elapsed:.2f} s ({calls / elapsed:.0f} calls/s), errors: {errors}")
            return 1 if errors else 0
        finally:
            stack.stop_all()
            isolation.remove()


if __name__ == "__main__":
    sys.exit(main())

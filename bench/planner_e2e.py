"""The planner end to end on the demo through the gateway: request -> first text token, and
request -> [DONE], over a mix of demo questions (issue 8's goals: p95 <= 150 ms and <= 500 ms).

Run: ``make bench`` (or ``uv run python bench/planner_e2e.py``; ``BENCH_REQUESTS``, default
300). It starts auth, query-api, one worker (the semantic planner) and the gateway on a vhost,
database and Redis prefix of its own; one request at a time, after a warm-up.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Stack

from bench.ask_path import pct, wait_workers

N = int(os.environ.get("BENCH_REQUESTS", "300"))
QUESTIONS = [
    "How many users signed up last week?",
    "Revenue by month this year",
    "How many orders were delivered in Germany last month?",
    "Top 5 products by units sold",
    "Signups this month vs last month",
    "Average order value by country",
    "Why is the sky blue?",
]


async def one(client: httpx.AsyncClient, url: str, question: str) -> tuple[float, float]:
    body = {
        "messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": question}]}]
    }
    started = time.perf_counter()
    first_text = 0.0
    async with client.stream("POST", url + "/api/v1/chat", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            now = (time.perf_counter() - started) * 1000
            if not first_text and '"type":"text-delta"' in line:
                first_text = now
            if line.strip() == "data: [DONE]":
                return first_text, now
    raise RuntimeError("stream ended without [DONE]")


async def main() -> None:
    iso = await asyncio.to_thread(Isolation().create)
    directory = Path("/tmp/atlas-bench-planner")
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    env = {
        **iso.env(),
        "ATLAS_LOG_LEVEL": "WARNING",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
    }
    stack = Stack(env, directory)
    try:
        stack.start_auth()
        stack.start_query_api()
        stack.start("atlas-query-worker", "worker-1")
        url = stack.gateway_url = stack.start_gateway()
        await wait_workers(url, 1)
        async with httpx.AsyncClient(timeout=60) as client:
            for q in QUESTIONS * 3:  # warm-up: caches, the planner's index, DuckDB
                await one(client, url, q)
            samples = [await one(client, url, QUESTIONS[i % len(QUESTIONS)]) for i in range(N)]
        first = [s[0] for s in samples]
        done = [s[1] for s in samples]
        print(f"machine: {os.cpu_count()} cores, N={N}, {len(QUESTIONS)} questions in turn")
        print(
            f"request -> first text token  p50={pct(first, 50):7.2f} ms  "
            f"p95={pct(first, 95):7.2f} ms  (goal p95 <= 150 ms)"
        )
        print(
            f"request -> [DONE]            p50={pct(done, 50):7.2f} ms  "
            f"p95={pct(done, 95):7.2f} ms  (goal p95 <= 500 ms)"
        )
    finally:
        await asyncio.to_thread(stack.stop_all)
        await asyncio.to_thread(iso.remove)


if __name__ == "__main__":
    asyncio.run(main())

"""Ask path benchmark: latency and throughput of gateway -> RabbitMQ -> worker -> Redis -> client.

Run: ``make bench`` (or ``uv run python bench/ask_path.py``). It starts its own stack (a vhost, a
database and a Redis prefix of its own) with the trivial echo answerer, and measures in the same
run two baselines: a bare FastAPI endpoint under the same uvicorn, and a raw publish-confirm round
trip on the same RabbitMQ. Never part of ``make test``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import aio_pika
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Stack, free_port, wait_http

N = int(os.environ.get("BENCH_REQUESTS", "500"))
BODY = {"messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": "ping"}]}]}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, ms: list[float]) -> str:
    return (
        f"{name:<44} n={len(ms):<5} p50={pct(ms, 50):7.2f} ms  p95={pct(ms, 95):7.2f} ms  "
        f"p99={pct(ms, 99):7.2f} ms"
    )


async def chat_once(client: httpx.AsyncClient, url: str) -> tuple[float, float, float]:
    """(ms to first frame, ms to the worker's first event frame, ms to [DONE])."""
    started = time.perf_counter()
    first = first_event = 0.0
    async with client.stream("POST", url + "/api/v1/chat", json=BODY) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if not line.startswith("data:"):
                continue
            now = (time.perf_counter() - started) * 1000
            first = first or now
            if '"start"' not in line and not first_event:
                first_event = now
            if line.strip() == "data: [DONE]":
                return first, first_event, now
    raise RuntimeError("stream ended without [DONE]")


async def run_load(url: str, concurrency: int, n: int, path: str) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue = iter(range(n))
    async with httpx.AsyncClient(
        timeout=60, limits=httpx.Limits(max_connections=concurrency)
    ) as client:

        async def one_client() -> None:
            for _ in queue:
                t = time.perf_counter()
                if path == "chat":
                    await chat_once(client, url)
                else:
                    (await client.get(url + path)).raise_for_status()
                latencies.append((time.perf_counter() - t) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        return latencies, n / (time.perf_counter() - started)


async def publish_confirm_baseline(amqp_url: str, n: int) -> list[float]:
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(exclusive=True)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        await channel.default_exchange.publish(aio_pika.Message(b"x"), queue.name)
        message = await queue.get(timeout=5, fail=True)
        await message.ack()
        times.append((time.perf_counter() - t) * 1000)
    await connection.close()
    return times


async def measure(stack: Stack, iso: Isolation, workers: int) -> None:
    url = stack.gateway_url
    print(f"\n-- ask path, {workers} worker(s), echo answerer")
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(20):  # warm-up
            await chat_once(client, url)
        samples = [await chat_once(client, url) for _ in range(N)]
    print(summary("c=1 time to first frame", [s[0] for s in samples]))
    print(summary("c=1 request -> worker's first event (overhead)", [s[1] for s in samples]))
    print(summary("c=1 time to [DONE]", [s[2] for s in samples]))
    lat, rps = await run_load(url, 32, N, "chat")
    print(summary("c=32 chat request -> [DONE]", lat) + f"  throughput={rps:7.1f} req/s")


async def main() -> None:
    iso = await asyncio.to_thread(Isolation().create)
    directory = Path(os.environ.get("BENCH_DIR", "/tmp/atlas-bench"))
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    env = {
        **iso.env(),
        "ATLAS_WORKER_ANSWERER": "echo",
        "ATLAS_LOG_LEVEL": "WARNING",
        "ATLAS_QUERY_CONCURRENCY": "32",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
    }
    stack = Stack(env, directory)
    try:
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, N={N}")
        bare_port = free_port()
        stack.start(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.bare_app:app",
                "--port",
                str(bare_port),
                "--log-level",
                "warning",
            ],
            "bare",
        )
        await baseline(stack, bare_port, iso)
        stack.start_auth()
        stack.start_query_api()
        stack.start("atlas-query-worker", "worker-1")
        stack.gateway_url = stack.start_gateway()
        await wait_workers(stack.gateway_url, 1)
        await measure(stack, iso, 1)
        stack.start("atlas-query-worker", "worker-2")
        await wait_workers(stack.gateway_url, 2)
        await measure(stack, iso, 2)
    finally:
        stack.stop_all()
        await asyncio.to_thread(iso.remove)


async def baseline(stack: Stack, port: int, iso: Isolation) -> None:
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/ping", stack.procs[-1])
    print("\n-- baselines")
    lat, _ = await run_load(url, 1, N, "/ping")
    print(summary("bare FastAPI GET c=1", lat))
    lat, rps = await run_load(url, 32, N, "/ping")
    print(summary("bare FastAPI GET c=32", lat) + f"  throughput={rps:7.1f} req/s")
    print(
        summary(
            "raw publish-confirm + get round trip",
            await publish_confirm_baseline(iso.rabbitmq_url, N),
        )
    )


async def wait_workers(url: str, count: int) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(600):
            body = (await client.get(url + "/api/health")).json()
            if body["checks"]["workers"]["consumers"] >= count:
                return
            await asyncio.sleep(0.1)
    raise TimeoutError("workers did not start")


if __name__ == "__main__":
    asyncio.run(main())

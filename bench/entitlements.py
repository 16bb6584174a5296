"""Entitlements benchmark: the gate's decision cost and the usage pipeline's throughput.

Run: ``make bench`` (or ``uv run python bench/entitlements.py``). It starts its own
entitlements service (a vhost, a database and a Redis prefix of its own) with the example
plans file and measures, in one run:

- a warm in-process check (the customer's snapshot cached: no I/O), goal p99 <= 0.2 ms;
- a check through the service (a hard consumable: never from a cache), goal p99 <= 5 ms,
  next to an HTTP floor (``GET /healthz`` on the same service and client);
- an atomic consume through the service;
- ``usage.recorded`` deliveries counted per second: a backlog (10 % duplicates) published
  before the service starts, then drained; the count must come out exact.

Never part of ``make test``.
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

from atlas_common.bus import Bus
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.internal import internal_headers
from atlas_common.messages import UsageRecorded
from atlas_common.settings import DEV_INTERNAL_TOKEN

ROOT = Path(__file__).resolve().parents[1]
N_LOCAL = int(os.environ.get("BENCH_LOCAL_CHECKS", "20000"))
N_REMOTE = int(os.environ.get("BENCH_REQUESTS", "1000"))
N_EVENTS = int(os.environ.get("BENCH_EVENTS", "5000"))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, ms: list[float]) -> str:
    return (f"{name:<44} n={len(ms):<6} p50={pct(ms, 50):8.4f} ms  p95={pct(ms, 95):8.4f} ms  "
            f"p99={pct(ms, 99):8.4f} ms")


async def timed(n: int, call: object) -> list[float]:
    out: list[float] = []
    for i in range(n):
        t = time.perf_counter()
        await call(i)  # type: ignore[operator]
        out.append((time.perf_counter() - t) * 1000)
    return out


async def local_checks(client: EntitlementsClient) -> list[float]:
    await client.has_feature("bench-local", "query")  # warm: one read of the snapshot
    ms = await timed(N_LOCAL, lambda i: client.check("bench-local", "query"))
    assert (await client.check("bench-local", "query")).source == "cache"
    return ms


async def remote(client: EntitlementsClient, url: str) -> dict[str, list[float]]:
    async with httpx.AsyncClient() as http:
        for _ in range(50):  # warm up both paths
            await http.get(url + "/healthz")
            await client.check("bench-remote", "queries")
        return {
            "HTTP floor: GET /healthz": await timed(
                N_REMOTE, lambda i: http.get(url + "/healthz")),
            "check through the service (hard metered)": await timed(
                N_REMOTE, lambda i: client.check("bench-remote", "queries")),
            "consume through the service (atomic)": await timed(
                N_REMOTE, lambda i: client.consume("bench-consume", "llm-tokens", 1, f"c{i}")),
        }


def usage_events() -> list[UsageRecorded]:
    events = [UsageRecorded(customer_id="bench-usage", feature="llm-tokens", amount=1,
                            idempotency_key=f"u{i}") for i in range(N_EVENTS)]
    return events + events[: N_EVENTS // 10]  # redelivered duplicates: must not count


async def publish(bus: Bus, events: list[UsageRecorded]) -> float:
    """Confirmed publishes into the durable queue (nobody consumes yet); returns events/s."""
    started = time.perf_counter()
    for start in range(0, len(events), 200):
        await asyncio.gather(*(bus.publish(e) for e in events[start:start + 200]))
    return len(events) / (time.perf_counter() - started)


async def drain_rate(url: str) -> tuple[float, int]:
    """Events counted per second while the service drains the backlog; and the count."""
    first: tuple[float, int] | None = None
    async with httpx.AsyncClient(headers=internal_headers(DEV_INTERNAL_TOKEN)) as http:
        while True:
            snap = (await http.get(url + "/internal/v1/customers/bench-usage/entitlements")).json()
            counted = int(snap["features"]["llm-tokens"]["used"])
            now = time.perf_counter()
            if first is None and counted:
                first = (now, counted)
            if counted >= N_EVENTS:
                break
            await asyncio.sleep(0.01)
    assert first is not None
    delivered = N_EVENTS * 1.1 * (counted - first[1]) / counted  # duplicates are work too
    return delivered / max(now - first[0], 1e-6), counted


async def main() -> None:
    iso = await asyncio.to_thread(Isolation().create)
    directory = Path(os.environ.get("BENCH_DIR", "/tmp/atlas-bench-entitlements"))
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    plans = str(ROOT / "deploy" / "plans.example.yaml")
    env = {**iso.env(), "ATLAS_PLANS_FILE": plans, "ATLAS_LOG_LEVEL": "WARNING"}
    stack = Stack(env, directory)
    try:
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
              f"load {os.getloadavg()[0]:.2f}")
        bus = await Bus.connect(iso.rabbitmq_url, delivery_limit=5)  # declares the queue
        published = await publish(bus, usage_events())
        url = await asyncio.to_thread(stack.start_entitlements)  # drains the backlog
        rate, counted = await drain_rate(url)
        settings = EntitlementsSettings(ATLAS_ENTITLEMENTS_URL=url, ATLAS_PLANS_FILE=plans,
                                        ATLAS_ENTITLEMENTS_CACHE_TTL_S=3600)
        client = EntitlementsClient(settings)
        try:
            print(summary("warm in-process check (cache)", await local_checks(client)))
            for name, ms in (await remote(client, url)).items():
                print(summary(name, ms))
            exact = "exact" if counted == N_EVENTS else f"WRONG: {counted}"
            print(f"{'usage.recorded drained':<44} n={N_EVENTS} (+{N_EVENTS // 10} duplicates)"
                  f"  {rate:6.0f} deliveries/s counted (published at {published:.0f}/s)"
                  f"  count {exact}")
        finally:
            await bus.close()
            await client.aclose()
    finally:
        await asyncio.to_thread(stack.stop_all)
        await asyncio.to_thread(iso.remove)


if __name__ == "__main__":
    asyncio.run(main())

"""Scaling the query workers: throughput and queue wait at 1, 2 and 4 workers (issue 20).

Run: ``make bench BENCH=bench/scaling.py`` (or ``uv run python bench/scaling.py``). It starts a
stack of its own (auth, query-api, the gateway; a vhost, database and Redis prefix of its own)
and, for each mode, 1 then 2 then 4 query workers (``ATLAS_QUERY_CONCURRENCY`` 4 each):

- ``offline planner``: the semantic planner on the demo database, the five demo questions in
  turn. A job is CPU almost throughout, so the knee is where the machine's cores run out.
- ``slow LLM``: ``ATLAS_PLANNER=llm`` against a scripted OpenAI-compatible provider on
  loopback (tests/e2e/agent/scripted.py) that waits ``BENCH_LLM_DELAY_S`` (0.5 s) before it
  answers: a job waits on I/O, so workers should scale near linearly.

Load: wrk (bench/perf/wrk.py) keeps ``BENCH_SCALING_CONNECTIONS`` (32) questions open on
``POST /api/v1/query`` for ``BENCH_SCALING_SECONDS`` (15) per point after a warm-up
(``BENCH_SCALING_WARM_UP_S``, 5), more than the workers'
slots, so a backlog stands in the queue. Queue wait is Little's law on the ready messages of
``query.requested``, sampled every 50 ms by a passive declare (no management plugin):
mean depth / throughput. CPU (cores busy) of the workers and of the gateway comes from /proc;
per mode a last line turns it into CPU per answer and the knee on a quiet machine of this
many cores (a shared machine gives a run only a share of them, so the throughput alone
shows the share, not the knee).
Never part of ``make test``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import aio_pika

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.agent.scripted import ScriptedProvider, Served, Turn
from tests.support.isolation import Isolation
from tests.support.polling import wait_for
from tests.support.stack import Proc, Stack, worker_consumers

from atlas_common.bus import names
from bench.perf import wrk
from bench.perf.proc_cpu import Meter, session_members

SECONDS = float(os.environ.get("BENCH_SCALING_SECONDS", "15"))
WARM_UP_S = float(os.environ.get("BENCH_SCALING_WARM_UP_S", "5"))
CONNECTIONS = int(os.environ.get("BENCH_SCALING_CONNECTIONS", "32"))
WORKERS = [int(w) for w in os.environ.get("BENCH_SCALING_WORKERS", "1,2,4").split(",")]
LLM_DELAY_S = float(os.environ.get("BENCH_LLM_DELAY_S", "0.5"))
MODES = os.environ.get("BENCH_SCALING_MODES", "offline,llm").split(",")
CONCURRENCY = "4"
QUESTIONS = (
    "How many users signed up last week?",
    "How many users are there?",
    "How many orders by status?",
    "What is the total revenue by month?",
    "How many users signed up by month?",
)


@dataclass(frozen=True)
class Point:
    mode: str
    workers: int
    rps: float
    errors: int
    p50_ms: float
    p99_ms: float
    queue_wait_ms: float
    worker_cores: float
    gateway_cores: float


class SlowProvider(ScriptedProvider):
    """Every request gets the same slow turn (the scripted server serves a key once)."""

    def _turn(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[Turn | None, Served]:
        return self.default, Served(time.monotonic())


class DepthSampler:
    """Mean ready depth of the query queue while a load runs (its own loop in a thread)."""

    def __init__(self, amqp_url: str) -> None:
        self.url = amqp_url
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> DepthSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    async def _run(self) -> None:
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            while not self._stop.is_set():
                queue = await channel.declare_queue(names.QUERY_REQUESTED, passive=True)
                self.samples.append(int(queue.declaration_result.message_count or 0))
                await asyncio.sleep(0.05)  # the sampling period, not a wait for a condition

    @property
    def mean(self) -> float:
        return sum(self.samples) / max(1, len(self.samples))


def measure(stack: Stack, iso: Isolation, mode: str, workers: list[Proc], load: wrk.Load) -> Point:
    meter = Meter()
    meter.add("workers", lambda: set().union(*(session_members(p.popen.pid) for p in workers)))
    gateway = next(p for p in stack.procs if p.name == "gateway")
    meter.add("gateway", lambda: session_members(gateway.popen.pid))
    wrk.run(load, CONNECTIONS, WARM_UP_S)  # warm-up: connections, caches, first imports
    before = meter.snapshot()
    with DepthSampler(iso.rabbitmq_url) as depth:
        result = wrk.run(load, CONNECTIONS, SECONDS)
    used = Meter.delta_s(before, meter.snapshot())
    rps = result.rps
    return Point(
        mode, len(workers), rps, result.errors, result.latency_ms["p50"],
        result.latency_ms["p99"], depth.mean / max(rps, 1e-9) * 1000,
        used["workers"] / result.seconds, used["gateway"] / result.seconds,
    )


def run_mode(stack: Stack, iso: Isolation, mode: str, env: dict[str, str],
             load: wrk.Load) -> list[Point]:
    points: list[Point] = []
    workers: list[Proc] = []
    for count in WORKERS:
        while len(workers) < count:
            name = f"worker-{mode.split()[0].lower()}-{len(workers)}"
            workers.append(stack.start("atlas-query-worker", name, env))
        wait_for(partial(lambda n: worker_consumers(stack.gateway_url) >= n, count),
                 timeout=120, what=f"{count} workers")
        points.append(measure(stack, iso, mode, workers, load))
        print(row(points[-1]), flush=True)
    print(knee(points, slots_per_s=None if mode.startswith("offline") else
               int(CONCURRENCY) / LLM_DELAY_S), flush=True)
    for proc in workers:
        stack.stop(proc)
    wait_for(lambda: worker_consumers(stack.gateway_url) == 0, timeout=60, what="workers gone")
    return points


def knee(points: list[Point], slots_per_s: float | None) -> str:
    """Where adding workers stops paying on a quiet machine of this many cores, from the CPU
    an answer costs (steady whatever the load around) rather than from the throughput, which
    on a shared machine follows the share of the cores the run got."""
    worker_ms = statistics.median(p.worker_cores / p.rps * 1000 for p in points)
    gateway_ms = statistics.median(p.gateway_cores / p.rps * 1000 for p in points)
    cores = os.cpu_count() or 1
    machine = cores * 1000 / (worker_ms + gateway_ms)  # answers/s when Atlas has every core
    per_worker = 1000 / worker_ms  # one process: one core at most
    if slots_per_s is not None:  # I/O bound: its slots over the provider's wait, at best
        per_worker = min(per_worker, slots_per_s)
    return (f"  CPU per answer: worker {worker_ms:.1f} ms, gateway {gateway_ms:.1f} ms "
            f"(servers apart); on {cores} idle cores: ~{machine:.0f} answers/s, one worker "
            f"<= {per_worker:.0f}/s: the knee at {math.ceil(machine / per_worker)} worker(s)")


HEADER = (f"{'mode':<16} {'workers':>7} {'answers/s':>9} {'errors':>6} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'queue wait ms':>13} {'worker cores':>12} {'gateway cores':>13}")


def row(p: Point) -> str:
    return (f"{p.mode:<16} {p.workers:>7} {p.rps:>9.1f} {p.errors:>6} {p.p50_ms:>8.0f} "
            f"{p.p99_ms:>8.0f} {p.queue_wait_ms:>13.0f} {p.worker_cores:>12.2f} "
            f"{p.gateway_cores:>13.2f}")


def bodies(marker: str = "") -> tuple[str, ...]:
    return tuple(json.dumps({"question": f"{q} {marker}".strip()}) for q in QUESTIONS)


def main() -> None:
    iso = Isolation().create()
    directory = Path(os.environ.get("BENCH_DIR", "/tmp/atlas-bench-scaling"))
    directory.mkdir(parents=True, exist_ok=True)
    provider = SlowProvider(Turn(text=["The answer."], first_delay_s=LLM_DELAY_S)).start()
    env = {
        **iso.env(),
        "ATLAS_LOG_LEVEL": "WARNING",
        "ATLAS_QUERY_CONCURRENCY": CONCURRENCY,
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_GATEWAY_MAX_IN_FLIGHT": "1000",
    }
    llm_env = {"ATLAS_PLANNER": "llm", "ATLAS_MODEL": "scripted-model",
               "ATLAS_PROVIDER": "openai-compatible",
               "OPENAI_COMPATIBLE_BASE_URL": provider.url + "/v1"}
    stack = Stack(env, directory)
    try:
        print(f"machine: {os.cpu_count()} cores; {CONNECTIONS} open questions, "
              f"{SECONDS:g} s per point, worker concurrency {CONCURRENCY}; "
              f"load average {os.getloadavg()[0]:.1f} at start")
        stack.start_auth()
        stack.start_query_api()
        stack.gateway_url = stack.start_gateway()
        print(HEADER)
        url = stack.gateway_url
        offline = wrk.Load(url, "/api/v1/query", "POST", bodies())
        if "offline" in MODES:
            run_mode(stack, iso, "offline planner", {}, offline)
        slow = wrk.Load(url, "/api/v1/query", "POST", bodies("[[bench]]"))
        if "llm" in MODES:
            run_mode(stack, iso, f"LLM {LLM_DELAY_S * 1000:.0f} ms", llm_env, slow)
    finally:
        stack.stop_all()
        provider.stop()
        iso.remove()


if __name__ == "__main__":
    main()

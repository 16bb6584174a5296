"""Open streams on one gateway replica (issue 27): N concurrent chat streams opened at once.

Run: ``make bench BENCH=bench/streams.py`` (or ``uv run python bench/streams.py``). It starts a
stack of its own (auth without login, query-api, enough query workers with
``ATLAS_PLANNER=llm``; a vhost, database and Redis prefix of its own) whose workers ask a
scripted OpenAI-compatible provider on loopback (bench/perf/slow_provider.py, its own process)
that streams one word a second (``BENCH_TOKEN_INTERVAL_S``) for ``BENCH_STREAM_TOKENS`` (30)
words. The workers take ``BENCH_WORKER_CONCURRENCY`` (256, the most a worker takes) jobs each,
as many workers as the largest N needs, so they are not the bottleneck.

For each N of ``BENCH_STREAMS`` (500, 1000, 2000) a fresh gateway (so its RSS starts from the
same baseline), warmed with a few short answers, gets N ``POST /api/v1/chat`` opened at once by
a lean client (bench/perf/sse_client.py: raw sockets on uvloop, no parsing past the first
frame). Printed per N:

- accepted, refused by status and code, other errors (a socket error, a stream cut short);
- time to first frame (request sent -> the first ``data:`` frame, the gateway's ``start``)
  p50 / p99;
- gateway RSS per open stream: VmRSS (``/proc``) once every stream is open, minus the warmed
  baseline, over the streams open; the gateway's file descriptors likewise;
- gateway CPU per stream-second: its utime + stime over ``BENCH_WINDOW_S`` (5 s) while all are
  open, over the stream-seconds in the window (each stream gets a word a second);
- Redis memory: ``INFO memory`` used_memory delta (a shared server: other work moves it too).

The gateway runs with ATLAS_GATEWAY_MAX_IN_FLIGHT and ATLAS_GATEWAY_MAX_OPEN_STREAMS above N:
what is measured is the cost of streams, not the caps. Goals: N = 2,000 all accepted with no
error, first frame p99 <= 1 s, <= 20 KB of gateway RSS per stream. Two shared cores run the
stack, the provider and the client: CPU figures are noisy. Never part of ``make test``.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import redis
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Proc, Stack, free_port, wait_http

from bench.ask_path import pct, wait_workers
from bench.perf.proc_cpu import TICK, read_stat
from bench.perf.sse_client import Outcome, chat_request, open_stream

ROOT = Path(__file__).resolve().parents[1]
LEVELS = [int(n) for n in os.environ.get("BENCH_STREAMS", "500,1000,2000").split(",")]
TOKENS = int(os.environ.get("BENCH_STREAM_TOKENS", "30"))
INTERVAL_S = float(os.environ.get("BENCH_TOKEN_INTERVAL_S", "1"))
WINDOW_S = float(os.environ.get("BENCH_WINDOW_S", "5"))
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "256"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "0")) or math.ceil(max(LEVELS) / CONCURRENCY)
#: Another command for the gateway (a profiler's wrapper, say), split on spaces.
GATEWAY_ARGV = os.environ.get("BENCH_GATEWAY_CMD", "").split()
WARM = 8
IDLE_N = int(os.environ.get("BENCH_IDLE_STREAMS", "1000"))  # 0: no idle measure
IDLE_BATCH = 100  # short answers before measuring: imports, pools, caches
GOAL_N, GOAL_P99_S, GOAL_KB = 2000, 1.0, 20.0


@dataclass
class Level:
    n: int
    outcomes: list[Outcome] = field(default_factory=list)
    rss_kb: float = 0.0  # per open stream
    fds: float = 0.0  # per open stream
    cpu_ms: float = 0.0  # per stream-second
    redis_kb: float = 0.0  # per open stream
    open_streams: int = 0

    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == 200]

    def refused(self) -> Counter[str]:
        return Counter(f"{o.status} {o.code}" for o in self.outcomes if o.status not in (0, 200))

    def errors(self) -> Counter[str]:
        return Counter(o.error for o in self.outcomes if o.error)

    def row(self) -> str:
        first = [o.first_frame_s * 1000 for o in self.accepted() if o.first_frame_s is not None]
        first = first or [0.0]
        refused = ", ".join(f"{k} x{v}" for k, v in self.refused().items()) or "0"
        errors = ", ".join(f"{k} x{v}" for k, v in self.errors().items()) or "0"
        return (
            f"  N={self.n:<5} accepted={len(self.accepted()):<5} refused={refused}  "
            f"errors={errors}\n"
            f"           first frame p50={pct(first, 50):6.0f} ms p99={pct(first, 99):6.0f} ms"
            f"  gateway RSS/stream={self.rss_kb:5.1f} KB  fds/stream={self.fds:4.2f}  "
            f"CPU/stream-s={self.cpu_ms:5.3f} ms  Redis/stream={self.redis_kb:5.2f} KB "
            f"({self.open_streams} open in the window)"
        )


class Provider:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = [
            sys.executable,
            "-m",
            "bench.perf.slow_provider",
            str(self.port),
            str(TOKENS),
            str(INTERVAL_S),
        ]
        log = (directory / "provider.log").open("wb")
        self.popen = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(self.url + "/_served/ready")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.popen.terminate()
        self.popen.wait(10)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_s(pid: int) -> float:
    stat = read_stat(pid)
    return stat.ticks / TICK if stat else 0.0


def redis_used(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


class Burst:
    """N streams opened at once; knows how many have had their first frame and are open."""

    def __init__(self, port: int, n: int, tag: str = "b") -> None:
        self.port, self.n = port, n
        self.answered = 0  # a first frame, a refusal or an error
        self.open = 0
        self.all_in = asyncio.Event()
        self.tag = tag  # the provider's script: "warm" (one word), "idle" (none), else paced

    def _first(self) -> None:
        self.answered += 1
        if self.answered == self.n:
            self.all_in.set()

    async def _one(self) -> Outcome:
        question = f"Why is the sky blue? [[{self.tag}{uuid.uuid4().hex[:12]}]]"
        request = chat_request("127.0.0.1", self.port, question)

        def first() -> None:
            self.open += 1
            self._first()

        out = await open_stream("127.0.0.1", self.port, request, first)
        if out.status == 200 and out.first_frame_s is not None:
            self.open -= 1
        return out

    def start(self) -> asyncio.Future[list[Outcome]]:
        return asyncio.gather(*(self._one() for _ in range(self.n)))


async def measure(stack: Stack, n: int) -> Level:
    cap = str(max(2 * WORKERS * CONCURRENCY, 2 * n))
    port = free_port()
    env = {
        "ATLAS_GATEWAY_PORT": str(port),
        "ATLAS_GATEWAY_MAX_IN_FLIGHT": cap,
        "ATLAS_GATEWAY_MAX_OPEN_STREAMS": cap,
    }
    proc: Proc = stack.start(GATEWAY_ARGV or "atlas-gateway", f"gateway-{n}", env)
    url, pid = f"http://127.0.0.1:{port}", proc.popen.pid
    wait_http(url + "/healthz", proc)
    try:
        await wait_workers(url, WORKERS)
        await warm_up(port)
        return await _burst(stack, n, pid, port)
    finally:
        stack.stop(proc)


async def _burst(stack: Stack, n: int, pid: int, port: int) -> Level:
    redis_url = stack.env["ATLAS_REDIS_URL"]
    level = Level(n)
    base_rss, base_fds = rss_kb(pid), fd_count(pid)
    base_redis = await asyncio.to_thread(redis_used, redis_url)
    profiler = _profile(pid, n)
    burst = Burst(port, n)
    outcomes = burst.start()
    async with asyncio.timeout(120):
        await burst.all_in.wait()
    await asyncio.sleep(1.0)  # the last streams' first events
    level.open_streams = burst.open
    cpu_before, opened_before, t0 = cpu_s(pid), burst.open, time.monotonic()
    rss, fds = rss_kb(pid), fd_count(pid)
    used = await asyncio.to_thread(redis_used, redis_url)
    await asyncio.sleep(WINDOW_S)
    seconds = time.monotonic() - t0
    stream_s = (opened_before + burst.open) / 2 * seconds
    level.cpu_ms = (cpu_s(pid) - cpu_before) * 1000 / max(stream_s, 1)
    rss = max(rss, rss_kb(pid))
    if burst.open < opened_before * 0.95:
        print(
            f"  (streams ended inside the window: {opened_before} -> {burst.open}; "
            "raise BENCH_STREAM_TOKENS)"
        )
    opened = max(1, level.open_streams)
    level.rss_kb = (rss - base_rss) / opened
    level.fds = (fds - base_fds) / opened
    level.redis_kb = (used - base_redis) / 1024 / opened
    async with asyncio.timeout(TOKENS * INTERVAL_S + 180):
        level.outcomes = await outcomes
    if profiler is not None:
        await asyncio.to_thread(profiler.wait, 60)
    return level


def _profile(pid: int, n: int) -> subprocess.Popen[bytes] | None:
    """py-spy on the gateway from the burst on (``BENCH_PYSPY_DIR``: collapsed stacks, GIL
    holder only, ``BENCH_PYSPY_S`` seconds), for a flame graph of where the time goes."""
    directory = os.environ.get("BENCH_PYSPY_DIR")
    if not directory:
        return None
    out = Path(directory) / f"gateway-{n}.txt"
    argv = [
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--gil",
        "--format",
        "raw",
        "-r",
        "200",
        "-d",
        os.environ.get("BENCH_PYSPY_S", "15"),
        "-p",
        str(pid),
        "-o",
        str(out),
    ]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def warm_up(port: int) -> None:
    warm = await Burst(port, WARM, "warm").start()
    assert all(o.done for o in warm), f"warm-up failed: {warm[:2]}"


async def idle_cost(stack: Stack, n: int) -> str:
    """Gateway RSS per open idle stream: ``n`` streams opened ``IDLE_BATCH`` at a time (no
    burst garbage), each quiet after its first frames (the provider says nothing)."""
    port = free_port()
    env = {
        "ATLAS_GATEWAY_PORT": str(port),
        "ATLAS_GATEWAY_MAX_IN_FLIGHT": str(2 * n),
        "ATLAS_GATEWAY_MAX_OPEN_STREAMS": str(2 * n),
    }
    proc = stack.start(GATEWAY_ARGV or "atlas-gateway", f"gateway-idle-{n}", env)
    wait_http(f"http://127.0.0.1:{port}/healthz", proc)
    pid, tasks = proc.popen.pid, []
    try:
        await wait_workers(f"http://127.0.0.1:{port}", WORKERS)
        await warm_up(port)
        await asyncio.sleep(1.0)
        base = rss_kb(pid)
        for _ in range(0, n, IDLE_BATCH):
            batch = Burst(port, IDLE_BATCH, "idle")
            tasks.append(asyncio.ensure_future(batch.start()))
            async with asyncio.timeout(60):
                await batch.all_in.wait()
        await asyncio.sleep(2.0)  # the agents' status frames, then quiet
        per = (rss_kb(pid) - base) / n
        return f"  idle: {n} open streams, gateway RSS/stream={per:5.1f} KB"
    finally:
        for task in tasks:
            task.cancel()  # the clients hang up
        await asyncio.gather(*tasks, return_exceptions=True)
        stack.stop(proc)


def verdict(levels: list[Level]) -> list[str]:
    top = next((lv for lv in levels if lv.n == GOAL_N), None)
    if top is None:
        return [f"  (no N={GOAL_N} level: goals not checked)"]
    first = [o.first_frame_s for o in top.accepted() if o.first_frame_s is not None] or [99.0]
    clean = len(top.accepted()) == GOAL_N and not top.errors()
    p99 = pct(first, 99)
    return [
        f"  [{'met' if clean else 'MISSED'}] {GOAL_N} accepted, 0 errors",
        f"  [{'met' if p99 <= GOAL_P99_S else 'MISSED'}] first frame p99 <= 1 s: {p99:.2f} s",
        f"  [{'met' if top.rss_kb <= GOAL_KB else 'MISSED'}] <= 20 KB per stream: "
        f"{top.rss_kb:.1f} KB",
    ]


def stack_env(iso: Isolation, directory: Path, provider: Provider) -> dict[str, str]:
    return {
        **iso.env(),
        "ATLAS_LOG_LEVEL": "WARNING",
        "ATLAS_PLANNER": "llm",
        "ATLAS_PROVIDER": "openai-compatible",
        "ATLAS_MODEL": "scripted",
        "OPENAI_COMPATIBLE_BASE_URL": provider.url + "/v1",
        "ATLAS_QUERY_CONCURRENCY": str(CONCURRENCY),
        "ATLAS_QUERY_QUEUE_MAX_LENGTH": "0",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
    }


def start_stack(stack: Stack) -> None:
    stack.start_auth()
    stack.start_query_api()
    for i in range(WORKERS):
        stack.start("atlas-query-worker", f"worker-{i + 1}")


async def main() -> None:
    directory = Path(os.environ.get("BENCH_DIR", f"/tmp/atlas-bench-streams-{os.getpid()}"))
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    iso = await asyncio.to_thread(Isolation().create)
    provider = stack = None
    print(
        f"machine: {os.cpu_count()} cores; provider: {TOKENS} words, one every "
        f"{INTERVAL_S:g} s; {WORKERS} workers x {CONCURRENCY} jobs; window {WINDOW_S:g} s"
    )
    levels: list[Level] = []
    try:
        provider = Provider(directory)
        stack = Stack(stack_env(iso, directory, provider), directory)
        start_stack(stack)
        if IDLE_N:
            print(await idle_cost(stack, IDLE_N), flush=True)
        for n in LEVELS:
            levels.append(await measure(stack, n))
            print(levels[-1].row(), flush=True)
        print("\n".join(verdict(levels)))
    finally:
        if stack is not None:
            stack.stop_all()
        if provider is not None:
            provider.stop()
        await asyncio.to_thread(iso.remove)


if __name__ == "__main__":
    uvloop.run(main())

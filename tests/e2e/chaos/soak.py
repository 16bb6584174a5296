"""The soak: questions at half the knee for SOAK_SECONDS (default 600), then the leak checks.

Run: ``make soak`` (``SOAK_SECONDS=60 make soak`` for a short run). Never part of ``make test``
or ``make chaos``. It starts its own stack (gateway, two workers, auth, query-api on a vhost,
database and Redis prefix of its own, all removed afterwards), then:

1. finds the knee: closed-loop load at 1, 2, 4, ... clients (SOAK_STEP_SECONDS each) until
   the throughput grows by less than 15 %; the knee is the best throughput seen;
2. warms up for SOAK_WARMUP_SECONDS at half the knee (open loop, paced arrivals), then takes
   the baseline: each process's RSS and open file descriptors, and the stack's Redis channels;
3. soaks at half the knee (SOAK_RPS overrides it): JSON questions, streamed ones, and one
   stream in ten abandoned after its first frame (the grace period must clean it up);
4. checks, once idle again: every answer a 200, RSS growth <= 10 % per process, file
   descriptors and Redis subscriptions back to the baseline. Exit status 1 if any fails.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import mkdtemp

import httpx
import redis

from tests.support.isolation import Isolation
from tests.support.stack import Proc, Stack, wait_for_workers

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
STEP_SECONDS = float(os.environ.get("SOAK_STEP_SECONDS", "8"))
WARMUP_SECONDS = float(os.environ.get("SOAK_WARMUP_SECONDS", "30"))
RSS_GROWTH_MAX = 0.10
SETTLE_TIMEOUT_S = 60
QUESTIONS = [
    "How many users signed up last week?",
    "How many users are there?",
    "How many orders were placed last month?",
]


@dataclass
class Tally:
    ok: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    skipped: int = 0  # arrivals not sent: too many in flight (the stack fell behind)

    def fail(self, what: str) -> None:
        self.failed[what] = self.failed.get(what, 0) + 1


# -- the load -------------------------------------------------------------------------------

async def _json(client: httpx.AsyncClient, question: str) -> str | None:
    r = await client.post("/api/v1/query", json={"question": question})
    return None if r.status_code == 200 else f"query {r.status_code} {r.text[:80]}"


async def _chat(client: httpx.AsyncClient, question: str, abandon: bool) -> str | None:
    body = {"messages": [{"id": "m", "role": "user",
                          "parts": [{"type": "text", "text": question}]}]}
    async with client.stream("POST", "/api/v1/chat", json=body) as r:
        if r.status_code != 200:
            return f"chat {r.status_code}"
        async for line in r.aiter_lines():
            if abandon and line.startswith("data:"):
                return None  # hang up after the first frame: the job goes on, unwatched
            if line.strip() == "data: [DONE]":
                return None
    return "chat ended without [DONE]"


async def _one(client: httpx.AsyncClient, n: int, tally: Tally) -> None:
    question = QUESTIONS[n % len(QUESTIONS)]
    try:
        if n % 2 == 0:
            problem = await _json(client, question)
        else:
            problem = await _chat(client, question, abandon=n % 20 == 1)
    except httpx.HTTPError as exc:
        problem = type(exc).__name__
    if problem is None:
        tally.ok += 1
    else:
        tally.fail(problem)


async def closed_loop(url: str, clients: int, seconds: float) -> float:
    """Throughput (answers/s) with ``clients`` asking one question after another."""
    tally, counter, end = Tally(), itertools.count(), time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:

        async def loop() -> None:
            while time.monotonic() < end:
                await _one(client, 2 * next(counter), tally)  # JSON only: comparable steps

        started = time.monotonic()
        await asyncio.gather(*(loop() for _ in range(clients)))
        return tally.ok / (time.monotonic() - started)


async def open_loop(url: str, rate: float, seconds: float, sample: Sampler | None = None) -> Tally:
    """Arrivals every 1/rate s whatever the answers take (at most 200 in flight)."""
    tally, tasks = Tally(), set[asyncio.Task[None]]()
    limits = httpx.Limits(max_connections=250, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        start = next_at = time.monotonic()
        for n in itertools.count():
            if time.monotonic() - start >= seconds:
                break
            if len(tasks) < 200:
                task = asyncio.create_task(_one(client, n, tally))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            else:
                tally.skipped += 1
            if sample is not None:
                sample.maybe()
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*tasks)
    return tally


async def find_knee(url: str) -> float:
    best, previous = 0.0, 0.0
    for clients in (1, 2, 4, 8, 16, 32):
        rps = await closed_loop(url, clients, STEP_SECONDS)
        print(f"  knee search: {clients:>2} clients -> {rps:6.1f} answers/s", flush=True)
        best = max(best, rps)
        if previous and rps < previous * 1.15:
            break
        previous = rps
    return best


# -- what is measured -----------------------------------------------------------------------

def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def channels(client: redis.Redis, prefix: str) -> int:
    return len(client.pubsub_channels(prefix + "*")) + sum(
        n for _, n in client.pubsub_numsub(*client.pubsub_channels(prefix + "*")))


@dataclass
class Sampler:
    procs: list[Proc]
    every_s: float
    started: float = field(default_factory=time.monotonic)
    last: float = 0.0

    def maybe(self) -> None:
        now = time.monotonic()
        if now - self.last >= self.every_s:
            self.last = now
            rss = "  ".join(f"{p.name}={rss_kib(p.popen.pid) // 1024}M" for p in self.procs)
            print(f"  t={now - self.started:5.0f}s  rss: {rss}", flush=True)


def snapshot(procs: list[Proc], client: redis.Redis, prefix: str) -> dict[str, int]:
    figures = {f"{p.name} rss_kib": rss_kib(p.popen.pid) for p in procs}
    figures |= {f"{p.name} fds": fds(p.popen.pid) for p in procs}
    figures["redis channels+subscribers"] = channels(client, prefix)
    return figures


# -- the run --------------------------------------------------------------------------------

def start_stack(directory: Path, iso: Isolation) -> Stack:
    stack = Stack({
        **iso.env(),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_QUERY_CONCURRENCY": "4",
        "ATLAS_STREAM_GRACE_S": "2",  # abandoned streams are cancelled soon after
    }, directory)
    stack.start("atlas-query-worker", "worker-1")
    stack.start("atlas-query-worker", "worker-2")
    stack.start_auth()
    stack.start_query_api()
    stack.gateway_url = stack.start_gateway()
    wait_for_workers(stack.gateway_url, 2)
    return stack


def settled(procs: list[Proc], client: redis.Redis, prefix: str,
            baseline: dict[str, int]) -> dict[str, int]:
    """The idle figures, polled until fds and subscriptions are back (or the bound passes)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        now = snapshot(procs, client, prefix)
        back = all(now[k] <= baseline[k] for k in now if not k.endswith("rss_kib"))
        if back or time.monotonic() > deadline:
            return now
        time.sleep(1)


def idle_baseline(procs: list[Proc], client: redis.Redis, prefix: str) -> dict[str, int]:
    """The figures once the warm-up's last streams are gone: the subscription count unchanged
    for three seconds in a row."""
    seen: list[int] = []
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while time.monotonic() < deadline and (len(seen) < 3 or len(set(seen[-3:])) > 1):
        seen.append(channels(client, prefix))
        time.sleep(1)
    return snapshot(procs, client, prefix)


def verdicts(baseline: dict[str, int], end: dict[str, int], tally: Tally) -> list[str]:
    problems = []
    if tally.failed:
        problems.append(f"{sum(tally.failed.values())} failed answers: {tally.failed}")
    for key, before in baseline.items():
        after = end[key]
        if key.endswith("rss_kib") and after > before * (1 + RSS_GROWTH_MAX):
            problems.append(f"{key}: {before} -> {after} (+{after / before - 1:.1%})")
        elif not key.endswith("rss_kib") and after > before:
            problems.append(f"{key}: {before} -> {after} (not back to the baseline)")
    return problems


def report(baseline: dict[str, int], end: dict[str, int]) -> None:
    print(f"\n{'figure':<34} {'baseline':>10} {'end':>10} {'change':>8}")
    for key, before in baseline.items():
        change = f"{end[key] / before - 1:+.1%}" if before else f"{end[key] - before:+d}"
        print(f"{key:<34} {before:>10} {end[key]:>10} {change:>8}")


def main() -> int:
    iso = Isolation().create()
    directory = Path(mkdtemp(prefix="atlas-soak-"))
    stack = Stack({}, directory)
    client = redis.Redis.from_url(iso.redis_url)
    try:
        stack = start_stack(directory, iso)
        procs = list(stack.procs)
        url = stack.gateway_url
        print("finding the knee ...", flush=True)
        knee = asyncio.run(find_knee(url))
        rate = float(os.environ.get("SOAK_RPS", "0")) or knee / 2
        print(f"knee {knee:.1f} answers/s -> soak at {rate:.1f}/s for {SOAK_SECONDS:.0f} s "
              f"(warm-up {WARMUP_SECONDS:.0f} s)", flush=True)
        asyncio.run(open_loop(url, rate, WARMUP_SECONDS))
        baseline = idle_baseline(procs, client, iso.redis_prefix)
        sampler = Sampler(procs, every_s=max(10.0, SOAK_SECONDS / 10))
        tally = asyncio.run(open_loop(url, rate, SOAK_SECONDS, sampler))
        print(f"answers: {tally.ok} ok, failed {tally.failed or 0}, not sent {tally.skipped}")
        end = settled(procs, client, iso.redis_prefix, baseline)
        report(baseline, end)
        problems = verdicts(baseline, end, tally)
        left = sorted(c.decode() for c in client.pubsub_channels(iso.redis_prefix + "*"))
        print(f"redis channels left ({len(left)}): {left[:5]}", flush=True)
        print(f"subscribers: {client.pubsub_numsub(*left[:5]) if left else []}", flush=True)
        print("\nSOAK " + ("PASSED" if not problems else "FAILED:\n  " + "\n  ".join(problems)))
        if problems:
            print(f"process logs kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
        return 1 if problems else 0
    finally:
        client.close()
        stack.stop_all()
        iso.remove()


if __name__ == "__main__":
    sys.exit(main())

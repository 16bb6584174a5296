"""Backpressure past saturation (issue 22): throughput, latency of accepted questions and the
cost of refusals at concurrency 8, 32, 64 and 128, against one and two workers.

Run: ``make bench BENCH=bench/backpressure.py`` (or ``uv run python bench/backpressure.py``).
It starts a stack of its own (auth without login, query-api, the semantic answerer on the demo
DuckDB; a vhost, database and Redis prefix of its own). Each concurrency level is a closed loop
of ``c`` connections sending ``POST /api/v1/query`` for ``BENCH_SECONDS`` (8) after a one-second
ramp that is not measured (``BENCH_RAMP_S``); a refused connection waits its Retry-After, as
both SDKs do, then asks again (``BENCH_REFUSED_PAUSE_MS=5``: after that fixed pause instead, a
retry storm the gateway must shed). Configurations, same run:

- ``1 worker, no cap``: ATLAS_GATEWAY_MAX_IN_FLIGHT far above any load, the behaviour before;
- ``1 worker``, ``2 workers``: the cap at 2 x workers x ATLAS_QUERY_CONCURRENCY (the sizing
  docs/operations.md gives), as an operator would set it.

Goals, checked per capped configuration: throughput at 128 >= 90 % of the peak; p99 of accepted
questions at 128 <= 2 x the p99 at the knee (the lowest level within 5 % of the peak); every
refusal answered within 50 ms (p99). Beside them, the gateway's own cost of a refusal: the ASGI
app called in this process, no network, no other load.

The load generator is wrk (issue 23: no Python client sharing the cores), driven by
bench/perf/backpressure.lua with as many threads as connections (``-t c -c c``), so each
thread's script sees one connection's requests and answers in turn and times each one itself
(CLOCK_MONOTONIC), keeping accepted (200) and refused (503 ``overloaded``) apart. wrk is a
closed loop per connection, as the clients were; the script's ``delay()`` makes a refused
connection wait the Retry-After of that refusal. wrk's threads still share the two cores with
the stack (mostly asleep in epoll); figures from a shared machine are noisy. Never part of
``make test``.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import Message

from atlas_common.service import set_state
from atlas_gateway.admission import Admission
from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Proc, Stack

from bench.ask_path import pct, wait_workers
from bench.perf.wrk import MARKER, ensure_wrk

SCRIPT = Path(__file__).with_name("perf") / "backpressure.lua"

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
#: Not measured: the first second of a level, while its clients open their connections.
RAMP_S = float(os.environ.get("BENCH_RAMP_S", "1"))
LEVELS = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "8,32,64,128").split(",")]
#: -1: a refused connection waits its Retry-After (what the SDKs do); else a fixed pause.
REFUSED_PAUSE_MS = float(os.environ.get("BENCH_REFUSED_PAUSE_MS") or -1)
WORKER_CONCURRENCY = 4  # the default ATLAS_QUERY_CONCURRENCY
QUESTION = "How many users signed up last week?"
UNCAPPED = 100_000


@dataclass
class Level:
    concurrency: int
    seconds: float = 0.0
    accepted_ms: list[float] = field(default_factory=list)
    refused_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def throughput(self) -> float:
        return len(self.accepted_ms) / self.seconds if self.seconds else 0.0

    def record(self, status: int, ms: float) -> None:
        if status == 200:
            self.accepted_ms.append(ms)
        elif status == 503:
            self.refused_ms.append(ms)
        else:
            self.errors += 1

    def row(self) -> str:
        acc, ref = self.accepted_ms or [0.0], self.refused_ms or [0.0]
        return (f"  c={self.concurrency:<4} {self.throughput:7.1f} answers/s  "
                f"p50={pct(acc, 50):7.1f} ms  p99={pct(acc, 99):7.1f} ms  "
                f"refused={len(self.refused_ms):<6} refusal p99={pct(ref, 99):6.1f} ms  "
                f"errors={self.errors}")


async def run_level(url: str, concurrency: int, seconds: float = SECONDS) -> Level:
    """One wrk run: ``concurrency`` threads of one connection each, ramp then window."""
    argv = [
        ensure_wrk(), f"-t{concurrency}", f"-c{concurrency}", f"-d{RAMP_S + seconds:g}s",
        "--timeout", "150s", "-s", str(SCRIPT), url + "/api/v1/query", "--",
        "/api/v1/query", json.dumps({"question": QUESTION}), f"{RAMP_S * 1000:g}",
        f"{REFUSED_PAUSE_MS:g}",
    ]
    done = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True,
                                   check=False, timeout=RAMP_S + seconds + 180)
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix(MARKER))
    # wrk's socket errors and timeouts are not split by window: all of them count.
    errors = raw["other_answers"] + raw["socket_errors"] + raw["timeouts"]
    return Level(concurrency, seconds=seconds, accepted_ms=raw["accepted_ms"],
                 refused_ms=raw["refused_ms"], errors=errors)


def check_goals(levels: list[Level]) -> list[str]:
    peak = max(levels, key=lambda lv: lv.throughput)
    knee = next(lv for lv in levels if lv.throughput >= 0.95 * peak.throughput)
    last = levels[-1]
    refusals = [ms for lv in levels for ms in lv.refused_ms]
    p99 = {lv.concurrency: pct(lv.accepted_ms or [0.0], 99) for lv in (knee, last)}
    refusal_p99 = pct(refusals, 99) if refusals else 0.0
    return [
        _goal(f"throughput at c={last.concurrency} >= 90% of peak (c={peak.concurrency})",
              last.throughput >= 0.9 * peak.throughput,
              f"{last.throughput:.1f} vs {peak.throughput:.1f}"),
        _goal(f"p99 at c={last.concurrency} <= 2x p99 at the knee (c={knee.concurrency})",
              p99[last.concurrency] <= 2 * p99[knee.concurrency],
              f"{p99[last.concurrency]:.1f} ms vs {p99[knee.concurrency]:.1f} ms"),
        _goal("refusals answered in <= 50 ms (p99)", refusal_p99 <= 50,
              f"{refusal_p99:.1f} ms over {len(refusals)} refusals"),
    ]


def _goal(name: str, met: bool, figures: str) -> str:
    return f"  [{'met' if met else 'MISSED'}] {name}: {figures}"


async def refusal_cost_us(n: int = 5000) -> float:
    """Microseconds per refusal through the gateway's whole middleware stack, in process."""
    app = create_app(GatewaySettings())
    full = Admission(cap=1)
    full.in_flight = 1
    set_state(app, type("State", (), {"admission": full})())
    scope = {"type": "http", "method": "POST", "path": "/api/v1/query", "raw_path": b"",
             "headers": [(b"content-type", b"application/json")], "query_string": b"",
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "root_path": "", "app": app}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Message) -> None:
        pass

    for _ in range(200):  # warm-up: builds the middleware stack
        await app(dict(scope), receive, send)
    started = time.perf_counter()
    for _ in range(n):
        await app(dict(scope), receive, send)
    return (time.perf_counter() - started) / n * 1e6


async def measure(stack: Stack, name: str, workers: int, cap: int) -> None:
    gateway = stack.start_gateway(f"gateway-{cap}", {"ATLAS_GATEWAY_MAX_IN_FLIGHT": str(cap)})
    proc = stack.procs[-1]
    try:
        await wait_workers(gateway, workers)
        await run_level(gateway, 4, seconds=2)  # warm-up: caches, connections, the DuckDB file
        print(f"\n-- {name} (ATLAS_GATEWAY_MAX_IN_FLIGHT={cap})")
        levels = []
        for concurrency in LEVELS:
            levels.append(await run_level(gateway, concurrency))
            print(levels[-1].row(), flush=True)
        if cap != UNCAPPED:
            print("\n".join(check_goals(levels)))
    finally:
        stack.stop(proc)


async def main() -> None:
    iso = await asyncio.to_thread(Isolation().create)
    directory = Path(os.environ.get("BENCH_DIR", "/tmp/atlas-bench-backpressure"))
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    env = {
        **iso.env(),
        "ATLAS_LOG_LEVEL": "WARNING",
        "ATLAS_QUERY_CONCURRENCY": str(WORKER_CONCURRENCY),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
    }
    stack = Stack(env, directory)
    try:
        print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, "
              f"{SECONDS:g} s per level, load: wrk -t c -c c (same machine), refused "
              f"connections wait "
              f"{'Retry-After' if REFUSED_PAUSE_MS < 0 else f'{REFUSED_PAUSE_MS:g} ms'}")
        print(f"gateway's own cost of a refusal (in process): {await refusal_cost_us():.0f} us")
        stack.start_auth()
        stack.start_query_api()
        worker: Proc = stack.start("atlas-query-worker", "worker-1")
        await measure(stack, "1 worker, no cap", 1, UNCAPPED)
        await measure(stack, "1 worker", 1, 2 * WORKER_CONCURRENCY)
        stack.start("atlas-query-worker", "worker-2")
        await measure(stack, "2 workers", 2, 2 * 2 * WORKER_CONCURRENCY)
        assert worker.popen.poll() is None, "worker-1 died during the run"
    finally:
        stack.stop_all()
        await asyncio.to_thread(iso.remove)


if __name__ == "__main__":
    asyncio.run(main())

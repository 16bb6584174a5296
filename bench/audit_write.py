"""Audit writes (issue 25): events a second one ``atlas-audit`` writes into PostgreSQL.

Run: ``make bench BENCH=bench/audit_write.py`` (or ``.venv/bin/python bench/audit_write.py``).
It makes a database and vhost of its own and puts ``BENCH_EVENTS`` (50,000) ``query.answered``
events on the ``audit.events`` queue before the service starts (publishes confirmed, 1,000 in
flight), so what is timed is the consumer alone: it then starts one ``atlas-audit`` (default
batch: ``ATLAS_AUDIT_BATCH_MAX`` 1,000, ``ATLAS_AUDIT_BATCH_WAIT_MS`` 50) and prints:

- the drain rate: events written a second, from the first row written to the last (goal
  >= 5,000/s);
- then a live run: ``BENCH_LIVE_EVENTS`` (20,000) published while the service runs, and the
  time from the first publish until the last event is written (publisher and consumer together);
- the service's CPU (utime + stime from /proc) over each, as a share of one core.

Two shared cores run PostgreSQL, RabbitMQ and the service: figures are noisy. Never part of
``make test``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from atlas_common.bus import Bus
from atlas_common.messages import QueryAnswered

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.isolation import Isolation  # noqa: E402
from tests.support.stack import BIN, free_port, wait_http  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "50000"))
LIVE_EVENTS = int(os.environ.get("BENCH_LIVE_EVENTS", "20000"))
IN_FLIGHT = 1000


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def event(i: int, workspace: str) -> QueryAnswered:
    return QueryAnswered(
        request_id=uuid.uuid4().hex, user_id=f"user-{i % 50}", workspace_id=workspace,
        role="analyst", auth_mode="managed", surface="web",
        question=f"How many orders were placed in week {i % 52}?",
        sql=(f"SELECT count(*) FROM orders WHERE week = {i % 52} LIMIT 1000",),
        tables=("orders",), row_count=1, duration_ms=100 + i % 400, outcome="answered",
        tokens=120, answered_by="semantic")


async def publish(url: str, count: int, workspace: str) -> float:
    bus = await Bus.connect(url, delivery_limit=5)
    started = time.monotonic()
    try:
        for first in range(0, count, IN_FLIGHT):
            await asyncio.gather(*(bus.publish(event(i, workspace))
                                   for i in range(first, min(first + IN_FLIGHT, count))))
    finally:
        await bus.close()
    return time.monotonic() - started


async def written(database_url: str, workspace: str) -> tuple[int, float | None]:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, extract(epoch FROM max(recorded_at) - min(recorded_at)) AS s "
            "FROM audit.events WHERE workspace_id = $1", workspace)
    finally:
        await conn.close()
    return int(row["n"]), float(row["s"]) if row["s"] is not None else None


async def wait_written(database_url: str, workspace: str, count: int) -> float | None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        n, span = await written(database_url, workspace)
        if n >= count:
            return span
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{workspace}: not every event written")


def batches(url: str) -> str:
    """Batches written and their mean write time, from the service's /metrics."""
    values = {}
    for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
        for name in ("atlas_audit_batch_seconds_sum", "atlas_audit_batch_seconds_count"):
            if line.startswith(name + " "):
                values[name] = float(line.split()[1])
    count = values.get("atlas_audit_batch_seconds_count", 0)
    mean = values.get("atlas_audit_batch_seconds_sum", 0) / max(count, 1)
    return f"{count:.0f} batches, {mean * 1000:.1f} ms each to write"


def start(iso: Isolation, directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, **iso.env(), "ATLAS_AUDIT_PORT": str(port),
           "ATLAS_LOG_LEVEL": "WARNING"}
    log = (directory / "audit.log").open("wb")
    proc = subprocess.Popen([str(BIN / "atlas-audit")], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def main() -> None:
    iso = Isolation(run_id="baudw" + uuid.uuid4().hex[:6]).create()
    directory = Path(f"/tmp/{iso.name}")
    directory.mkdir(exist_ok=True)
    proc: subprocess.Popen[bytes] | None = None
    try:
        took = asyncio.run(publish(iso.rabbitmq_url, EVENTS, "backlog"))
        print(f"backlog: {EVENTS} events queued in {took:.1f} s ({EVENTS / took:,.0f}/s)")
        proc, url = start(iso, directory)
        wait_http(url + "/healthz", timeout=120)
        cpu0 = cpu_seconds(proc.pid)
        span = asyncio.run(wait_written(iso.database_url, "backlog", EVENTS))
        cpu = cpu_seconds(proc.pid) - cpu0
        rate = EVENTS / span if span else float("inf")
        print(f"drain: {EVENTS} events written in {span:.2f} s = {rate:,.0f} events/s "
              f"(goal >= 5,000/s); audit CPU {cpu:.1f} s; {batches(url)}")

        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        asyncio.run(publish(iso.rabbitmq_url, LIVE_EVENTS, "live"))
        asyncio.run(wait_written(iso.database_url, "live", LIVE_EVENTS))
        wall, cpu = time.monotonic() - t0, cpu_seconds(proc.pid) - cpu0
        print(f"live: {LIVE_EVENTS} events published and written in {wall:.2f} s = "
              f"{LIVE_EVENTS / wall:,.0f} events/s end to end; audit CPU {cpu / wall:.0%} "
              "of a core")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        iso.remove()


if __name__ == "__main__":
    main()

"""Scheduler overhead (issue 24): 10,000 tasks due across a minute, one replica.

Run: ``make bench BENCH=bench/scheduler.py`` (or ``.venv/bin/python bench/scheduler.py``). It
creates a database, vhost and Redis prefix of its own, inserts ``BENCH_TASKS`` (10,000) tasks
whose six-field cron fires once a minute, their slots spread over the minute starting 5 s after
the insert (about 167 slots a second), starts one ``atlas-scheduler`` (tick ``BENCH_TICK_S``,
0.5 s, the default) and no worker: what is measured is the scheduler, not the answers (each
fired run still follows its stream, as in production, until the bench ends). After
``BENCH_WINDOW_S`` (66 s: every task's slot has come, a few twice) it prints:

- slots fired, and lateness (the run's insert time minus its slot) p50 / p99 / max; the goal
  is p99 <= 1 s;
- the scheduler's CPU (utime + stime from /proc) over the window, as a share of one core;
- jobs not yet relayed to RabbitMQ (``scheduler.outbox``) at the end.

Two shared cores run PostgreSQL, RabbitMQ, Redis and the scheduler: figures are noisy.
Never part of ``make test``.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.isolation import Isolation  # noqa: E402
from tests.support.stack import BIN, free_port, wait_http  # noqa: E402

TASKS = int(os.environ.get("BENCH_TASKS", "10000"))
WINDOW_S = float(os.environ.get("BENCH_WINDOW_S", "66"))
TICK_S = os.environ.get("BENCH_TICK_S", "0.5")
PRINCIPAL = '{"user_id": "bench", "workspace_id": "bench", "role": "analyst", "claims": {}}'


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def insert_tasks(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO scheduler.tasks (id, workspace, owner_id, owner_role, owner_principal, "
            "name, question, cron_expression, delivery_channel, next_run_at) "
            "SELECT gen_random_uuid(), 'bench', 'bench', 'analyst', $1::jsonb, 'bench ' || i, "
            "'How many users signed up last week?', "
            "extract(second FROM slot)::int || ' * * * * *', 'webhook', slot "
            "FROM (SELECT i, date_trunc('second', now()) + interval '5 seconds' "
            "+ (i % 60) * interval '1 second' AS slot FROM generate_series(1, $2) AS i) AS s",
            PRINCIPAL, TASKS)
    finally:
        await conn.close()


async def lateness(database_url: str) -> tuple[list[float], int]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT extract(epoch FROM started_at - slot_at) AS late FROM scheduler.runs "
            "WHERE status <> 'skipped' ORDER BY 1")
        worst = await conn.fetch(
            "SELECT slot_at, count(*) AS n, max(extract(epoch FROM started_at - slot_at)) AS late "
            "FROM scheduler.runs WHERE started_at - slot_at > interval '1 second' "
            "GROUP BY 1 ORDER BY 1 LIMIT 5")
        for row in worst:
            print(f"  late slot {row['slot_at']:%H:%M:%S}: {row['n']} runs, up to "
                  f"{row['late']:.2f} s")
        pending = await conn.fetchval("SELECT count(*) FROM scheduler.outbox")
    finally:
        await conn.close()
    return [float(r["late"]) for r in rows], int(pending)


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def start(iso: Isolation, directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, **iso.env(), "ATLAS_SCHEDULER_PORT": str(port),
           "ATLAS_SCHEDULER_TICK_S": TICK_S, "ATLAS_SCHEDULER_RUN_DEADLINE_S": "600",
           "ATLAS_QUERY_QUEUE_MAX_LENGTH": "0", "ATLAS_LOG_LEVEL": "WARNING"}
    log = (directory / "scheduler.log").open("wb")
    proc = subprocess.Popen([str(BIN / "atlas-scheduler")], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    return proc, url


def main() -> None:
    iso = Isolation(run_id="bsched" + uuid.uuid4().hex[:6]).create()
    directory = Path(f"/tmp/{iso.name}")
    directory.mkdir(exist_ok=True)
    proc, url = start(iso, directory)
    try:
        wait_http(url + "/healthz")
        asyncio.run(insert_tasks(iso.database_url))
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(WINDOW_S)
        cpu, wall = cpu_seconds(proc.pid) - cpu0, time.monotonic() - t0
        late, pending = asyncio.run(lateness(iso.database_url))
        print(f"tasks {TASKS}, window {wall:.0f} s, tick {TICK_S} s: fired {len(late)}")
        print(f"lateness p50 {pct(late, 0.5):.3f} s, p99 {pct(late, 0.99):.3f} s, "
              f"max {late[-1] if late else float('nan'):.3f} s; within 1 s: "
              f"{sum(x <= 1 for x in late) / max(len(late), 1):.1%}")
        print(f"scheduler CPU {cpu:.1f} s over {wall:.0f} s = {cpu / wall:.1%} of a core; "
              f"jobs not yet relayed {pending}; RSS {_rss(proc.pid)} MB")
        health = httpx.get(url + "/healthz", timeout=5).status_code
        print(f"healthz during the load: {health}")
    finally:
        proc.terminate()
        proc.wait(30)
        iso.remove()


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


if __name__ == "__main__":
    main()

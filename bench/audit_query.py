"""Audit log reads (issue 25): GET /api/v1/admin/audit over 1,000,000 rows.

Run: ``make bench BENCH=bench/audit_query.py`` (or ``.venv/bin/python bench/audit_query.py``).
It makes a database and vhost of its own, starts one ``atlas-audit`` (which migrates and makes
this month's partitions), makes the partitions of the last ``BENCH_DAYS`` (90) days and
generates ``BENCH_ROWS`` (1,000,000) rows in SQL for the measured workspace, spread evenly over
those days and written oldest first, as the service writes them (200 users, 5 surfaces, 5 %
errors, 20 tables, 100 question shapes), plus a tenth as many in another workspace, then
VACUUM ANALYZE (as autovacuum leaves a table in use). Each filter is asked ``BENCH_REQUESTS``
(50) times with varied values, one request at a time, straight to the service (the gateway's
relay adds its own hop). It prints p50 / p95 per filter and over all of them (goal p95 <=
100 ms) with the share of answers whose total is an estimate (past 10,000 rows or past the
count's time budget), then /stats (30 days) and an export of the last day (~11,000 rows).

Two shared cores run PostgreSQL, RabbitMQ and the service: figures are noisy. Never part of
``make test``.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from atlas_audit import repository
from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_common.settings import DEV_INTERNAL_TOKEN

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.isolation import Isolation  # noqa: E402
from tests.support.stack import BIN, free_port, wait_http  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
DAYS = int(os.environ.get("BENCH_DAYS", "90"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
CHUNK = 100_000
GENERATE = """
INSERT INTO audit.events (event_id, occurred_at, workspace_id, kind, action, user_id, role,
    auth_mode, surface, request_id, question, sql, tables, row_count, duration_ms, outcome,
    error_code, error_message, tokens, answered_by, datasource)
SELECT md5($1 || i), now() - ($5::int - i)::float8 / $5 * ($2 || ' days')::interval, $1,
    'question',
    'query.answered', 'user-' || (i % 200), 'analyst', 'managed',
    (ARRAY['web', 'api', 'mcp', 'slack', 'scheduled'])[1 + i % 5], md5('r' || i),
    'How many ' || (ARRAY['orders', 'customers', 'invoices', 'tickets'])[1 + i % 4]
        || ' in week ' || (i % 100) || '?',
    'SELECT count(*) FROM t' || (i % 20) || ' WHERE week = ' || (i % 100) || ' LIMIT 1000',
    ARRAY['t' || (i % 20)], 1, 50 + (i % 500),
    CASE WHEN i % 20 = 0 THEN 'error' ELSE 'answered' END,
    CASE WHEN i % 20 = 0 THEN 'sql_error' END, CASE WHEN i % 20 = 0 THEN 'boom' END,
    100, 'semantic', 'default'
FROM generate_series($3::int, $4::int) AS i
"""


async def generate(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        first = date.today() - timedelta(days=DAYS + 31)
        await repository.ensure_partitions(conn, first, DAYS // 28 + 3)
        for workspace, count in (("bench", ROWS), ("other", ROWS // 10)):
            for start in range(0, count, CHUNK):
                await conn.execute(GENERATE, workspace, str(DAYS), start,
                                   min(start + CHUNK, count) - 1, count)
        # As autovacuum leaves a table in use: statistics, and the visibility map that lets
        # a capped count read the index alone.
        await conn.execute("VACUUM ANALYZE audit.events")
    finally:
        await conn.close()


def filters(rng: random.Random) -> dict[str, Callable[[], dict[str, Any]]]:
    today = datetime.now(UTC).date()

    def time_range() -> dict[str, Any]:
        start = today - timedelta(days=rng.randrange(2, DAYS))
        return {"from": start.isoformat(), "to": (start + timedelta(days=3)).isoformat()}

    return {
        "no filter": dict,
        "user": lambda: {"user": f"user-{rng.randrange(200)}"},
        "outcome": lambda: {"outcome": "error"},
        "time range (3 days)": time_range,
        "q text": lambda: {"q": f"week {rng.randrange(100)}?"},
        "table": lambda: {"table": f"t{rng.randrange(20)}"},
        "user + outcome + from": lambda: {"user": f"user-{rng.randrange(200)}",
                                          "outcome": "answered",
                                          "from": (today - timedelta(days=30)).isoformat()},
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(client: httpx.Client, path: str, params: dict[str, Any],
            estimates: list[bool] | None = None) -> float:
    started = time.perf_counter()
    r = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"{path} {params}: {r.status_code} {r.text[:200]}")
    if estimates is not None:
        estimates.append(bool(r.json()["totalIsEstimate"]))
    return elapsed


def run_queries(url: str) -> None:
    caller = Principal(user_id="bench", workspace_id="bench", role="admin")
    rng = random.Random(25)
    everything: list[float] = []
    with httpx.Client(base_url=url, timeout=60,
                      headers=internal_headers(DEV_INTERNAL_TOKEN, caller)) as client:
        measure(client, "/api/v1/admin/audit", {})  # warm the pool and the caches
        for name, make in filters(rng).items():
            estimated: list[bool] = []
            took = [measure(client, "/api/v1/admin/audit", make(), estimated)
                    for _ in range(REQUESTS)]
            everything += took
            print(f"  {name:24} p50 {pct(took, 0.5):6.1f} ms  p95 {pct(took, 0.95):6.1f} ms  "
                  f"total estimated {sum(estimated) / len(estimated):4.0%}")
        print(f"list, every filter: p50 {pct(everything, 0.5):.1f} ms, "
              f"p95 {pct(everything, 0.95):.1f} ms (goal p95 <= 100 ms)")
        stats = [measure(client, "/api/v1/admin/audit/stats", {}) for _ in range(5)]
        print(f"stats (30 days): p50 {pct(stats, 0.5):.0f} ms, max {max(stats):.0f} ms")
        started = time.perf_counter()
        r = client.get("/api/v1/admin/audit/export",
                       params={"from": (datetime.now(UTC) - timedelta(days=1)).isoformat()})
        lines = r.text.count("\n") - 1
        print(f"export: {lines} rows in {time.perf_counter() - started:.2f} s")


def main() -> None:
    iso = Isolation(run_id="baudq" + uuid.uuid4().hex[:6]).create()
    directory = Path(f"/tmp/{iso.name}")
    directory.mkdir(exist_ok=True)
    port = free_port()
    env = {**os.environ, **iso.env(), "ATLAS_AUDIT_PORT": str(port),
           "ATLAS_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([str(BIN / "atlas-audit")], env=env,
                            stdout=(directory / "audit.log").open("wb"),
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/healthz", timeout=120)
        started = time.monotonic()
        asyncio.run(generate(iso.database_url))
        print(f"{ROWS:,} rows (+{ROWS // 10:,} in another workspace) over {DAYS} days "
              f"generated in {time.monotonic() - started:.0f} s")
        run_queries(url)
    finally:
        proc.terminate()
        proc.wait(30)
        iso.remove()


if __name__ == "__main__":
    main()

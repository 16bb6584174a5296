"""``/api/health`` under a flood, beside ``/healthz``: calls a second from one gateway (issue 27).

Starts a stack (auth, query-api, one worker, one gateway) on a private database, vhost and
Redis prefix, then drives each path with wrk (one thread, 32 connections, 10 s: the issue's
method) and prints calls/s, p50 / p99 and errors; the stack is removed afterwards. Since issue
27 ``/api/health`` is served from the background checks' memory, so the two should be close.

    .venv/bin/python bench/health_flood.py
    .venv/bin/python bench/health_flood.py --seconds 5 --connections 64
    # another tree's gateway (a before/after): its sources first on the path
    .venv/bin/python bench/health_flood.py --gateway-src /tmp/old/services/gateway/src \\
        --gateway-src /tmp/old/libs/common/src
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Stack, wait_for_workers

from bench.perf.wrk import Load, run

PATHS = ("/healthz", "/api/health")


def start_stack(isolation: Isolation, directory: Path, gateway_src: list[str]) -> Stack:
    env = {
        **isolation.env(),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_LOG_LEVEL": "WARNING",
    }
    stack = Stack(env, directory)
    stack.start("atlas-query-worker", "worker")
    stack.start_auth()
    stack.start_query_api()
    extra = {"PYTHONPATH": os.pathsep.join(gateway_src)} if gateway_src else {}
    stack.gateway_url = stack.start_gateway(extra_env=extra)
    wait_for_workers(stack.gateway_url)
    return stack


def main(seconds: float, connections: int, gateway_src: list[str]) -> None:
    isolation = Isolation().create()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stack = start_stack(isolation, Path(tmp), gateway_src)
            try:
                run(Load(stack.gateway_url, "/healthz"), connections, 2)  # warm up
                for path in PATHS:
                    r = run(Load(stack.gateway_url, path), connections, seconds)
                    print(
                        f"{path:12s} {r.rps:8.0f} calls/s  p50 {r.latency_ms['p50']:6.1f} ms  "
                        f"p99 {r.latency_ms['p99']:6.1f} ms  errors {r.errors}  "
                        f"statuses {r.statuses}"
                    )
            finally:
                stack.stop_all()
    finally:
        isolation.remove()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--gateway-src", action="append", default=[])
    args = parser.parse_args()
    main(args.seconds, args.connections, args.gateway_src)

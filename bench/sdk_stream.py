"""Start a stack for bench/sdk_stream.mjs (the TypeScript SDK's stream bench) and run it.

Run: ``make bench`` (or ``uv run python bench/sdk_stream.py``). With ``ATLAS_URL`` set, the
bench runs against that gateway instead (auth mode none, or pass ``ATLAS_API_KEY``). It starts
auth (none), query-api, one worker (5 ms between tokens, so a stream lasts long enough to be
cut) and the gateway on a vhost, database and Redis prefix of its own.

Any arguments replace the command run against the stack (it gets ``ATLAS_URL``), e.g. to
record tests/fixtures/streams/: ``uv run python bench/sdk_stream.py curl -sN ...``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Stack, wait_for_workers

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], url: str) -> int:
    return subprocess.run(command, cwd=ROOT, env={**os.environ, "ATLAS_URL": url}).returncode


def main() -> int:
    command = sys.argv[1:] or ["node", "bench/sdk_stream.mjs"]
    if os.environ.get("ATLAS_URL"):
        return run(command, os.environ["ATLAS_URL"])
    iso = Isolation().create()
    directory = Path("/tmp/atlas-bench-sdk-stream")
    directory.mkdir(parents=True, exist_ok=True)
    env = {
        **iso.env(),
        "ATLAS_LOG_LEVEL": "WARNING",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_WORKER_TOKEN_DELAY_MS": "5",
        "ATLAS_QUERY_CONCURRENCY": "4",
    }
    stack = Stack(env, directory)
    try:
        stack.start_auth({"ATLAS_AUTH_MODE": "none"})
        stack.start_query_api()
        stack.start("atlas-query-worker", "worker-1")
        url = stack.gateway_url = stack.start_gateway()
        wait_for_workers(url, 1)
        return run(command, url)
    finally:
        stack.stop_all()
        iso.remove()


if __name__ == "__main__":
    sys.exit(main())

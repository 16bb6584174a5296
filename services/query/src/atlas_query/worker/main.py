"""``atlas-query-worker``: run one query worker process until SIGTERM / SIGINT.

``atlas-query-worker --check`` is the container healthcheck and Kubernetes probe instead: exit 0
while a worker process on this host beats, 1 when none does or one is stale. It imports only
the heartbeat module, so a probe stays far below its timeout.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TYPE_CHECKING

from atlas_query.worker.heartbeat import HeartbeatSettings, check

if TYPE_CHECKING:
    from atlas_query.worker.process import QueryWorker
    from atlas_query.worker.settings import WorkerSettings


async def serve(settings: WorkerSettings, worker_class: type[QueryWorker] | None = None) -> None:
    """Run a worker until SIGTERM / SIGINT; fault tests pass a subclass that crashes."""
    from atlas_query.worker.process import QueryWorker  # here: kept out of --check

    worker = (worker_class or QueryWorker)(settings)
    try:
        await worker.start()
    except BaseException:
        await worker.close()  # what opened before the failure closes too
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await worker.drain()


def probe() -> int:
    healthy, message = check(HeartbeatSettings())
    print(message, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def run() -> None:
    """Console script: a bad setting or semantic layer stops start-up with one line (exit 2)."""
    if sys.argv[1:] == ["--check"]:
        raise SystemExit(probe())
    # Imported here, as the service helpers are: kept out of --check.
    from atlas_common.service import run_worker
    from atlas_query.worker.settings import WorkerSettings

    run_worker("query-worker", WorkerSettings, serve)

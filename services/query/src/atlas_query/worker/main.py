"""``atlas-query-worker``: run one query worker process until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import signal

from atlas_common.service import run_worker
from atlas_query.worker.process import QueryWorker
from atlas_query.worker.settings import WorkerSettings


async def serve(settings: WorkerSettings, worker_class: type[QueryWorker] = QueryWorker) -> None:
    """Run a worker until SIGTERM / SIGINT; fault tests pass a subclass that crashes."""
    worker = worker_class(settings)
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


def run() -> None:
    """Console script: a bad setting or semantic layer stops start-up with one line (exit 2)."""
    run_worker("query-worker", WorkerSettings, serve)

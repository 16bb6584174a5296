"""``atlas-query-worker``: run one query worker process until SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import signal

from atlas_common.telemetry import setup_logging, setup_tracing
from atlas_query.worker.service import QueryWorker
from atlas_query.worker.settings import WorkerSettings


async def serve(settings: WorkerSettings) -> None:
    worker = QueryWorker(settings)
    await worker.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await worker.drain()


def run() -> None:
    settings = WorkerSettings()
    setup_logging("query-worker", settings.log_level, json=settings.log_json)
    setup_tracing("query-worker", settings.otel_exporter)
    asyncio.run(serve(settings))

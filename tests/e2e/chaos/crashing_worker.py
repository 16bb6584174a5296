"""A query worker that exits hard on a poison question: the crash the fault tests need, kept
out of production code. The chaos stack starts it instead of ``atlas-query-worker``."""

from __future__ import annotations

import logging
import os

from atlas_common.service import run_worker
from atlas_query.answer.context import AnswerContext, Answerer
from atlas_query.semantic import SemanticLayer
from atlas_query.worker.main import serve
from atlas_query.worker.process import QueryWorker
from atlas_query.worker.settings import WorkerSettings

POISON = "__poison_job__"
log = logging.getLogger("tests.chaos")


class CrashingAnswerer:
    def __init__(self, inner: Answerer) -> None:
        self.inner = inner

    async def answer(self, ctx: AnswerContext) -> None:
        if POISON in ctx.job.question:
            log.critical("poison question: exiting hard (fault test)")
            os._exit(70)
        await self.inner.answer(ctx)


class CrashingWorker(QueryWorker):
    def _answerer(self, layer: SemanticLayer) -> Answerer:
        return CrashingAnswerer(super()._answerer(layer))


async def _serve(settings: WorkerSettings) -> None:
    await serve(settings, CrashingWorker)


if __name__ == "__main__":
    run_worker("query-worker", WorkerSettings, _serve)

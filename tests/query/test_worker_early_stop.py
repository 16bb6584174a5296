"""A stop that reaches the worker before the job's answer has begun is not lost.

Every worker hears every stop on the cancel channel. A stop heard between a job's cancel check
and the start of its answer used to find no running answer and was dropped, so the run went on
to its end although the client had asked to stop it (seen in tests/e2e/test_abandoned_streams).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import redis.asyncio as aioredis

from atlas_common.messages import QueryRequested
from atlas_common.principal import ANONYMOUS
from atlas_query.answer.context import AnswerContext
from atlas_query.worker.jobs import CANCELLED, EARLY_STOPS_KEPT, JobRunner
from atlas_query.worker.settings import WorkerSettings
from tests.support.isolation import Isolation


class EndlessAnswerer:
    started = 0

    async def answer(self, ctx: AnswerContext) -> None:
        self.started += 1
        await asyncio.sleep(60)


async def _no_sql(sql: str, job: QueryRequested) -> dict:  # never called
    raise AssertionError(sql)


async def test_a_stop_heard_before_the_answer_began_stops_it(isolation: Isolation) -> None:
    redis = aioredis.Redis.from_url(isolation.redis_url)
    prefix = f"{isolation.redis_prefix}early-stop:"
    settings = WorkerSettings(ATLAS_REDIS_PREFIX=prefix)
    answerer = EndlessAnswerer()
    runner = JobRunner(settings, redis, answerer, _no_sql)  # type: ignore[arg-type]
    job = QueryRequested(request_id=uuid.uuid4().hex, question="q", principal=ANONYMOUS,
                         deadline=time.time() + 60)
    writer = runner.writer(job, 1)
    try:
        assert runner.cancel(job.request_id, "stopped") is False  # nothing running yet
        ctx = AnswerContext(job=job, emit=writer.emit, run_sql=_no_sql)
        ended = await asyncio.wait_for(runner._run_answerer(ctx, writer), timeout=10)
        assert ended == CANCELLED and not runner.running
        buffer = b"".join(await redis.lrange(f"{prefix}stream:{job.request_id}:buffer", 0, -1))
        assert b"Stopped on request" in buffer
        assert job.request_id not in runner.early_stops  # used once
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def test_stops_for_other_workers_runs_are_remembered_within_a_bound() -> None:
    runner = JobRunner(WorkerSettings(), None, EndlessAnswerer(), _no_sql)  # type: ignore[arg-type]
    for n in range(EARLY_STOPS_KEPT + 10):
        runner.cancel(f"run-{n}", "stopped")
    assert len(runner.early_stops) == EARLY_STOPS_KEPT
    assert "run-0" not in runner.early_stops and f"run-{EARLY_STOPS_KEPT + 9}" in runner.early_stops

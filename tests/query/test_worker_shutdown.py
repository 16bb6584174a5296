"""The job runner's side of a graceful stop (SIGTERM): what arrives while stopping goes back
untouched, and a job handed back after the grace leaves the runner idle and its stream open
for the worker that takes it next. The whole process: tests/e2e/test_worker_sigterm.py."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
import redis.asyncio as aioredis

from atlas_common.bus import Delivery
from atlas_common.messages import QueryRequested
from atlas_common.principal import ANONYMOUS
from atlas_query.answer.context import AnswerContext
from atlas_query.worker.jobs import JobRunner, Shutdown
from atlas_query.worker.settings import WorkerSettings
from tests.support.isolation import Isolation
from tests.support.polling import eventually

DELIVERY = Delivery(attempt=1, redelivered=False, routing_key="query.requested", headers={})


class EndlessAnswerer:
    started = 0

    async def answer(self, ctx: AnswerContext) -> None:
        self.started += 1
        await asyncio.sleep(60)


async def _no_sql(sql: str, job: QueryRequested) -> dict[str, object]:  # never called
    raise AssertionError(sql)


def _job() -> QueryRequested:
    return QueryRequested(request_id=uuid.uuid4().hex, question="q", principal=ANONYMOUS,
                          deadline=time.time() + 60)


async def test_a_delivery_while_stopping_goes_back_untouched() -> None:
    answerer = EndlessAnswerer()
    runner = JobRunner(WorkerSettings(), None, answerer, _no_sql)  # type: ignore[arg-type]
    runner.stopping = True
    with pytest.raises(Shutdown):  # Redis is never touched: the runner has none here
        await runner.handle(_job(), DELIVERY)
    assert answerer.started == 0 and not runner.in_hand and runner.idle.is_set()


async def test_a_job_handed_back_leaves_the_runner_idle_and_its_stream_open(
    isolation: Isolation,
) -> None:
    redis = aioredis.Redis.from_url(isolation.redis_url)
    prefix = f"{isolation.redis_prefix}shutdown:"
    answerer = EndlessAnswerer()
    runner = JobRunner(WorkerSettings(ATLAS_REDIS_PREFIX=prefix), redis, answerer, _no_sql)
    job = _job()
    try:
        handling = asyncio.create_task(runner.handle(job, DELIVERY))
        await eventually(lambda: answerer.started == 1, timeout=10)
        assert runner.in_hand == {job.request_id} and not runner.idle.is_set()
        runner.hand_back()
        with pytest.raises(Shutdown):  # the bus wrapper nacks it with requeue
            await asyncio.wait_for(handling, timeout=10)
        assert not runner.in_hand and runner.idle.is_set() and runner.stopping
        # no end written: the next worker's delivery answers it (precheck says not ended)
        ended, cancelled = await runner.writer(job, 2).precheck()
        assert (ended, cancelled) == (False, False)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()

"""A private scheduler stack for the session: one query worker, two scheduler replicas.

Real processes on a database, vhost and Redis prefix of their own (another stack's scheduler
on the run's database would relay this one's outbox onto its own vhost). Replicas tick every
0.2 s and hold a run's lease 2 s, so a take-over is seen in seconds. A webhook receiver
(in-process, on the session's loop) takes deliveries.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.scheduler.delivery.receivers import HttpReceiver
from tests.support.inprocess import serve
from tests.support.isolation import (
    Isolation,
    create_database,
    create_vhost,
    delete_redis_prefix,
    delete_vhost,
    drop_database,
)
from tests.support.stack import Proc, Stack, wait_for_workers

WEBHOOK_SECRET = "whsec-scheduler-" + "s" * 24
QUESTION = "How many users signed up last week?"
UNANSWERABLE = "Why is the sky blue?"
EVERY_2S = "*/2 * * * * *"
REPLICA_ENV = {
    "ATLAS_SCHEDULER_TICK_S": "0.2",
    "ATLAS_SCHEDULER_LEASE_S": "2",
    "ATLAS_SCHEDULER_RUN_DEADLINE_S": "20",
    "ATLAS_SCHEDULER_ALLOW_PRIVATE_WEBHOOKS": "true",
    "ATLAS_SCHEDULER_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "ATLAS_SCHEDULER_DELIVERY_ATTEMPTS": "3",
    "ATLAS_SCHEDULER_DELIVERY_BACKOFF_BASE_S": "0.1",
    "ATLAS_LOG_LEVEL": "DEBUG",
}


@dataclass
class SchedulerStack:
    stack: Stack
    isolation: Isolation
    replicas: dict[str, str]  # name -> internal URL

    def proc(self, name: str) -> Proc:
        return next(p for p in self.stack.procs if p.name == name)

    def start_replica(self, name: str) -> str:
        url = self.stack.start_scheduler(name, REPLICA_ENV)
        self.replicas[name] = url
        return url


@pytest.fixture(scope="session")
def sched(isolation: Isolation, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[SchedulerStack]:
    name = f"{isolation.name}_sched"
    iso = dataclasses.replace(isolation, run_id=f"{isolation.run_id}s",
                              rabbitmq_url=create_vhost(name),
                              database_url=create_database(name))
    directory = tmp_path_factory.mktemp("scheduler")
    env = {**iso.env(), "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
           "ATLAS_LOG_JSON": "true", "ATLAS_STREAM_GRACE_S": "0.5"}
    stack = Stack(env, directory)
    s = SchedulerStack(stack, iso, {})
    try:
        with stack.together():
            stack.start("atlas-query-worker", "worker", {"ATLAS_LOG_LEVEL": "DEBUG",
                                                         "ATLAS_WORKER_TOKEN_DELAY_MS": "20"})
            s.start_replica("scheduler-a")
            s.start_replica("scheduler-b")
            gateway = stack.start_gateway()  # only to read that the worker consumes
        wait_for_workers(gateway, 1)
        yield s
    finally:
        stack.stop_all()
        delete_vhost(name)
        drop_database(name)
        delete_redis_prefix(iso.redis_prefix)


@pytest_asyncio.fixture(scope="session")
async def db(sched: SchedulerStack) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(sched.isolation.database_url, min_size=1, max_size=2)
    assert pool is not None
    yield pool
    await pool.close()


@pytest_asyncio.fixture(scope="session")
async def receiver() -> AsyncIterator[tuple[HttpReceiver, str]]:
    hooks = HttpReceiver()
    async with serve(hooks.app()) as url:
        yield hooks, url


def principal(user: str, role: str = "analyst", workspace: str = "w1",
              **claims: Any) -> Principal:
    return Principal(user_id=user, workspace_id=workspace, role=role,  # type: ignore[arg-type]
                     claims=claims)


def as_user(who: Principal) -> dict[str, str]:
    return internal_headers(DEV_INTERNAL_TOKEN, who)


def task_body(**overrides: Any) -> dict[str, Any]:
    body = {"name": f"report {uuid.uuid4().hex[:6]}", "question": QUESTION,
            "cronExpression": "0 9 * * *", "deliveryChannel": "webhook", "recipients": []}
    return {**body, **overrides}


async def create(client: httpx.AsyncClient, url: str, who: Principal,
                 **overrides: Any) -> dict[str, Any]:
    r = await client.post(url + "/api/v1/scheduled-tasks", json=task_body(**overrides),
                          headers=as_user(who))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body

"""The scheduler service: ``create_app(settings)`` and the ``atlas-scheduler`` console script.

Serves ``/healthz`` and ``/api/v1/scheduled-tasks`` (relayed by the gateway with the verified
principal; every route but ``/healthz`` needs the internal token). At start it migrates schema
``scheduler``, relays its outbox (``query.requested``) to the bus and starts the loop: every
tick it fires due slots, follows their answers on the Redis stream and hands each successful
answer to delivery. Any number of replicas may run.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from atlas_common.bus import Bus
from atlas_common.db import create_pool, migrate
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.outbox import OutboxRelay
from atlas_common.redis_resilience import resilient_redis
from atlas_common.service import internal_app, run_service, set_state
from atlas_common.stream import StreamHub
from atlas_scheduler import repository, routes
from atlas_scheduler.delivery.dispatch import Delivery
from atlas_scheduler.deps import SchedulerState
from atlas_scheduler.loop import Scheduler
from atlas_scheduler.runner import Runner
from atlas_scheduler.service import TaskService
from atlas_scheduler.settings import SchedulerSettings

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("atlas_scheduler")


async def _open(settings: SchedulerSettings, stack: AsyncExitStack) -> SchedulerState:
    pool = await create_pool(settings.database_url, max_size=settings.pool_size(10))
    stack.push_async_callback(pool.close)
    await migrate(pool, repository.SCHEMA, MIGRATIONS)
    redis = resilient_redis(settings.redis_url)
    stack.push_async_callback(redis.aclose)
    hub = StreamHub(redis, settings.redis_prefix)
    await hub.start()
    stack.push_async_callback(hub.stop)
    bus = await Bus.connect(settings.rabbitmq_url, delivery_limit=settings.job_delivery_limit,
                            query_max_length=settings.query_queue_max_length)
    stack.push_async_callback(bus.close)
    entitlements = EntitlementsClient(EntitlementsSettings())
    stack.push_async_callback(entitlements.aclose)
    await entitlements.attach(bus)
    relay = OutboxRelay(pool, bus, repository.SCHEMA)
    await relay.start()
    stack.push_async_callback(relay.stop)
    delivery = Delivery(settings)
    stack.push_async_callback(delivery.aclose)
    runner = Runner(pool, hub, delivery)
    stack.push_async_callback(runner.stop)
    scheduler = Scheduler(settings, pool, runner, entitlements)
    scheduler.start()
    stack.push_async_callback(scheduler.stop)
    service = TaskService(settings, pool, runner, entitlements)
    return SchedulerState(settings, service, scheduler, entitlements)


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            set_state(app, await _open(settings, stack))
            log.info("scheduler ready")
            yield

    return internal_app("Atlas scheduler", settings.internal_token, lifespan, [routes.public])


def run() -> None:
    """Console script: a bad setting stops start-up with one line naming it (exit code 2)."""
    run_service("scheduler", SchedulerSettings, create_app)

"""The query worker process: wiring, consumers, cancel signals, heartbeat and graceful stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import asyncpg
from redis.exceptions import RedisError

from atlas_common.bus import BrokerUnavailable, Bus, names
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.messages import BusMessage, QueryRequested
from atlas_common.redis_resilience import resilient_redis
from atlas_common.stream import cancel_channel
from atlas_query.agent.router import build_answerer
from atlas_query.answer.context import Answerer
from atlas_query.answer.echo import EchoAnswerer
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.conversations.service import ConversationService
from atlas_query.db import open_query_db
from atlas_query.demo.provision import ensure_demo_database
from atlas_query.executors.base import Executor
from atlas_query.executors.factory import create_executor
from atlas_query.guard.guard import SqlGuard
from atlas_query.semantic import SemanticLayer
from atlas_query.semantic.loader import load_semantic_layer
from atlas_query.worker.dead_letters import DeadLetterHandler
from atlas_query.worker.heartbeat import Heartbeat
from atlas_query.worker.jobs import JobRunner
from atlas_query.worker.settings import WorkerSettings
from atlas_query.worker.sql_runner import GuardedSqlRunner

log = logging.getLogger(__name__)

#: After the grace, how long handed-back jobs get to stop and be nacked before the close.
HAND_BACK_S = 3.0
#: A step of the stop (a consumer cancel, a close) waits at most this long: with the broker
#: gone, a robust channel would otherwise wait for a reconnection that never comes.
CLOSE_STEP_S = 3.0


class QueryWorker:
    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        # longer Redis outages are the stream writer's to ride out (ATLAS_STREAM_WRITE_RETRY_S)
        self.redis = resilient_redis(settings.redis_url)
        self.bus: Bus | None = None
        self.executor: Executor | None = None
        self.db: asyncpg.Pool | None = None
        # The llm-tokens gate; without ATLAS_PLANS_FILE it allows locally and calls nothing.
        self.entitlements = EntitlementsClient(EntitlementsSettings())
        self.runner: JobRunner | None = None
        self.heartbeat = Heartbeat(settings, self.redis)
        self._consumers: list[tuple[object, object, str]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        s = self.settings
        # Beating from the start: a slow start-up is not a frozen worker, and the gateway counts
        # a worker only once it both beats and consumes.
        self._tasks.append(asyncio.create_task(self.heartbeat.run()))
        if not s.datasource_url:
            await asyncio.to_thread(ensure_demo_database, s.demo_db_path)
        layer = await asyncio.to_thread(load_semantic_layer, s.semantic_root)
        self.executor = create_executor(s)
        guard = SqlGuard(layer, self.executor.dialect, s,
                         default_schema=self.executor.default_schema)
        self.db = await open_query_db(s.database_url, max_size=s.pool_size(4))
        self.runner = JobRunner(
            s,
            self.redis,
            self._answerer(layer),
            GuardedSqlRunner(guard, self.executor),
            conversations=ConversationService(ConversationRepository(self.db)),
            publish=self._publish,
        )
        dead = DeadLetterHandler(
            self.redis, s.redis_prefix, s.stream_replay_ttl_s, s.stream_replay_max,
            finished_ttl_s=s.stream_finished_ttl_s, write_retry_s=s.stream_write_retry_s,
            publish=self._publish,
        )
        # The AMQP heartbeat lets the broker requeue a frozen worker's jobs without a supervisor.
        self.bus = await Bus.connect(s.rabbitmq_url, delivery_limit=s.job_delivery_limit,
                                     query_max_length=s.query_queue_max_length,
                                     heartbeat=s.amqp_heartbeat_s)
        self._consumers.append(
            await self.bus.consume(names.QUERY_REQUESTED, self.runner.handle,
                                   message_type=QueryRequested, prefetch=s.concurrency)
        )
        self._consumers.append(
            await self.bus.consume(names.QUERY_REQUESTED_DEAD, dead.handle,
                                   message_type=QueryRequested, prefetch=16)
        )
        await self.entitlements.attach(self.bus)
        self._tasks.append(asyncio.create_task(self._watch_cancels()))
        log.info("query worker ready",
                 extra={"concurrency": s.concurrency, "worker_id": self.heartbeat.worker_id})

    def _answerer(self, layer: SemanticLayer) -> Answerer:
        s = self.settings
        if s.answerer == "echo":
            return EchoAnswerer()

        # The planner alone without a provider (pydantic-ai is then never loaded), else routed.
        assert self.executor is not None
        return build_answerer(
            s,
            layer,
            dialect=self.executor.dialect,
            mode=s.planner,
            timezone=s.timezone,
            row_limit=s.row_limit,
            publish=self._publish,
            entitlements=self.entitlements,
        )

    async def _publish(self, message: BusMessage) -> None:
        """An event on the bus: usage, the audit record (confirmed, persistent, traced)."""
        # The bus connects after the answerer is built; events come only once jobs flow.
        if self.bus is None:
            raise BrokerUnavailable("the worker is not connected to the broker")
        await self.bus.publish(message)

    async def drain(self) -> None:
        """SIGTERM: stop taking jobs at once, let the jobs in hand finish within the grace, hand
        back (requeue) the rest, close. Each step is bounded, a lost broker included."""
        runner = self.runner
        log.info("query worker stopping",
                 extra={"in_hand": len(runner.in_hand) if runner else 0,
                        "grace_s": self.settings.shutdown_grace_s})
        if runner is not None:
            runner.stopping = True  # what the broker sends before cancel-ok goes straight back
        # With the connection lost the broker has dropped the consumers already: nothing to
        # cancel (a robust channel would wait for a reconnection).
        if self.bus is not None and self.bus.is_connected:
            await asyncio.gather(*(
                _bounded(queue.cancel(tag), "cancel a consumer")  # type: ignore[attr-defined]
                for _channel, queue, tag in self._consumers
            ))
        if runner is not None and not await _idle(runner, self.settings.shutdown_grace_s):
            log.warning("grace over, handing jobs back", extra={"jobs": len(runner.in_hand)})
            runner.hand_back()
            await _idle(runner, HAND_BACK_S)
        await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await _bounded(self.heartbeat.stop(), "stop the heartbeat")
        # Closing the channels requeues every delivery still unacked (the broker's rule).
        if self.bus is not None:
            await _bounded(self.bus.close(), "close the broker connection")
        if self.executor is not None:
            await _bounded(self.executor.close(), "close the datasource")
        if self.db is not None:
            await _bounded(self.db.close(), "close the database pool")
        await _bounded(self.entitlements.aclose(), "close the entitlements client")
        await _bounded(self.redis.aclose(), "close Redis")

    async def _watch_cancels(self) -> None:
        """Stop signals from gateways: a request id on the cancel channel."""
        channel = cancel_channel(self.settings.redis_prefix)
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(channel)
                    async for message in pubsub.listen():
                        if message.get("type") == "message" and self.runner is not None:
                            request_id = message["data"].decode()
                            self.runner.cancel(request_id, "stopped")
            except (RedisError, OSError) as exc:
                log.warning("cancel watcher lost Redis: %r", exc)
                await asyncio.sleep(0.5)


async def _idle(runner: JobRunner, timeout: float) -> bool:
    """True once no job is in hand, False when ``timeout`` passed first."""
    try:
        await asyncio.wait_for(runner.idle.wait(), timeout)
    except TimeoutError:
        return False
    return True


async def _bounded(step: Awaitable[object], what: str) -> None:
    try:
        await asyncio.wait_for(step, CLOSE_STEP_S)
    except Exception as exc:  # stopping goes on, whatever one step does
        log.warning("stopping: could not %s: %r", what, exc)

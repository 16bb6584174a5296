"""Worker presence and /api/health from the background checks, on the real broker and Redis
(issue 27): a question reads a value (no broker call), a would-be refusal is confirmed by one
shared re-read, a broker that is slow is never reported as unreachable, one that is gone is at
once, and a publish that times out while connected is ``overloaded``."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from urllib.parse import urlsplit

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError

from atlas_common import workers
from atlas_common.bus import BrokerSlow, BrokerUnavailable, Bus, Delivery, names
from atlas_common.errors import Overloaded
from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal
from atlas_gateway.main import _open_state
from atlas_gateway.presence import NO_WORKER, UNREACHABLE
from atlas_gateway.runs import RunRegistry
from atlas_gateway.service.ask import AskService
from atlas_gateway.service.health import health_report
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.state import GatewayState
from tests.support.isolation import Isolation, create_vhost, delete_vhost
from tests.support.polling import eventually
from tests.support.tcp_proxy import TcpProxy, url_via

BURST = 300
#: Long: in these tests only the start-up read and what a test asks for read the broker.
INTERVAL_S = 10.0


@pytest.fixture
def broker(isolation: Isolation) -> Iterator[tuple[str, TcpProxy]]:
    """A vhost of its own and a proxy in front of the broker (to slow it down or cut it)."""
    vhost = f"{isolation.name}_presence_{uuid.uuid4().hex[:6]}"
    url = create_vhost(vhost)
    parts = urlsplit(url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672).start()
    try:
        yield url, proxy
    finally:
        proxy.close()
        delete_vhost(vhost)


@pytest.fixture
async def state(isolation: Isolation, broker: tuple[str, TcpProxy]) -> AsyncIterator[GatewayState]:
    url, proxy = broker
    settings = GatewaySettings(
        database_url=isolation.database_url,
        rabbitmq_url=url_via(url, proxy.port),
        redis_url=isolation.redis_url,
        redis_prefix=isolation.redis_prefix,
        worker_check_interval_s=INTERVAL_S,
        health_interval_s=INTERVAL_S,
    )
    async with AsyncExitStack() as stack:
        yield await _open_state(settings, stack)


@asynccontextmanager
async def a_worker(state: GatewayState, url: str) -> AsyncIterator[None]:
    """A worker as the gateway counts one: it consumes the job queue and beats."""

    async def ignore(_: QueryRequested, __: Delivery) -> None:
        return None

    bus = await Bus.connect(url, delivery_limit=state.settings.job_delivery_limit)
    wid = f"w-{uuid.uuid4().hex[:6]}"
    try:
        await bus.consume(names.QUERY_REQUESTED, ignore, message_type=QueryRequested, prefetch=1)
        await workers.beat(state.redis, state.settings.redis_prefix, wid, forget_s=60)
        yield
    finally:
        await bus.close()


async def test_questions_read_the_value_without_calling_the_broker(
    state: GatewayState, broker: tuple[str, TcpProxy]
) -> None:
    presence = state.presence.workers
    async with a_worker(state, broker[0]):
        await presence.refresh()
        reads = presence.reads
        verdicts = await asyncio.gather(*(state.presence.refusal() for _ in range(BURST)))
        assert verdicts == [None] * BURST
        assert presence.reads == reads  # not one passive declare for the burst


async def test_a_refusal_is_confirmed_by_one_shared_read(state: GatewayState) -> None:
    presence = state.presence.workers
    reads = presence.reads
    verdicts = await asyncio.gather(*(state.presence.refusal() for _ in range(BURST)))
    assert verdicts == [NO_WORKER] * BURST
    assert presence.reads - reads == 1  # single flight: one read for the whole burst


async def test_a_worker_that_just_started_is_seen_by_the_next_question(
    state: GatewayState, broker: tuple[str, TcpProxy]
) -> None:
    assert state.presence.workers.reading is not None  # read before serving: 0 workers
    assert state.presence.workers.reading.value.available == 0
    async with a_worker(state, broker[0]):
        assert await state.presence.refusal() is None  # not refused on the start-up reading


async def test_a_slow_broker_keeps_the_last_value_and_is_never_unreachable(
    state: GatewayState, broker: tuple[str, TcpProxy]
) -> None:
    presence = state.presence
    presence.read_timeout_s = 0.3
    async with a_worker(state, broker[0]):
        await presence.workers.refresh()
        broker[1].delay_s = 1.0  # every frame held 1 s: connected, but slower than the read
        try:
            await presence.workers.refresh()
            assert isinstance(presence.workers.error, BrokerSlow)
            assert state.bus.is_connected and not presence.broker_down()
            assert await presence.refusal() is None  # the last value: a worker
            body, status = health_report(state)
            assert status == 200 and body["checks"]["rabbitmq"]["status"] == "ok"
            assert body["checks"]["workers"]["available"] == 1
            presence.stale_s = 0.0  # past the stale bound: unknown, the question goes through
            assert await presence.refusal() is None
        finally:
            broker[1].delay_s = 0.0


async def test_a_publish_slow_while_connected_is_overloaded(
    state: GatewayState, broker: tuple[str, TcpProxy]
) -> None:
    job = QueryRequested(
        request_id=uuid.uuid4().hex,
        question="q",
        deadline=time.time() + 60,
        principal=Principal(user_id="u", role="analyst"),
    )
    broker[1].delay_s = 1.0
    try:
        with pytest.raises(BrokerSlow) as slow:
            await state.bus.publish(job, timeout=0.3)
    finally:
        broker[1].delay_s = 0.0
    assert state.bus.is_connected
    refusal = AskService(state, RunRegistry(state.redis, state.settings))._publish_refusal(
        slow.value
    )
    assert isinstance(refusal, Overloaded) and refusal.code == "overloaded"
    assert int(refusal.headers["Retry-After"]) >= 1


def _pool_wait_ran_out() -> RedisConnectionError:
    """What redis-py's blocking pool raises when its wait for a connection ends."""
    error = RedisConnectionError("No connection available.")
    error.__cause__ = TimeoutError()
    return error


#: What a failure while queueing a question is answered (503 with this code).
PUBLISH_FAILURES: list[tuple[Exception, str]] = [
    (MaxConnectionsError("Too many connections"), "overloaded"),  # the Redis pool, in a burst
    (_pool_wait_ran_out(), "overloaded"),  # the same, after waiting for a connection
    (TimeoutError(), "overloaded"),  # the stream's subscription confirmed too late
    (RedisConnectionError("refused"), "unavailable"),
    (BrokerUnavailable("not connected to the broker"), "unavailable"),
]


async def test_load_is_overloaded_and_a_lost_connection_unavailable(state: GatewayState) -> None:
    service = AskService(state, RunRegistry(state.redis, state.settings))
    for error, code in PUBLISH_FAILURES:
        refusal = service._publish_refusal(error)
        assert refusal is not None and (refusal.status_code, refusal.code) == (503, code), error


async def test_a_broker_gone_is_unreachable_at_once(
    state: GatewayState, broker: tuple[str, TcpProxy]
) -> None:
    async with a_worker(state, broker[0]):
        await state.presence.workers.refresh()
        assert await state.presence.refusal() is None
        cut_at = time.monotonic()
        broker[1].cut()
        await eventually(
            lambda: _refused_unreachable(state), timeout=5, what="unreachable after the cut"
        )
        assert time.monotonic() - cut_at < 2.0
        body, status = health_report(state)
        assert status == 503 and body["checks"]["rabbitmq"]["message"] == UNREACHABLE


async def test_health_is_served_from_memory_with_ages(state: GatewayState) -> None:
    health, presence = state.health, state.presence.workers
    reads = (health.reads, presence.reads)
    for _ in range(1000):
        body, status = health_report(state)
    assert (health.reads, presence.reads) == reads  # a flood of calls: no I/O
    assert status == 200 and body["status"] == "degraded"  # no worker in this vhost
    for name in ("rabbitmq", "redis", "internalDb", "workers", "auth"):
        assert 0 <= body["checks"][name]["ageS"] < INTERVAL_S, (name, body["checks"][name])
    assert body["checks"]["redis"]["status"] == "ok" and "latencyMs" in body["checks"]["redis"]


async def _refused_unreachable(state: GatewayState) -> bool:
    return await state.presence.refusal() == UNREACHABLE

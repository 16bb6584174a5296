"""The stream writer through a Redis outage, on a private redis-server (never the shared one).

Redis stops mid-answer and comes back with its data: the writes made meanwhile are retried
and land once each, in order, numbered without a gap. Past the bound the error surfaces. Back
without its data, the writer refuses to go on (the rest would hide the loss). A write whose
reply was lost is not applied twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis as sync_redis
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from atlas_common.stream import StreamStoreLost, StreamWriter
from atlas_common.stream_events import TextDeltaEvent, parse_event
from tests.support.polling import eventually
from tests.support.redis_server import PrivateRedis

PREFIX = "outage-test:"


@pytest.fixture
async def client(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    redis = Redis.from_url(private_redis.url)
    yield redis
    await redis.aclose()


def _writer(redis: Redis, retry_s: float) -> StreamWriter:
    return StreamWriter(redis, PREFIX, uuid.uuid4().hex, 1, ttl_s=600, max_events=1000,
                        write_retry_s=retry_s)


def _delta(i: int) -> TextDeltaEvent:
    return TextDeltaEvent(part_id="t", delta=str(i))


async def _stop_keeping_data(server: PrivateRedis) -> None:
    """A clean stop: Redis saves its data set on the way down (it loads it back at start)."""
    def stop() -> None:
        # No retry: redis-py would otherwise retry SHUTDOWN's closed connection for seconds.
        sync_redis.Redis(port=server.port, retry=Retry(NoBackoff(), 0)).shutdown(save=True)
        server.stop()
    await asyncio.to_thread(stop)


async def _buffered(redis: Redis, writer: StreamWriter) -> list[tuple[int, str]]:
    events = [parse_event(raw) for raw in await redis.lrange(writer.keys.buffer, 0, -1)]
    return [(e.seq, e.delta) for e in events if isinstance(e, TextDeltaEvent)]


async def test_writes_ride_out_a_restart_in_order_exactly_once(
    client: Redis, private_redis: PrivateRedis
) -> None:
    writer = _writer(client, retry_s=30)
    for i in range(5):
        await writer.emit(_delta(i))
    await _stop_keeping_data(private_redis)

    async def rest() -> None:
        for i in range(5, 20):
            await writer.emit(_delta(i))

    task = asyncio.create_task(rest())
    # The writer is retrying against a Redis that is down (nothing could have landed).
    await eventually(lambda: writer._writes == 6, timeout=10, what="the sixth write tried")
    assert not task.done()
    await asyncio.to_thread(private_redis.start)
    await asyncio.wait_for(task, 60)
    assert await _buffered(client, writer) == [(i + 1, str(i)) for i in range(20)]
    assert await client.get(writer.keys.seq) == b"20"


async def test_past_the_bound_the_error_surfaces(
    client: Redis, private_redis: PrivateRedis
) -> None:
    writer = _writer(client, retry_s=0.3)
    await writer.emit(_delta(0))
    await _stop_keeping_data(private_redis)
    try:
        with pytest.raises(RedisConnectionError):
            await writer.emit(_delta(1))
    finally:
        await asyncio.to_thread(private_redis.start)
    assert await _buffered(client, writer) == [(1, "0")]


async def test_a_writer_does_not_go_on_in_a_stream_redis_lost(
    client: Redis, private_redis: PrivateRedis
) -> None:
    writer = _writer(client, retry_s=30)
    await writer.emit(_delta(0))
    await writer.emit(_delta(1))
    await asyncio.to_thread(private_redis.restart)  # killed: back without its data
    with pytest.raises(StreamStoreLost):
        await writer.emit(_delta(2))
    assert await client.exists(writer.keys.buffer) == 0, "nothing written after the loss"


async def test_a_write_retried_after_its_reply_was_lost_is_applied_once(client: Redis) -> None:
    writer = _writer(client, retry_s=0)
    body = _delta(0).model_dump_json(exclude={"seq"})
    first = await writer._append(body, 1, terminal=False)  # Redis ran it; say the reply was lost
    again = await writer._append(body, 1, terminal=False)  # the retry of that same write
    assert (first, again) == (1, 1)
    assert await _buffered(client, writer) == [(1, "0")]
    writer._writes, writer._last_seq = 1, first
    assert await writer.emit(_delta(1)) == 2  # the next write is numbered right after it

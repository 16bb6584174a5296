"""A gateway listener through a Redis restart (private redis-server): kept data goes on, lost
data is one explicit stream_lost, even when a new attempt has begun a fresh stream."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis as sync_redis
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from atlas_common.redis_resilience import reconnecting_retry
from atlas_common.stream import HEARTBEAT, StreamHub, StreamWriter
from atlas_common.stream_events import DoneEvent, StreamEvent, TextDeltaEvent
from tests.support.redis_server import PrivateRedis

PREFIX = "reconnect-test:"


@pytest.fixture
async def client(private_redis: PrivateRedis) -> AsyncIterator[Redis]:
    redis = Redis.from_url(private_redis.url, retry=reconnecting_retry())
    yield redis
    await redis.aclose()


@pytest.fixture
async def hub(client: Redis) -> AsyncIterator[StreamHub]:
    h = StreamHub(client, PREFIX)
    await h.start()
    yield h
    await h.stop()


def _writer(redis: Redis, rid: str, attempt: int) -> StreamWriter:
    return StreamWriter(redis, PREFIX, rid, attempt, ttl_s=600, max_events=1000,
                        write_retry_s=30)


def _delta(i: int) -> TextDeltaEvent:
    return TextDeltaEvent(part_id="t", delta=str(i))


def _restart(server: PrivateRedis, *, keep: bool) -> None:
    if keep:
        sync_redis.Redis(port=server.port, retry=Retry(NoBackoff(), 0)).shutdown(save=True)
    server.restart()


async def _follow(hub: StreamHub, rid: str, started: asyncio.Event) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    async with hub.listen(rid) as listener:
        async for e in listener.events(deadline=time.time() + 30, idle_s=0.2):
            if e is HEARTBEAT:
                continue
            assert not isinstance(e, type(HEARTBEAT))
            events.append(e)
            if len(events) == 2:
                started.set()
    return events


async def test_a_restart_that_kept_the_data_goes_on(
    client: Redis, hub: StreamHub, private_redis: PrivateRedis
) -> None:
    rid = uuid.uuid4().hex
    writer, started = _writer(client, rid, 1), asyncio.Event()
    reader = asyncio.create_task(_follow(hub, rid, started))
    await asyncio.sleep(0)  # let the reader subscribe before the first write
    await writer.emit(_delta(0))
    await writer.emit(_delta(1))
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.to_thread(_restart, private_redis, keep=True)
    for i in range(2, 6):
        await writer.emit(_delta(i))
    await writer.emit(DoneEvent())
    events = await asyncio.wait_for(reader, 30)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6, 7]
    assert events[-1].type == "done"


async def test_a_restart_without_the_data_is_stream_lost_despite_a_fresh_stream(
    client: Redis, hub: StreamHub, private_redis: PrivateRedis
) -> None:
    rid = uuid.uuid4().hex
    started = asyncio.Event()
    reader = asyncio.create_task(_follow(hub, rid, started))
    await asyncio.sleep(0)
    old = _writer(client, rid, 1)
    for i in range(4):
        await old.emit(_delta(i))
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.to_thread(_restart, private_redis, keep=False)
    new = _writer(client, rid, 2)  # the redelivered job starts a stream numbered from 1 again
    for i in range(6):
        await new.emit(_delta(i))
    await new.emit(DoneEvent())
    events = await asyncio.wait_for(reader, 30)
    assert events[-1].type == "error" and events[-1].code == "stream_lost", events
    assert all(e.attempt == 1 for e in events[:-1]), "events of the fresh stream after a gap"

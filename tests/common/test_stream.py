"""The stream on the real Redis: fencing, contiguous seqs, replay, and loss made explicit."""

from __future__ import annotations

import time
import uuid

import pytest
from redis.asyncio import Redis

from atlas_common.stream import HEARTBEAT, StreamClosed, StreamHub, StreamWriter
from atlas_common.stream_events import DoneEvent, StatusEvent, TextDeltaEvent
from tests.support.isolation import Isolation


def writer(
    redis: Redis, prefix: str, rid: str, attempt: int = 1, max_events: int = 100
) -> StreamWriter:
    return StreamWriter(redis, prefix, rid, attempt, ttl_s=60, max_events=max_events)


async def collect(hub: StreamHub, rid: str, after: int = 0) -> list:  # type: ignore[type-arg]
    async with hub.listen(rid) as listener:
        return [
            e async for e in listener.events(after, deadline=time.time() + 5) if e is not HEARTBEAT
        ]


async def test_lower_attempts_are_fenced_and_nothing_follows_the_end(
    redis: Redis, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    old, new = (
        writer(redis, isolation.redis_prefix, rid, 1),
        writer(redis, isolation.redis_prefix, rid, 2),
    )
    assert await old.emit(StatusEvent(message="a")) == 1
    assert await new.emit(StatusEvent(message="b")) == 2
    with pytest.raises(StreamClosed, match="fenced"):
        await old.emit(StatusEvent(message="late"))
    assert await new.emit(DoneEvent()) == 3
    with pytest.raises(StreamClosed, match="ended"):
        await new.emit(StatusEvent(message="after the end"))


async def test_listener_gets_live_events_in_order_and_stops_at_done(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    w = writer(redis, isolation.redis_prefix, rid)
    async with hub.listen(rid) as listener:
        for i in range(5):
            await w.emit(TextDeltaEvent(part_id="t", delta=str(i)))
        await w.emit(DoneEvent())
        events = [e async for e in listener.events(deadline=time.time() + 5)]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1].type == "done"


async def test_resume_replays_from_the_buffer_with_the_previous_event(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    w = writer(redis, isolation.redis_prefix, rid)
    for i in range(4):
        await w.emit(TextDeltaEvent(part_id="t", delta=str(i)))
    await w.emit(DoneEvent())
    async with hub.listen(rid) as listener:
        events = [e async for e in listener.events(2, deadline=time.time() + 5)]
        assert listener.previous is not None and listener.previous.seq == 2
    assert [e.seq for e in events] == [3, 4, 5]


async def test_events_trimmed_from_the_buffer_end_in_stream_lost(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    w = writer(redis, isolation.redis_prefix, rid, max_events=3)
    for i in range(6):
        await w.emit(TextDeltaEvent(part_id="t", delta=str(i)))
    events = await collect(hub, rid, after=1)
    assert [e.type for e in events] == ["error"]
    assert events[0].code == "stream_lost"


async def test_a_lost_pubsub_message_is_refilled_from_the_buffer(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    w = writer(redis, isolation.redis_prefix, rid)
    async with hub.listen(rid) as listener:
        await w.emit(StatusEvent(message="one"))
        # Simulate a message the channel dropped: buffer it without publishing.
        await redis.rpush(w.keys.buffer, '{"seq":2,"type":"status","message":"two","attempt":1}')
        await redis.set(w.keys.seq, 2)
        await w.emit(DoneEvent())
        events = [e async for e in listener.events(deadline=time.time() + 5)]
    assert [e.seq for e in events] == [1, 2, 3]


async def test_deadline_ends_a_silent_stream_with_timeout(hub: StreamHub) -> None:
    async with hub.listen(uuid.uuid4().hex) as listener:
        events = [e async for e in listener.events(deadline=time.time() + 0.3, idle_s=0.1)]
    assert events[-1].type == "error" and events[-1].code == "timeout"
    assert HEARTBEAT in events

"""Several events in one stream write (``emit_many``) on the real Redis: each keeps its own seq,
buffer entry and published message; fencing, the end of the stream and a retried write hold for
the whole batch; a job's pre-checks read both flags in one call."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from atlas_common.stream import StreamClosed, StreamWriter
from atlas_common.stream_events import (
    DoneEvent,
    StatusEvent,
    StreamEvent,
    TextDeltaEvent,
    parse_event,
)
from tests.support.isolation import Isolation
from tests.support.polling import eventually


def _writer(redis: Redis, prefix: str, rid: str, attempt: int = 1) -> StreamWriter:
    return StreamWriter(redis, prefix, rid, attempt, ttl_s=60, max_events=100)


def _deltas(n: int) -> list[StreamEvent]:
    return [TextDeltaEvent(part_id="t", delta=str(i)) for i in range(n)]


async def _buffer(redis: Redis, w: StreamWriter) -> list[StreamEvent]:
    return [parse_event(raw) for raw in await redis.lrange(w.keys.buffer, 0, -1)]


async def test_a_batch_is_numbered_in_order_and_published_one_message_per_event(
    redis: Redis, isolation: Isolation
) -> None:
    w = _writer(redis, isolation.redis_prefix, uuid.uuid4().hex)
    pubsub = redis.pubsub()
    await pubsub.subscribe(w.keys.channel)
    received: list[StreamEvent] = []

    async def all_published() -> bool:
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
        if message is not None:
            received.append(parse_event(message["data"]))
        return len(received) == 6

    try:
        assert await w.emit(StatusEvent(message="first")) == 1
        assert await w.emit_many([*_deltas(4), DoneEvent()]) == [2, 3, 4, 5, 6]
        await eventually(all_published, timeout=10)
    finally:
        await pubsub.aclose()
    buffered = await _buffer(redis, w)
    assert [e.seq for e in buffered] == [1, 2, 3, 4, 5, 6]
    assert [e.seq for e in received] == [1, 2, 3, 4, 5, 6]
    assert [e.delta for e in buffered if isinstance(e, TextDeltaEvent)] == ["0", "1", "2", "3"]
    assert all(e.attempt == 1 for e in buffered)
    with pytest.raises(StreamClosed):  # the batch's last event ended the stream
        await w.emit(StatusEvent(message="after the end"))


async def test_a_fenced_or_ended_stream_refuses_the_whole_batch(
    redis: Redis, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    old, new = (_writer(redis, isolation.redis_prefix, rid, a) for a in (1, 2))
    await new.emit(StatusEvent(message="new attempt"))
    with pytest.raises(StreamClosed, match="fenced"):
        await old.emit_many(_deltas(3))
    await new.emit_many([*_deltas(2), DoneEvent()])
    with pytest.raises(StreamClosed, match="ended"):
        await new.emit_many(_deltas(2))
    assert [e.seq for e in await _buffer(redis, new)] == [1, 2, 3, 4]


async def test_only_the_last_event_of_a_batch_may_end_the_stream(
    redis: Redis, isolation: Isolation
) -> None:
    w = _writer(redis, isolation.redis_prefix, uuid.uuid4().hex)
    with pytest.raises(ValueError, match="last event"):
        await w.emit_many([DoneEvent(), *_deltas(1)])
    assert await w.emit_many([]) == []
    assert await redis.exists(w.keys.buffer) == 0


async def test_a_retried_batch_is_applied_once(redis: Redis, isolation: Isolation) -> None:
    w = _writer(redis, isolation.redis_prefix, uuid.uuid4().hex)
    bodies = [e.model_dump_json(exclude={"seq"}) for e in _deltas(3)]
    first = await w._append_many(bodies, 1, terminal=False)  # Redis ran it; the reply was lost
    again = await w._append_many(bodies, 1, terminal=False)  # the retry of that same write
    assert (first, again) == (3, 3)
    assert [e.seq for e in await _buffer(redis, w)] == [1, 2, 3]


async def test_precheck_reads_the_end_and_the_cancel_flag(
    redis: Redis, isolation: Isolation
) -> None:
    w = _writer(redis, isolation.redis_prefix, uuid.uuid4().hex)
    assert await w.precheck() == (False, False)
    await redis.set(w.keys.cancel, "1", ex=60)
    assert await w.precheck() == (False, True)
    await w.emit(DoneEvent())
    assert await w.precheck() == (True, True)

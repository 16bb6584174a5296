"""A burst of new streams: the hub subscribes their channels in a few batched SUBSCRIBEs, each
listener goes on only once Redis confirmed its channel, and a listener gone before its
SUBSCRIBE went out leaves nothing subscribed (issue 27)."""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import AsyncExitStack
from typing import Any

import pytest
from redis.asyncio import Redis

from atlas_common.stream import Heartbeat, Listener, StreamHub, StreamKeys, StreamWriter
from atlas_common.stream.listener import MAILBOX_LIMIT, RESYNC
from atlas_common.stream_events import DoneEvent, StatusEvent
from tests.support.isolation import Isolation
from tests.support.polling import eventually

BURST = 300


def count_subscribes(hub: StreamHub) -> list[int]:
    """The number of channels of each SUBSCRIBE the hub sends from now on."""
    sent: list[int] = []
    pubsub = hub._pubsub
    assert pubsub is not None
    original = pubsub.subscribe

    async def subscribe(*channels: Any) -> Any:
        sent.append(len(channels))
        return await original(*channels)

    pubsub.subscribe = subscribe  # type: ignore[method-assign]
    return sent


async def numsub(redis: Redis, channels: list[str]) -> list[int]:
    return [int(n) for _, n in await redis.pubsub_numsub(*channels)]


async def test_a_burst_is_subscribed_in_a_few_batches_and_every_listener_hears(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    sent = count_subscribes(hub)
    ids = [uuid.uuid4().hex for _ in range(BURST)]
    async with AsyncExitStack() as stack:
        listeners: list[Listener] = list(
            await asyncio.gather(*(stack.enter_async_context(hub.listen(i)) for i in ids))
        )
        channels = [StreamKeys(isolation.redis_prefix, i).channel for i in ids]
        assert await numsub(redis, channels) == [1] * BURST  # confirmed before listen returned
        assert sum(sent) == BURST and len(sent) < BURST / 10, sent
        for i in ids[:: BURST // 10]:
            writer = StreamWriter(redis, isolation.redis_prefix, i, 1, ttl_s=60, max_events=10)
            await writer.emit(DoneEvent())
        for listener in listeners[:: BURST // 10]:
            events = [
                e
                async for e in listener.events(deadline=time.time() + 10)
                if not isinstance(e, Heartbeat)
            ]
            assert [e.type for e in events] == ["done"]
    await eventually(
        lambda: _none_left(redis, channels), timeout=10, what="every channel let go of"
    )


async def test_a_listener_gone_before_its_subscribe_went_out_leaves_nothing(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    channel = StreamKeys(isolation.redis_prefix, rid).channel

    async def join() -> None:
        async with hub.listen(rid):
            pytest.fail("joined while the hub could not send")

    async with hub._subscribe_lock:  # the hub's task is held: nothing is sent
        task = asyncio.create_task(join())
        await eventually(lambda: _is_pending(hub, channel), what="the join queued")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert channel not in hub._to_subscribe and channel not in hub._queues
    await eventually(lambda: _none_left(redis, [channel]), timeout=10, what="nothing subscribed")


async def test_a_listener_that_waits_too_long_leaves_with_a_timeout(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    async with hub._subscribe_lock:
        with pytest.raises(TimeoutError):
            async with hub.listen(rid, timeout=0.2):
                pytest.fail("joined while the hub could not send")
    channel = StreamKeys(isolation.redis_prefix, rid).channel
    assert channel not in hub._queues and channel not in hub._confirmations
    await eventually(lambda: _none_left(redis, [channel]), timeout=10, what="nothing subscribed")


async def _is_pending(hub: StreamHub, channel: str) -> bool:
    return channel in hub._to_subscribe


async def _none_left(redis: Redis, channels: list[str]) -> bool:
    return set(await numsub(redis, channels)) == {0}


async def test_a_listener_that_falls_behind_is_bounded_and_loses_nothing(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    """More events than a listener may hold while it does not read: what it held is dropped
    for one refill from the replay buffer, and it still reads every event once, in order."""
    rid = uuid.uuid4().hex
    count = MAILBOX_LIMIT + 50
    async with hub.listen(rid) as listener:
        writer = StreamWriter(redis, isolation.redis_prefix, rid, 1, ttl_s=60, max_events=1000)
        await writer.emit_many([StatusEvent(message=f"step {i}") for i in range(count)])
        await writer.emit(DoneEvent())
        mailbox = next(iter(hub._queues[StreamKeys(isolation.redis_prefix, rid).channel]))
        await eventually(lambda: mailbox._items[:1] == [RESYNC], what="the mailbox overflowed")
        assert len(mailbox._items) <= MAILBOX_LIMIT
        events = [
            e
            async for e in listener.events(deadline=time.time() + 10)
            if not isinstance(e, Heartbeat)
        ]
    assert [e.seq for e in events] == list(range(1, count + 2))
    assert events[-1].type == "done"

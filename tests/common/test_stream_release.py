"""The hub lets go of a channel when its last listener leaves, even when the leaving is
cancelled (a client hung up: Starlette cancels the stream's task group, and every await in
its ``finally`` is cancelled again), and a channel wanted again at once stays subscribed."""

from __future__ import annotations

import time
import uuid

import anyio
from redis.asyncio import Redis

from atlas_common.stream import Heartbeat, StreamHub, StreamKeys, StreamWriter
from atlas_common.stream_events import DoneEvent, StatusEvent
from tests.support.isolation import Isolation
from tests.support.polling import eventually


async def subscribers(redis: Redis, channel: str) -> int:
    counts = await redis.pubsub_numsub(channel)
    return int(counts[0][1])


async def test_a_listener_cancelled_as_it_leaves_still_lets_go(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    channel = StreamKeys(isolation.redis_prefix, rid).channel
    with anyio.CancelScope() as scope:
        async with hub.listen(rid):
            assert await subscribers(redis, channel) == 1
            # Another stream subscribing holds the hub's lock as this one's client leaves.
            await hub._subscribe_lock.acquire()
            scope.cancel()
            await anyio.sleep(1)  # cancelled here; the exit runs in the cancelled scope
    assert scope.cancelled_caught
    hub._subscribe_lock.release()
    await eventually(lambda: _none(redis, channel), timeout=10, what="the channel let go of")
    assert await hub.listener_count(rid) == 0


async def test_a_channel_wanted_again_at_once_stays_subscribed(
    redis: Redis, hub: StreamHub, isolation: Isolation
) -> None:
    rid = uuid.uuid4().hex
    channel = StreamKeys(isolation.redis_prefix, rid).channel
    async with hub.listen(rid):
        pass
    async with hub.listen(rid) as listener:  # before the hub's UNSUBSCRIBE went out
        async with hub._subscribe_lock:  # queued behind the reaper: it has had its turn
            pass
        assert await subscribers(redis, channel) == 1
        w = StreamWriter(redis, isolation.redis_prefix, rid, 1, ttl_s=60, max_events=100)
        await w.emit(StatusEvent(message="still here"))
        await w.emit(DoneEvent())
        events = [e async for e in listener.events(deadline=time.time() + 5)
                  if not isinstance(e, Heartbeat)]
    assert [e.type for e in events] == ["status", "done"]
    await eventually(lambda: _none(redis, channel), timeout=10, what="the channel let go of")


async def _none(redis: Redis, channel: str) -> bool:
    return await subscribers(redis, channel) == 0

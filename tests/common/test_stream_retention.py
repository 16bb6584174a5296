"""Retention of a run's Redis keys: the replay TTL while it runs, the shorter finished TTL once
its terminal event is written (the gateway's run owner and a cancel flag included)."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from atlas_common.stream import StreamKeys, StreamWriter
from atlas_common.stream_events import DoneEvent, ErrorEvent, TextDeltaEvent
from tests.support.isolation import Isolation

REPLAY_TTL_S = 600
FINISHED_TTL_S = 30


async def _ttls(redis: Redis, keys: StreamKeys) -> dict[str, int]:
    names = [keys.seq, keys.attempt, keys.buffer, keys.terminal, keys.cancel, keys.owner]
    return {name.rsplit(":", 1)[1]: await redis.ttl(name) for name in names}


async def _run(redis: Redis, prefix: str) -> tuple[StreamKeys, StreamWriter]:
    rid = f"req-{uuid.uuid4().hex}"
    writer = StreamWriter(redis, prefix, rid, 1, ttl_s=REPLAY_TTL_S, max_events=100,
                          finished_ttl_s=FINISHED_TTL_S)
    keys = writer.keys
    await redis.set(keys.owner, "ws/user", ex=REPLAY_TTL_S)  # as the gateway registers it
    await redis.set(keys.cancel, "1", ex=REPLAY_TTL_S)  # a stop that came too late
    await writer.emit(TextDeltaEvent(part_id="t", delta="hello "))
    return keys, writer


@pytest.mark.parametrize("terminal", [DoneEvent(), ErrorEvent(code="timeout", message="late")])
async def test_a_finished_run_keeps_its_keys_for_the_finished_ttl_only(
    redis: Redis, isolation: Isolation, terminal: DoneEvent | ErrorEvent
) -> None:
    keys, writer = await _run(redis, isolation.redis_prefix)
    running = await _ttls(redis, keys)
    assert running.pop("terminal") == -2, "no terminal key while it runs"
    assert all(FINISHED_TTL_S < ttl <= REPLAY_TTL_S for ttl in running.values()), running
    await writer.emit(terminal)
    finished = await _ttls(redis, keys)
    assert all(0 < ttl <= FINISHED_TTL_S for ttl in finished.values()), finished


async def test_the_finished_ttl_never_exceeds_the_replay_ttl(
    redis: Redis, isolation: Isolation
) -> None:
    writer = StreamWriter(redis, isolation.redis_prefix, f"req-{uuid.uuid4().hex}", 1, ttl_s=20,
                          max_events=100, finished_ttl_s=3600)
    await writer.emit(DoneEvent())
    assert 0 < await redis.ttl(writer.keys.buffer) <= 20

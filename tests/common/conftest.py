"""Fixtures of the stream tests: a Redis client on the run's prefix, a started hub, and a
private Redis (another port) for the tests that stop and start it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from atlas_common.stream import StreamHub
from tests.support.isolation import Isolation
from tests.support.redis_server import PrivateRedis


@pytest.fixture
async def redis(isolation: Isolation) -> AsyncIterator[Redis]:
    client = Redis.from_url(isolation.redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def hub(redis: Redis, isolation: Isolation) -> AsyncIterator[StreamHub]:
    h = StreamHub(redis, isolation.redis_prefix)
    await h.start()
    yield h
    await h.stop()


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    """A Redis of the test module's own, to stop and start (never the shared one)."""
    server = PrivateRedis(Path(tmp_path_factory.mktemp("private-redis"))).start()
    try:
        yield server
    finally:
        server.stop()

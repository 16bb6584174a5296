"""Requests per minute per subject, counted in Redis (shared by replicas), on the run's prefix."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from atlas_gateway.auth.rate_limit import RateLimiter
from atlas_gateway.errors import OverRateLimit
from tests.support.isolation import Isolation

MINUTE_START = 1_800_000_000.0 - 1_800_000_000.0 % 60


class Clock:
    def __init__(self) -> None:
        self.now = MINUTE_START + 15

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def redis(isolation: Isolation) -> AsyncIterator[Redis]:
    client = Redis.from_url(isolation.redis_url)
    yield client
    await client.aclose()


async def test_the_request_over_the_limit_is_refused_until_the_next_minute(
    redis: Redis, isolation: Isolation
) -> None:
    clock = Clock()
    limiter = RateLimiter(redis, isolation.redis_prefix, 2, clock=clock)
    subject = f"w:{uuid.uuid4().hex}"
    await limiter.check(subject)
    await limiter.check(subject)
    with pytest.raises(OverRateLimit) as refused:
        await limiter.check(subject)
    err = refused.value
    assert (err.status_code, err.code) == (429, "rate_limited")
    assert err.headers["Retry-After"] == "45" and err.extra["retryAfterSeconds"] == 45
    await limiter.check(f"w:{uuid.uuid4().hex}")  # another subject has its own count
    clock.now += 60
    await limiter.check(subject)  # a new minute, a new count


async def test_zero_means_no_limit(redis: Redis, isolation: Isolation) -> None:
    limiter = RateLimiter(redis, isolation.redis_prefix, 0)
    for _ in range(5):
        await limiter.check("anyone")
    assert not await redis.keys(f"{isolation.redis_prefix}ratelimit:anyone:*")

"""Requests per minute per principal (per client address when anonymous), shared by replicas."""

from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio import Redis

from atlas_gateway.errors import OverRateLimit


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str, per_minute: int,
                 clock: Callable[[], float] = time.time) -> None:
        self._redis = redis
        self._prefix = prefix
        self.per_minute = per_minute
        self._clock = clock  # wall time: every replica counts in the same minute

    async def check(self, subject: str) -> None:
        if self.per_minute <= 0:
            return
        now = self._clock()
        window = int(now // 60)
        key = f"{self._prefix}ratelimit:{subject}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 61)
            count, _ = await pipe.execute()
        if int(count) > self.per_minute:
            retry = max(1, 60 - int(now) % 60)
            raise OverRateLimit(self.per_minute, retry)

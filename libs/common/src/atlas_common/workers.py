"""The registry of live query workers in Redis: one sorted set, worker id -> last beat (epoch s).

Each worker beats into it every ``ATLAS_WORKER_HEARTBEAT_S`` and leaves it on a graceful stop;
the gateway reads it for ``/api/health`` and to count the workers that can take a job. A worker
silent for ``ATLAS_WORKER_STALE_S`` is stale (frozen or killed); after ``ATLAS_WORKER_FORGET_S``
it is dropped, so a killed worker's entry does not hold the health at ``degraded`` forever. The
set itself expires ``forget_s`` after the last beat of any worker (nothing in Redis without TTL).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis


def registry_key(prefix: str) -> str:
    return f"{prefix}workers"


def worker_id() -> str:
    """``<hostname>-<pid>``: unique per process on a machine, and a pod name in Kubernetes."""
    return f"{socket.gethostname()}-{os.getpid()}"


async def beat(redis: Redis, prefix: str, wid: str, *, forget_s: float) -> None:
    key = registry_key(prefix)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(key, {wid: time.time()})
        pipe.expire(key, max(1, int(forget_s)))
        await pipe.execute()


async def leave(redis: Redis, prefix: str, wid: str) -> None:
    await redis.zrem(registry_key(prefix), wid)


async def members(redis: Redis, prefix: str) -> list[str]:
    raw = await redis.zrange(registry_key(prefix), 0, -1)
    return [m.decode() if isinstance(m, bytes) else str(m) for m in raw]


def split_id(wid: str) -> tuple[str, int | None]:
    """``(hostname, pid)`` of a worker id; the pid is None for an id of another shape."""
    host, _, pid = wid.rpartition("-")
    return host, int(pid) if pid.isdigit() else None


@dataclass(frozen=True, slots=True)
class WorkerCensus:
    fresh: list[str] = field(default_factory=list)
    #: worker id -> seconds since its last beat
    stale: dict[str, float] = field(default_factory=dict)


async def census(redis: Redis, prefix: str, *, stale_s: float, forget_s: float) -> WorkerCensus:
    """The registered workers, split into fresh and stale; forgotten ones are removed."""
    key = registry_key(prefix)
    now = time.time()
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zremrangebyscore(key, "-inf", now - forget_s)
        pipe.zrange(key, 0, -1, withscores=True)
        _, entries = await pipe.execute()
    result = WorkerCensus()
    for raw, last in entries:
        wid = raw.decode() if isinstance(raw, bytes) else str(raw)
        age = max(0.0, now - float(last))
        if age > stale_s:
            result.stale[wid] = round(age, 1)
        else:
            result.fresh.append(wid)
    return result

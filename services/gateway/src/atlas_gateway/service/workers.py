"""Which query workers can take a job: consumers on the queue that also beat in the registry.

The broker counts a frozen worker's consumer until its AMQP heartbeat times out; the registry
(:mod:`atlas_common.workers`) knows it is silent after ``ATLAS_WORKER_STALE_S``. A worker counts
as available only when both agree, so ``min(consumers, fresh)``. The consumer count alone
decides when Redis cannot be read (Redis down is reported by its own check) or when nothing is
registered at all (workers older than the registry, during a rolling upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from atlas_common import workers
from atlas_common.workers import WorkerCensus
from atlas_gateway.state import GatewayState


@dataclass(frozen=True, slots=True)
class WorkerStatus:
    consumers: int
    census: WorkerCensus | None = None

    @property
    def stale(self) -> dict[str, float]:
        return self.census.stale if self.census is not None else {}

    @property
    def available(self) -> int:
        if self.census is None or not (self.census.fresh or self.census.stale):
            return self.consumers
        return min(self.consumers, len(self.census.fresh))

    def report(self) -> dict[str, Any]:
        """The ``workers`` check of /api/health (``consumers`` and ``status`` as before)."""
        body: dict[str, Any] = {"consumers": self.consumers, "available": self.available}
        if self.census is not None:
            body["beating"] = len(self.census.fresh)
            body["stale"] = [{"id": wid, "silentS": age} for wid, age in self.stale.items()]
        if self.available == 0:
            body["status"] = "down"
        elif self.stale:
            body["status"] = "degraded"
            body["message"] = "stale query worker: " + ", ".join(
                f"{wid} silent {age:g} s" for wid, age in self.stale.items()
            )
        else:
            body["status"] = "ok"
        return body


async def read_census(state: GatewayState) -> WorkerCensus | None:
    s = state.settings
    try:
        return await workers.census(
            state.redis, s.redis_prefix, stale_s=s.worker_stale_s, forget_s=s.worker_forget_s
        )
    except (RedisError, OSError):
        return None


async def worker_status(state: GatewayState) -> WorkerStatus:
    """Consumers from the broker (BrokerUnavailable propagates) and the registry's census."""
    consumers = await state.bus.consumer_count()
    census = await read_census(state)
    return WorkerStatus(consumers, census)


async def available_workers(state: GatewayState) -> int:
    return (await worker_status(state)).available

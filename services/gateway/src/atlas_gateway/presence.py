"""Which query workers can take a job, known by one background reader per gateway replica.

A worker is available when it consumes ``query.requested`` and also beats in the registry
(:mod:`atlas_common.workers`): the broker counts a frozen worker's consumer until its AMQP
heartbeat times out, the registry knows it is silent after ``ATLAS_WORKER_STALE_S``, so
``min(consumers, fresh)``. The consumer count alone decides when Redis cannot be read (Redis
down is reported by its own check) or when nothing is registered at all (a rolling upgrade).

The count is read every ``ATLAS_WORKER_CHECK_INTERVAL_S`` by one task (issue 27); a question
reads the last value. What a question is told (:meth:`Presence.refusal`):

- the connection to the broker is down (or the last read failed on it): ``unavailable``
  "The message broker is unreachable", at once;
- a reading younger than ``ATLAS_WORKER_CHECK_STALE_S`` says no worker: ``unavailable``
  "No query worker is running" (confirmed by one shared re-read first, so the first question
  after the workers start is not refused on an old reading);
- a read that is merely slow while connected (a burst) keeps the last value: never an outage.
  Past the stale bound the count is unknown and the question goes through: its job waits for
  a worker or expires at its deadline, and the publish itself says whether the broker takes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atlas_common import workers
from atlas_common.bus import BrokerSlow, BrokerUnavailable, Bus
from atlas_common.workers import WorkerCensus
from atlas_gateway.refreshed import Refreshed
from atlas_gateway.settings import GatewaySettings

UNREACHABLE = "The message broker is unreachable"
NO_WORKER = "No query worker is running"
#: Bound on one read (passive declare, census): a slower broker is busy, the value is kept.
READ_TIMEOUT_S = 2.0


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


class Presence:
    """The last worker count of this replica, refreshed in the background."""

    def __init__(self, bus: Bus, redis: Redis, settings: GatewaySettings) -> None:
        self._bus = bus
        self._redis = redis
        self._settings = settings
        self.stale_s = settings.worker_check_stale_s
        self.read_timeout_s = READ_TIMEOUT_S
        self.workers = Refreshed(
            "worker presence", self._read, interval_s=settings.worker_check_interval_s
        )

    async def _read(self) -> WorkerStatus:
        consumers = await self._bus.consumer_count(timeout=self.read_timeout_s)
        return WorkerStatus(consumers, await self._census())

    async def _census(self) -> WorkerCensus | None:
        """The registry; None when Redis cannot say (its own health check reports why)."""
        s = self._settings
        try:
            return await asyncio.wait_for(
                workers.census(
                    self._redis,
                    s.redis_prefix,
                    stale_s=s.worker_stale_s,
                    forget_s=s.worker_forget_s,
                ),
                self.read_timeout_s,
            )
        except (RedisError, OSError, TimeoutError):
            return None

    def broker_down(self) -> bool:
        """The connection is down, or the last read failed on it (not merely slow)."""
        error = self.workers.error
        failed = isinstance(error, BrokerUnavailable) and not isinstance(error, BrokerSlow)
        return not self._bus.is_connected or failed

    def fresh(self) -> WorkerStatus | None:
        """The last reading if younger than the stale bound (None: unknown)."""
        reading, age = self.workers.reading, self.workers.age()
        if reading is None or age is None or age > self.stale_s:
            return None
        return reading.value

    async def refusal(self) -> str | None:
        """Why a question cannot be taken now, or None. No I/O when the last reading lets it
        through; a would-be refusal is confirmed by one shared re-read first."""
        if not self._bus.is_connected:
            return UNREACHABLE
        if self._would_refuse():
            await self.workers.refresh()
        if self.broker_down():
            return UNREACHABLE
        status = self.fresh()
        if status is not None and status.available == 0:
            return NO_WORKER
        return None

    def _would_refuse(self) -> bool:
        reading = self.workers.reading
        return self.broker_down() or reading is None or reading.value.available == 0

"""The one event publisher of Atlas: events go out after the database commit, best effort.

A publish waits for the broker's confirm. One that fails is logged, never raised: the change
is committed, and every cache an event would have invalidated ends within its TTL anyway
(docs/adr/0003-auth.md, 0005-api-keys.md). An outbox relay would close that gap; when it lands
it goes here, and every service gets it.
"""

from __future__ import annotations

import logging
from typing import Protocol

from atlas_common.bus.connection import BrokerUnavailable
from atlas_common.messages import BusMessage

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, message: BusMessage) -> None: ...


class EventPublisher:
    """``bus`` None publishes nothing (a mode or a test without a broker)."""

    def __init__(self, bus: Publisher | None, service: str) -> None:
        self._bus = bus
        self._service = service

    async def publish(self, *messages: BusMessage) -> None:
        for message in messages:
            if self._bus is None:
                continue
            try:
                await self._bus.publish(message)
            except BrokerUnavailable:
                log.error("could not publish an event", extra={
                    "service": self._service, "type": getattr(message, "type", "?"),
                    "event_id": message.event_id})

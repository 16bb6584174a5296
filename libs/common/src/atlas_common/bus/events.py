"""A best-effort event publisher, for events that follow NO database change.

An event that follows a database change is never published from here: it is written to the
service's outbox in the change's transaction and relayed after the commit
(:mod:`atlas_common.outbox`), so a broker that is down delays it but never loses it.

A publish waits for the broker's confirm. One that fails is logged, never raised.
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

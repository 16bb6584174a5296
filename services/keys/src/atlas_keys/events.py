"""Publishing the keys service's events, after the database commit.

A publish waits for the broker's confirm. One that fails is logged, not raised: the change is
committed, every gateway's cache entry for the key ends within its TTL (at most 60 s) anyway,
and repeating the revoke publishes ``key.revoked`` again (see docs/adr/0005-api-keys.md).
"""

from __future__ import annotations

import logging
from typing import Protocol

from atlas_common.bus import BrokerUnavailable
from atlas_common.messages import BusMessage

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, message: BusMessage) -> None: ...


class Events:
    def __init__(self, bus: Publisher) -> None:
        self._bus = bus

    async def publish(self, *messages: BusMessage) -> None:
        for message in messages:
            try:
                await self._bus.publish(message)
            except BrokerUnavailable:
                log.error("could not publish a keys event",
                          extra={"type": getattr(message, "type", "?"),
                                 "event_id": message.event_id})

"""Publishing the auth events after the database commit.

A failed publish is logged, not raised: the change is committed, and the gateway's cache
entries expire within ``ATLAS_AUTH_CACHE_TTL_S`` anyway (an outbox would close that gap; see
docs/adr/0003-auth.md).
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
    def __init__(self, bus: Publisher | None) -> None:
        self._bus = bus

    async def publish(self, *messages: BusMessage) -> None:
        for message in messages:
            if self._bus is None:
                continue
            try:
                await self._bus.publish(message)
            except BrokerUnavailable:
                log.error("could not publish an auth event",
                          extra={"type": getattr(message, "type", "?"),
                                 "event_id": message.event_id})

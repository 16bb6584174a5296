"""Publishing ``subscription.changed`` after a commit (never inside a transaction)."""

from __future__ import annotations

import logging

from atlas_common.bus import BrokerUnavailable, Bus
from atlas_common.messages import SubscriptionChanged

log = logging.getLogger(__name__)


class Events:
    def __init__(self, bus: Bus | None) -> None:
        self._bus = bus

    async def changed(self, customer_id: str, version: int) -> None:
        """Tell every cache; a lost event is healed by the caches' TTL."""
        if self._bus is None:
            return
        try:
            await self._bus.publish(SubscriptionChanged(customer_id=customer_id, version=version))
        except BrokerUnavailable:
            log.error("subscription.changed not published",
                      extra={"customer_id": customer_id, "version": version})

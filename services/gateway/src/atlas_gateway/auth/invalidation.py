"""Cache invalidation events from the bus: drop exactly the entries they name."""

from __future__ import annotations

import logging

from atlas_common.bus import Delivery
from atlas_common.entitlements import EntitlementsClient
from atlas_common.messages import (
    KeyRevoked,
    Message,
    SessionRevoked,
    SubscriptionChanged,
    UserDeactivated,
    UserRoleChanged,
)
from atlas_gateway.auth.cache import PrincipalCache

log = logging.getLogger(__name__)


class Invalidator:
    def __init__(self, cache: PrincipalCache, entitlements: EntitlementsClient | None = None):
        self.cache = cache
        self.entitlements = entitlements

    async def handle(self, message: Message, delivery: Delivery) -> None:
        if isinstance(message, KeyRevoked):
            dropped = self.cache.drop_id(f"cred:{message.key_id}")
        elif isinstance(message, SessionRevoked):
            dropped = self.cache.drop_id(f"cred:{message.session_id}")
        elif isinstance(message, UserRoleChanged | UserDeactivated):
            dropped = self.cache.drop_id(f"user:{message.user_id}")
        elif isinstance(message, SubscriptionChanged) and self.entitlements is not None:
            dropped = self.entitlements.invalidate(message.customer_id, message.version)
        else:
            return
        log.info("cache invalidated", extra={"event": message.type, "dropped": dropped})

    def flush(self) -> None:
        """After a broker reconnect: our exclusive queue may have missed events."""
        log.warning("broker reconnected: principal cache flushed", extra={"had": len(self.cache)})
        self.cache.clear()
        if self.entitlements is not None:
            self.entitlements.flush()

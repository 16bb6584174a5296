"""Principal cache invalidation events from the bus: drop exactly the entries they name.

Idempotent by nature, so no dedupe by ``event_id``: the outboxes deliver at least once
(``atlas_common.outbox``), and a repeat only drops an entry again (one more verification).

The plan cache (``subscription.changed``) is the entitlements client's own business: it
attaches itself to the bus (``EntitlementsClient.attach``).
"""

from __future__ import annotations

import logging

from atlas_common.bus import Delivery
from atlas_common.messages import (
    KeyRevoked,
    SessionRevoked,
    UserClaimsChanged,
    UserDeactivated,
    UserRoleChanged,
)
from atlas_common.metrics import revoked
from atlas_gateway.auth.cache import PrincipalCache

log = logging.getLogger(__name__)
Invalidation = KeyRevoked | SessionRevoked | UserRoleChanged | UserClaimsChanged | UserDeactivated


class Invalidator:
    def __init__(self, cache: PrincipalCache):
        self.cache = cache

    async def handle(self, message: Invalidation, delivery: Delivery) -> None:
        if isinstance(message, KeyRevoked):
            dropped = self.cache.drop_id(f"cred:{message.key_id}")
        elif isinstance(message, SessionRevoked):
            dropped = self.cache.drop_id(f"cred:{message.session_id}")
        else:  # a user's role, claims or standing: every credential of theirs
            dropped = self.cache.drop_id(f"user:{message.user_id}")
        revoked(message.occurred_at.timestamp())
        log.info("cache invalidated", extra={"event": message.type, "dropped": dropped})

    def flush(self) -> None:
        """After a broker reconnect: our exclusive queue may have missed events."""
        log.warning("broker reconnected: principal cache flushed", extra={"had": len(self.cache)})
        self.cache.clear()

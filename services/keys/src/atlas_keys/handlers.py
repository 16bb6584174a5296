"""Bus handlers of the keys service: a deactivated user's keys are revoked.

The queue is durable and the keys service's own (``keys.user.deactivated``, declared with the
rest of the topology by every process, bound to ``atlas.events`` with routing key
``user.deactivated``), so a deactivation published while the service is down is
handled when it comes back. The auth service refuses a key of an inactive creator anyway, so
the key stops at once even before this runs; this makes the revocation durable and visible
(status ``revoked``) and tells every gateway through ``key.revoked`` (written to the outbox in
the revocation's transaction). Idempotent by nature, so no dedupe by ``event_id``: a repeated
``user.deactivated`` finds no live key of that user (an inactive user creates none) and revokes
nothing.
"""

from __future__ import annotations

import logging

import asyncpg

from atlas_common.bus import Bus, Delivery, RetryableError, names
from atlas_common.messages import UserDeactivated
from atlas_keys.service import KeysService

log = logging.getLogger(__name__)


class Deactivations:
    def __init__(self, service: KeysService) -> None:
        self._service = service

    async def handle(self, message: UserDeactivated, delivery: Delivery) -> None:
        try:
            revoked = await self._service.revoke_for_user(message.user_id)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise RetryableError("database unavailable") from exc
        log.info("keys of a deactivated user revoked", extra={"revoked": revoked})


async def subscribe(bus: Bus, handler: Deactivations) -> None:
    # A database outage is retried (RetryableError); any other failure is a bug that a
    # redelivery would not fix, so it is not requeued forever (auth refuses the keys anyway).
    await bus.consume(names.KEYS_DEACTIVATIONS_QUEUE, handler.handle,
                      message_type=UserDeactivated, prefetch=10, requeue_unknown=False)

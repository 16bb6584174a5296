"""``usage.recorded`` from the durable queue: at least once from the broker, counted once.

The ledger is unique on the event's idempotency key and the counter moves in the same
transaction, so a redelivered event (a lost ack, a crash before the ack) is a no-op. A
database that is down makes the event retryable (requeued); anything else is logged and
dropped by the bus wrapper (``requeue_unknown=False``), so one poison event cannot loop.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from atlas_common.bus import Bus, Delivery, RetryableError, names
from atlas_common.messages import UsageRecorded
from atlas_entitlements.service import EntitlementsService

log = logging.getLogger(__name__)

RETRYABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.TransactionRollbackError,
)


class UsageHandler:
    def __init__(self, service: EntitlementsService) -> None:
        self.service = service
        self.counted = 0
        self.duplicates = 0

    async def handle(self, message: UsageRecorded, delivery: Delivery) -> None:
        try:
            counted = await self.service.record_usage(message)
        except RETRYABLE as exc:
            raise RetryableError(f"usage not recorded yet: {exc!r}") from exc
        if counted:
            self.counted += 1
        else:
            self.duplicates += 1
            log.info("usage event already counted", extra={
                "idempotency_key": message.idempotency_key, "redelivered": delivery.redelivered})


async def consume_usage(bus: Bus, handler: UsageHandler, prefetch: int) -> None:
    await bus.consume(names.ENTITLEMENTS_USAGE_QUEUE, handler.handle,
                      message_type=UsageRecorded, prefetch=prefetch, requeue_unknown=False)

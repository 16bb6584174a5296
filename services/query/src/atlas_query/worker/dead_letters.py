"""Jobs the broker gave up on still end their stream: the dead-letter queue's handler.

The end is an error, and the audit trail records it like any other (``query.answered``, with
the same event id as an attempt that ended, so at most one row; no attempt ran here: its
duration is 0)."""

from __future__ import annotations

import logging

from redis.asyncio import Redis

from atlas_common.bus import Delivery
from atlas_common.messages import QueryRequested
from atlas_common.stream import StreamClosed, StreamWriter
from atlas_common.stream_events import ErrorEvent
from atlas_query.worker.audit import AuditTrail, Publish, publish_answered

log = logging.getLogger(__name__)

#: Higher than any real attempt, so the dead-letter verdict is never fenced out.
DEAD_LETTER_ATTEMPT = 1_000_000


def death_reason(delivery: Delivery) -> str:
    deaths = delivery.headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        reason = deaths[0].get("reason")
        return reason.decode() if isinstance(reason, bytes) else str(reason)
    return str(delivery.headers.get("x-first-death-reason", "unknown"))


class DeadLetterHandler:
    def __init__(self, redis: Redis, prefix: str, ttl_s: int, max_events: int,
                 finished_ttl_s: int | None = None, write_retry_s: float = 0.0,
                 publish: Publish | None = None) -> None:
        self._redis = redis
        self._publish = publish
        self._retry_s = write_retry_s
        self._prefix = prefix
        self._ttl = ttl_s
        self._max = max_events
        self._finished_ttl = finished_ttl_s

    async def handle(self, message: QueryRequested, delivery: Delivery) -> None:
        reason = death_reason(delivery)
        if reason == "expired":
            event = ErrorEvent(
                code="timeout", message="The question expired before a worker could answer it"
            )
        else:
            event = ErrorEvent(
                code="internal_error",
                message="The question could not be "
                f"answered: it failed on every attempt ({reason})",
            )
        writer = StreamWriter(
            self._redis,
            self._prefix,
            message.request_id,
            DEAD_LETTER_ATTEMPT,
            ttl_s=self._ttl,
            max_events=self._max,
            finished_ttl_s=self._finished_ttl,
            write_retry_s=self._retry_s,
        )
        try:
            await writer.emit(event)
        except StreamClosed:
            return
        log.warning(
            "dead-lettered job ended with an error",
            extra={"request_id": message.request_id, "reason": reason},
        )
        trail = AuditTrail(message)
        await publish_answered(self._publish, trail.event("error", event.code, event.message))

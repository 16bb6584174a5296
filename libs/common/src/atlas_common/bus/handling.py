"""One wrapper at the bus edge decides ack / requeue / dead-letter for every handler.

Handlers are small and idempotent: they get a parsed message of the one type (or types) their
queue carries and a :class:`Delivery`, and raise :class:`RetryableError` (requeue; bounded by
the queue's delivery limit) or :class:`TerminalError` (dead-letter, never retried). Returning
normally acks. A malformed message, or one of a type the queue does not carry, is logged and
dead-lettered before any handler sees it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aio_pika.abc import AbstractIncomingMessage
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from pydantic import ValidationError

from atlas_common.messages import BusMessage, Message, parse_message
from atlas_common.metrics import delivered
from atlas_common.tracing import messaging_attributes

log = logging.getLogger(__name__)
tracer = trace.get_tracer("atlas.bus")
RETRY_BACKOFF_S = 0.2
MAX_RETRY_BACKOFF_S = 2.0


class RetryableError(Exception):
    """A failure that may pass on another delivery (a dependency briefly down)."""


class TerminalError(Exception):
    """A failure no retry will fix: the message is dead-lettered."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What the broker says about this delivery of a message."""

    attempt: int
    redelivered: bool
    routing_key: str
    headers: dict[str, Any]


Handler = Callable[[Message, Delivery], Awaitable[None]]
M = TypeVar("M", bound=BusMessage)
#: A handler of one message type: what ``Bus.consume`` and ``Bus.subscribe_events`` take.
TypedHandler = Callable[[M, Delivery], Awaitable[None]]
Accepted = type[BusMessage] | tuple[type[BusMessage], ...]


def delivery_of(message: AbstractIncomingMessage) -> Delivery:
    headers = dict(message.headers or {})
    count = headers.get("x-delivery-count")
    attempt = int(count) + 1 if isinstance(count, int | str) and str(count).isdigit() else 1
    if attempt == 1 and message.redelivered:
        attempt = 2
    return Delivery(attempt, bool(message.redelivered), message.routing_key or "", headers)


def wrap(
    handler: Callable[[Any, Delivery], Awaitable[None]],
    accepts: Accepted,
    *,
    requeue_unknown: bool = True,
) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
    """Adapt a typed handler to an aio-pika consumer callback with manual acks; only
    messages that are instances of ``accepts`` reach it."""

    async def on_message(message: AbstractIncomingMessage) -> None:
        delivery = delivery_of(message)
        try:
            parsed = parse_message(message.body)
        except ValidationError:
            log.error(
                "malformed message dead-lettered", extra={"routing_key": delivery.routing_key}
            )
            await message.reject(requeue=False)
            return
        if not isinstance(parsed, accepts):
            log.error("message of a type this queue does not carry dead-lettered",
                      extra={"type": parsed.type, "routing_key": delivery.routing_key})
            await message.reject(requeue=False)
            return
        carrier = {
            k: str(v) for k, v in delivery.headers.items() if k in ("traceparent", "tracestate")
        }
        token = otel_context.attach(propagate.extract(carrier))
        try:
            delivered(parsed)
            with tracer.start_as_current_span(f"consume {parsed.type}",
                                              kind=trace.SpanKind.CONSUMER,
                                              attributes=messaging_attributes(
                                                  delivery.routing_key, parsed.type, "process")):
                await _settle(message, handler, parsed, delivery, requeue_unknown)
        finally:
            otel_context.detach(token)

    return on_message


async def _settle(
    message: AbstractIncomingMessage,
    handler: Callable[[Any, Delivery], Awaitable[None]],
    parsed: Message,
    delivery: Delivery,
    requeue_unknown: bool,
) -> None:
    try:
        await handler(parsed, delivery)
    except RetryableError:
        log.warning("retryable failure, requeued", extra={"type": parsed.type})
        # Back off a little so a dependency that is down is not hammered by redeliveries.
        await asyncio.sleep(min(RETRY_BACKOFF_S * delivery.attempt, MAX_RETRY_BACKOFF_S))
        await message.nack(requeue=True)
    except TerminalError:
        log.error("terminal failure, dead-lettered", extra={"type": parsed.type})
        await message.reject(requeue=False)
    except Exception:
        log.exception("handler failed", extra={"type": parsed.type})
        await message.nack(requeue=requeue_unknown)
    else:
        await message.ack()

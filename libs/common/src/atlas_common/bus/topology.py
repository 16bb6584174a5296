"""The whole Atlas topology, declared by every process at start.

Declaring everything everywhere means no message is ever published into an exchange that has
no queue yet, whichever process starts first.

``query.requested`` is bounded (``x-max-length`` with ``x-overflow: reject-publish``): a full
queue nacks the publish, which the gateway turns into 503 ``overloaded``, rather than jobs
waiting past their deadline. RabbitMQ refuses (PRECONDITION_FAILED) a declaration whose
arguments differ from the existing queue's: a queue made before the bound, or with another
``ATLAS_QUERY_QUEUE_MAX_LENGTH``. Such a process uses the queue as it is (a passive declare)
and says so in its log; docs/operations.md ("Backpressure") has the migration.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractQueue

from atlas_common.bus import names

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueShape:
    """What every declaration of our durable queues must agree on."""

    delivery_limit: int
    #: Ready jobs ``query.requested`` holds before it nacks publishes; 0: unbounded.
    query_max_length: int = names.QUERY_QUEUE_MAX_LENGTH
    #: The existing query queue has other arguments: use it as it is (a passive declare).
    query_passive: bool = False


async def declare_topology(channel: AbstractChannel, shape: QueueShape) -> None:
    jobs = await channel.declare_exchange(
        names.JOBS_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True
    )
    dead = await channel.declare_exchange(
        names.JOBS_DLX, aio_pika.ExchangeType.DIRECT, durable=True
    )
    events = await channel.declare_exchange(
        names.EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    requested = await declare_queue(channel, names.QUERY_REQUESTED, shape)
    await requested.bind(jobs, names.QUERY_REQUESTED)
    dead_queue = await declare_queue(channel, names.QUERY_REQUESTED_DEAD, shape)
    await dead_queue.bind(dead, names.QUERY_REQUESTED_DEAD)
    usage = await declare_queue(channel, names.ENTITLEMENTS_USAGE_QUEUE, shape)
    await usage.bind(events, names.USAGE_RECORDED)
    deactivations = await declare_queue(channel, names.KEYS_DEACTIVATIONS_QUEUE, shape)
    await deactivations.bind(events, names.USER_DEACTIVATED)
    audit = await declare_queue(channel, names.AUDIT_QUEUE, shape)
    for routing_key in names.AUDITED_EVENTS:
        await audit.bind(events, routing_key)


async def declare_everything(connection: AbstractConnection, shape: QueueShape) -> QueueShape:
    """Declare the whole topology on a channel of its own and give the shape it was declared
    with. Every process passes the same ``ATLAS_JOB_DELIVERY_LIMIT`` and
    ``ATLAS_QUERY_QUEUE_MAX_LENGTH``; a query queue whose arguments differ is used as it is
    (the shape returned says ``query_passive``), so an existing deployment keeps running until
    it is migrated."""
    try:
        await _declare_on_new_channel(connection, shape)
    except aiormq.exceptions.ChannelPreconditionFailed as exc:
        if shape.query_passive:
            raise
        log.warning(
            "query.requested exists with other arguments (made before its bound, or with "
            "another ATLAS_QUERY_QUEUE_MAX_LENGTH / ATLAS_JOB_DELIVERY_LIMIT): using it as "
            "it is; see docs/operations.md, Backpressure",
            extra={"error": str(exc)},
        )
        shape = replace(shape, query_passive=True)
        await _declare_on_new_channel(connection, shape)
    return shape


async def _declare_on_new_channel(connection: AbstractConnection, shape: QueueShape) -> None:
    channel = await connection.channel()
    try:
        await declare_topology(channel, shape)
    finally:
        if not channel.is_closed:
            await channel.close()


def queue_arguments(name: str, shape: QueueShape) -> dict[str, Any]:
    """The arguments of each durable queue: every declaration must use exactly these."""
    if name != names.QUERY_REQUESTED:
        return {"x-queue-type": "quorum"}
    arguments: dict[str, Any] = {
        "x-queue-type": "quorum",
        "x-delivery-limit": shape.delivery_limit,
        "x-dead-letter-exchange": names.JOBS_DLX,
        "x-dead-letter-routing-key": names.QUERY_REQUESTED_DEAD,
    }
    if shape.query_max_length > 0:
        arguments["x-max-length"] = shape.query_max_length
        arguments["x-overflow"] = "reject-publish"  # a nack to the publisher, never a drop
    return arguments


async def declare_queue(channel: AbstractChannel, name: str, shape: QueueShape) -> AbstractQueue:
    """Declare one of our durable queues (a robust channel then restores it on reconnect)."""
    if name == names.QUERY_REQUESTED and shape.query_passive:
        return await channel.declare_queue(name, passive=True)
    return await channel.declare_queue(name, durable=True, arguments=queue_arguments(name, shape))


def exchange_for(message_type: str) -> str:
    """Jobs go to the jobs exchange; everything else is an event."""
    return names.JOBS_EXCHANGE if message_type == names.QUERY_REQUESTED else names.EVENTS_EXCHANGE

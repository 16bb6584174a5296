"""The whole Atlas topology, declared by every process at start.

Declaring everything everywhere means no message is ever published into an exchange that has
no queue yet, whichever process starts first.
"""

from __future__ import annotations

from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractQueue

from atlas_common.bus import names


async def declare_topology(channel: AbstractChannel, *, delivery_limit: int) -> None:
    jobs = await channel.declare_exchange(
        names.JOBS_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True
    )
    dead = await channel.declare_exchange(
        names.JOBS_DLX, aio_pika.ExchangeType.DIRECT, durable=True
    )
    events = await channel.declare_exchange(
        names.EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    requested = await declare_queue(channel, names.QUERY_REQUESTED, delivery_limit)
    await requested.bind(jobs, names.QUERY_REQUESTED)
    dead_queue = await declare_queue(channel, names.QUERY_REQUESTED_DEAD, delivery_limit)
    await dead_queue.bind(dead, names.QUERY_REQUESTED_DEAD)
    usage = await declare_queue(channel, names.ENTITLEMENTS_USAGE_QUEUE, delivery_limit)
    await usage.bind(events, names.USAGE_RECORDED)
    deactivations = await declare_queue(channel, names.KEYS_DEACTIVATIONS_QUEUE, delivery_limit)
    await deactivations.bind(events, names.USER_DEACTIVATED)


def queue_arguments(name: str, delivery_limit: int) -> dict[str, Any]:
    """The arguments of each durable queue: every declaration must use exactly these."""
    if name == names.QUERY_REQUESTED:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": names.JOBS_DLX,
            "x-dead-letter-routing-key": names.QUERY_REQUESTED_DEAD,
        }
    return {"x-queue-type": "quorum"}


async def declare_queue(channel: AbstractChannel, name: str, delivery_limit: int) -> AbstractQueue:
    """Declare one of our durable queues (a robust channel then restores it on reconnect)."""
    return await channel.declare_queue(
        name, durable=True, arguments=queue_arguments(name, delivery_limit)
    )


def exchange_for(message_type: str) -> str:
    """Jobs go to the jobs exchange; everything else is an event."""
    return names.JOBS_EXCHANGE if message_type == names.QUERY_REQUESTED else names.EVENTS_EXCHANGE

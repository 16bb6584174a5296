"""The whole Atlas topology, declared by every process at start.

Declaring everything everywhere means no message is ever published into an exchange that has
no queue yet, whichever process starts first.
"""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel

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
    requested = await channel.declare_queue(
        names.QUERY_REQUESTED,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": names.JOBS_DLX,
            "x-dead-letter-routing-key": names.QUERY_REQUESTED_DEAD,
        },
    )
    await requested.bind(jobs, names.QUERY_REQUESTED)
    dead_queue = await channel.declare_queue(
        names.QUERY_REQUESTED_DEAD, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_queue.bind(dead, names.QUERY_REQUESTED_DEAD)
    usage = await channel.declare_queue(
        names.ENTITLEMENTS_USAGE_QUEUE, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await usage.bind(events, names.USAGE_RECORDED)


def exchange_for(message_type: str) -> str:
    """Jobs go to the jobs exchange; everything else is an event."""
    return names.JOBS_EXCHANGE if message_type == names.QUERY_REQUESTED else names.EVENTS_EXCHANGE

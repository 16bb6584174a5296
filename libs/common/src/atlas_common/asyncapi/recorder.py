"""The topology as :func:`atlas_common.bus.topology.declare_topology` declares it.

The document is not a second copy of the topology: the real declaration runs against a channel
that only writes down what it is asked to declare (no broker), so a queue, an argument or a
binding added there appears in ``docs/asyncapi.yaml`` at the next generation, and the staleness
test fails until it is regenerated.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast

from aio_pika.abc import AbstractChannel

from atlas_common.bus.topology import QueueShape, declare_topology


@dataclass(frozen=True)
class Exchange:
    name: str
    type: str
    durable: bool


@dataclass
class Queue:
    name: str
    durable: bool
    arguments: dict[str, Any]
    #: (exchange, routing key) pairs the queue is bound with.
    bindings: list[tuple[str, str]] = field(default_factory=list)

    async def bind(self, exchange: Exchange, routing_key: str) -> None:
        self.bindings.append((exchange.name, routing_key))


@dataclass
class Topology:
    exchanges: dict[str, Exchange] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)


class _RecordingChannel:
    """Just the calls ``declare_topology`` makes, written down."""

    def __init__(self) -> None:
        self.topology = Topology()

    async def declare_exchange(self, name: str, type: Any, *, durable: bool) -> Exchange:
        exchange = Exchange(name, str(type.value), durable)
        self.topology.exchanges[name] = exchange
        return exchange

    async def declare_queue(self, name: str, *, durable: bool, arguments: dict[str, Any]) -> Queue:
        queue = Queue(name, durable, dict(arguments))
        self.topology.queues[name] = queue
        return queue


def record_topology(shape: QueueShape) -> Topology:
    """What every Atlas process declares with these queue settings."""
    channel = _RecordingChannel()
    asyncio.run(declare_topology(cast(AbstractChannel, channel), shape))
    return channel.topology

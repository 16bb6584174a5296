"""The bus client (aio-pika): a robust connection, confirmed persistent publishes, consumers.

One :class:`Bus` per process. It declares the whole topology on connect and again after every
reconnect, and tells its owner about reconnects (a gateway replica flushes its caches then,
because its exclusive queue may have missed events).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractQueue, AbstractRobustConnection
from opentelemetry import propagate, trace

from atlas_common.bus import names
from atlas_common.bus.handling import M, TypedHandler, wrap
from atlas_common.bus.topology import QueueShape, declare_everything, declare_queue, exchange_for
from atlas_common.messages import MESSAGE_TYPES, BusMessage
from atlas_common.metrics import queue_read
from atlas_common.tracing import messaging_attributes

log = logging.getLogger(__name__)
tracer = trace.get_tracer("atlas.bus")

BROKER_ERRORS: tuple[type[BaseException], ...] = (
    aiormq.exceptions.AMQPError,
    aiormq.exceptions.ChannelInvalidStateError,
    ConnectionError,
    asyncio.TimeoutError,
)


#: Seconds between two attempts of a robust connection to come back after losing the broker.
RECONNECT_INTERVAL_S = 1


class BrokerUnavailable(RuntimeError):
    """The broker could not take or confirm a message in time."""


class BrokerSlow(BrokerUnavailable):
    """Connected, but the broker did not answer in time (a confirm or a declare timed out):
    under a burst this is load, not an outage; the caller decides by ``Bus.is_connected``.
    A subclass, so a caller that only knows BrokerUnavailable still refuses cleanly."""


class QueueFull(BrokerUnavailable):
    """The broker nacked the message: its queue is at ``x-max-length`` (``reject-publish``).
    A subclass, so a caller that only knows BrokerUnavailable still refuses cleanly."""


class Bus:
    def __init__(self, connection: AbstractRobustConnection, shape: QueueShape) -> None:
        self._connection = connection
        self._shape = shape
        self._publish_channel: AbstractChannel | None = None
        self._on_reconnect: list[Callable[[], Awaitable[None] | None]] = []
        connection.reconnect_callbacks.add(self._reconnected)

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        delivery_limit: int,
        query_max_length: int = names.QUERY_QUEUE_MAX_LENGTH,
        timeout: float = 10,
        startup_wait: float = 60,
        heartbeat: int | None = None,
    ) -> Bus:
        """Connect (retrying for ``startup_wait`` seconds) and declare the whole topology.

        ``heartbeat`` (seconds, the URL's own otherwise): the broker closes the connection of a
        peer silent for about two of them, so a frozen consumer's unacked jobs are requeued."""
        connection = await connect_with_retry(url, timeout, startup_wait, heartbeat)
        bus = cls(connection, QueueShape(delivery_limit, query_max_length))
        await bus._declare_topology()
        bus._publish_channel = await connection.channel(publisher_confirms=True)
        return bus

    async def _declare_topology(self) -> None:
        self._shape = await declare_everything(self._connection, self._shape)

    @property
    def is_connected(self) -> bool:
        return not self._connection.is_closed and self._connection.connected.is_set()

    def on_reconnect(self, callback: Callable[[], Awaitable[None] | None]) -> None:
        self._on_reconnect.append(callback)

    async def _reconnected(self, *_: Any) -> None:
        log.warning("broker connection restored")
        try:
            await self._declare_topology()
        except BROKER_ERRORS:
            log.exception("could not re-declare the topology after reconnect")
        for callback in self._on_reconnect:
            result = callback()
            if result is not None:
                await result

    async def publish(
        self, message: BusMessage, *, expiration: float | None = None, timeout: float = 5.0
    ) -> None:
        """Publish persistently and wait for the broker's confirm; BrokerUnavailable if not,
        QueueFull when the broker nacks it (a bounded queue at its length)."""
        msg_type: str = getattr(message, "type")  # noqa: B009 - every concrete message has one
        headers: dict[str, Any] = {}
        with tracer.start_as_current_span(f"publish {msg_type}", kind=trace.SpanKind.PRODUCER,
                                          attributes=messaging_attributes(exchange_for(msg_type),
                                                                          msg_type, "publish")):
            propagate.inject(headers)
            amqp_message = aio_pika.Message(
                message.model_dump_json().encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.event_id,
                type=msg_type,
                headers=headers,
                expiration=expiration,
            )
            await self._confirmed_publish(amqp_message, exchange_for(msg_type), msg_type, timeout)

    async def _confirmed_publish(
        self, message: aio_pika.Message, exchange: str, routing_key: str, timeout: float
    ) -> None:
        if self._publish_channel is None or not self.is_connected:
            raise BrokerUnavailable("not connected to the broker")
        # One channel, confirms pipelined: 2,000 concurrent publishes confirm in ~0.5 s
        # (bench/publish_burst.py), far inside the timeout, so no channel pool.
        try:
            ex = await self._publish_channel.get_exchange(exchange, ensure=False)
            await asyncio.wait_for(ex.publish(message, routing_key, mandatory=True), timeout)
        except aiormq.exceptions.DeliveryError as exc:
            if isinstance(exc.frame, aiormq.spec.Basic.Nack):
                raise QueueFull(f"{routing_key} refused by the broker: its queue is full") from exc
            raise BrokerUnavailable(f"publish of {routing_key} failed: {exc!r}") from exc
        except TimeoutError as exc:
            raise BrokerSlow(f"publish of {routing_key} not confirmed in {timeout:g} s") from exc
        except BROKER_ERRORS as exc:
            raise BrokerUnavailable(f"publish of {routing_key} failed: {exc!r}") from exc

    async def consumer_count(self, queue: str = names.QUERY_REQUESTED, timeout: float = 2) -> int:
        """How many consumers the queue has now (a passive declare); BrokerSlow when it is not
        answered within ``timeout``. Not for a request path: one background reader per process
        (the gateway's presence monitor), never one declare per request."""
        if self._publish_channel is None or not self.is_connected:
            raise BrokerUnavailable("not connected to the broker")
        try:
            underlay = await self._publish_channel.get_underlay_channel()
            ok = await asyncio.wait_for(underlay.queue_declare(queue, passive=True), timeout)
        except TimeoutError as exc:
            raise BrokerSlow(f"{queue} not inspected in {timeout:g} s") from exc
        except BROKER_ERRORS as exc:
            raise BrokerUnavailable(f"cannot inspect {queue}: {exc!r}") from exc
        if queue == names.QUERY_REQUESTED:
            queue_read(ok.message_count, ok.consumer_count)  # the same declare: no extra call
        return int(ok.consumer_count or 0)

    async def consume(
        self,
        queue: str,
        handler: TypedHandler[M],
        *,
        message_type: type[M],
        prefetch: int,
        requeue_unknown: bool = True,
    ) -> tuple[AbstractChannel, AbstractQueue, str]:
        """Consume a declared queue with manual acks; ``handler`` gets ``message_type`` only
        (anything else is dead-lettered). Returns (channel, queue, consumer tag)."""
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        # Declared (not just looked up) so the robust channel restores the consumer on reconnect.
        q = await declare_queue(channel, queue, self._shape)
        callback = wrap(handler, message_type, requeue_unknown=requeue_unknown)
        tag = await q.consume(callback, no_ack=False)
        return channel, q, tag

    async def subscribe_events(
        self, routing_keys: Sequence[str], handler: TypedHandler[M]
    ) -> tuple[AbstractChannel, AbstractQueue]:
        """An exclusive, auto-delete queue bound to these events (per-replica invalidation);
        ``handler`` gets the messages of these types only (their routing keys)."""
        accepts = tuple(MESSAGE_TYPES[key] for key in routing_keys)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=100)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        events = await channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
        for key in routing_keys:
            await queue.bind(events, key)
        await queue.consume(wrap(handler, accepts, requeue_unknown=False), no_ack=False)
        return channel, queue

    async def close(self) -> None:
        await self._connection.close()


async def connect_with_retry(
    url: str, timeout: float, startup_wait: float, heartbeat: int | None = None,
    product: str = "atlas",
) -> AbstractRobustConnection:
    """A robust connection, retried with backoff for ``startup_wait`` seconds (the broker may
    start after us); BrokerUnavailable past it. Used by the Bus and by consumers that manage
    their own channel (the audit service's batched consumer)."""
    if heartbeat is not None:  # a URL parameter for aio-pika / aiormq
        url = _with_query(url, heartbeat=str(heartbeat))
    if "reconnect_interval" not in dict(parse_qsl(urlsplit(url).query)):
        # aio-pika's default is 5 s: at 1 s, outbox events held while the broker was down and
        # the caches' reconnect flush arrive within about a second of its return (the URL's own
        # ?reconnect_interval= still wins).
        url = _with_query(url, reconnect_interval=str(RECONNECT_INTERVAL_S))
    deadline = time.monotonic() + startup_wait
    delay = 0.2
    while True:
        try:
            return await aio_pika.connect_robust(
                url, timeout=timeout, client_properties={"product": product}
            )
        except BROKER_ERRORS as exc:
            if time.monotonic() + delay > deadline:
                raise BrokerUnavailable(f"cannot reach the broker: {exc!r}") from exc
            log.warning("broker not reachable yet, retrying", extra={"error": repr(exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)


def _with_query(url: str, **params: str) -> str:
    """The URL with these query parameters set (replacing the same names)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))

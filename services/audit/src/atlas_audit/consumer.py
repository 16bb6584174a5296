"""The consumer of ``audit.events``: batched writes, one ack per batch.

Messages are held (unacked) until their batch is in PostgreSQL: a batch is written when it holds
``ATLAS_AUDIT_BATCH_MAX`` events or its first event has waited ``ATLAS_AUDIT_BATCH_WAIT_MS``, in
one statement that skips events already written; two batches may be written at once, and each
is acked, in delivery order, at once (``multiple`` on its last delivery tag). The prefetch is
three batches: two being written, the next one arriving. So a crash or a broker
restart at any point redelivers, never loses, and a redelivered event is written once.

A malformed message is acked with its batch and counted, never requeued (no poison loop).
PostgreSQL down: the batch is retried in place with backoff, its messages still held, so nothing
is redelivered meanwhile (redeliveries would count toward nothing useful).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiormq
import asyncpg
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from pydantic import ValidationError

from atlas_audit import repository
from atlas_audit.metrics import BATCH_SECONDS, EVENTS_DROPPED, EVENTS_WRITTEN, WRITE_FAILURES
from atlas_audit.records import Row, row_of
from atlas_audit.settings import AuditSettings
from atlas_common.bus import BROKER_ERRORS, names
from atlas_common.bus.connection import connect_with_retry
from atlas_common.bus.topology import QueueShape, declare_everything, declare_queue
from atlas_common.messages import parse_message

log = logging.getLogger("atlas_audit")
_DB_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, ConnectionError,
              TimeoutError)
#: Errors of the event itself: PostgreSQL refused it (class 22, 23) or its values do not fit
#: the columns (asyncpg's encoders). Retrying cannot help.
_BAD_DATA = (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError, ValueError,
             OverflowError, TypeError)
_ACK_ERRORS: tuple[type[BaseException], ...] = (
    *BROKER_ERRORS, aiormq.exceptions.ChannelInvalidStateError)
MAX_BACKOFF_S = 5.0
#: Batches written at once.
WRITERS = 2


@dataclass(frozen=True, slots=True)
class Held:
    """A delivery waiting for its batch: the message, its row (None: not recorded) and the
    channel it came on (a reconnect opens another; a dead channel's messages come back)."""

    message: AbstractIncomingMessage
    row: Row | None
    channel: Any


class AuditConsumer:
    def __init__(self, settings: AuditSettings, pool: asyncpg.Pool) -> None:
        self._settings = settings
        self._pool = pool
        self._max = settings.batch_max
        self._wait_s = settings.batch_wait_ms / 1000
        self._pending: list[Held] = []
        self._arrived = asyncio.Event()
        self._full = asyncio.Event()
        self._connection: AbstractRobustConnection | None = None
        self._slots = asyncio.Semaphore(WRITERS)
        self._written: asyncio.Queue[tuple[list[Held], asyncio.Task[None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self, startup_wait: float = 60) -> None:
        self._connection = await _connect(self._settings, startup_wait)
        channel = await self._connection.channel()
        # The batches being written and the next one, arriving meanwhile (with one batch's
        # worth, the broker would wait for each batch's ack before sending the next).
        await channel.set_qos(prefetch_count=(WRITERS + 1) * self._max)
        shape = await declare_everything(self._connection, QueueShape(
            self._settings.job_delivery_limit, self._settings.query_queue_max_length))
        # Declared on this (robust) channel so the consumer is restored after a reconnect.
        queue = await declare_queue(channel, names.AUDIT_QUEUE, shape)
        await queue.consume(self._on_message, no_ack=False)
        self._task = asyncio.create_task(self._run(), name="audit-consumer")

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        # No await before the append: deliveries are held in delivery-tag order.
        try:
            row = row_of(parse_message(message.body))
            if row is None:
                EVENTS_DROPPED.labels("no_workspace").inc()
        except ValidationError:
            log.error("malformed message on the audit queue dropped",
                      extra={"routing_key": message.routing_key})
            EVENTS_DROPPED.labels("malformed").inc()
            row = None
        try:
            channel = message.channel
        except aiormq.exceptions.ChannelInvalidStateError:
            return  # its channel is gone: the broker redelivers it
        self._pending.append(Held(message, row, channel))
        self._arrived.set()
        if len(self._pending) >= self._max:
            self._full.set()

    async def _run(self) -> None:
        """Up to ``WRITERS`` batches written at once (each waits on PostgreSQL's commit more
        than on CPU), acknowledged strictly in order by ``_ack_in_order``."""
        acker = asyncio.create_task(self._ack_in_order(), name="audit-acks")
        try:
            while True:
                await self._slots.acquire()  # meanwhile the next batch grows
                batch = await self._next_batch()
                self._written.put_nowait((batch, asyncio.create_task(self._write(batch))))
        finally:
            # Stopping: unacked batches come back to the queue when the connection closes.
            writes = [acker]
            while not self._written.empty():
                writes.append(self._written.get_nowait()[1])
            for task in writes:
                task.cancel()
            await asyncio.gather(*writes, return_exceptions=True)

    async def _ack_in_order(self) -> None:
        while True:
            batch, write = await self._written.get()
            try:
                await write
                await self._ack(batch)
            except Exception:
                # Not acked: the broker redelivers the batch when the channel closes.
                log.exception("audit batch failed; left unacked")
            finally:
                self._slots.release()

    async def _next_batch(self) -> list[Held]:
        while not self._pending:
            self._arrived.clear()
            await self._arrived.wait()
        if len(self._pending) < self._max:
            self._full.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), self._wait_s)
        batch = self._pending[:self._max]
        del self._pending[:len(batch)]
        return batch

    async def _write(self, batch: list[Held]) -> None:
        rows = [held.row for held in batch if held.row is not None]
        if not rows:
            return
        started = time.perf_counter()
        try:
            EVENTS_WRITTEN.inc(await self._insert(rows))
        except _BAD_DATA:
            # One event PostgreSQL refuses must not hold the queue: the others go in alone.
            for row in rows:
                await self._insert_or_drop(row)
        BATCH_SECONDS.observe(time.perf_counter() - started)

    async def _insert(self, rows: list[Row]) -> int:
        """Insert, retrying for as long as PostgreSQL is unreachable (the messages stay held);
        bad data is raised."""
        delay = 0.2
        while True:
            try:
                return await repository.insert_batch(self._pool, rows)
            except _BAD_DATA:
                raise
            except _DB_ERRORS as exc:
                WRITE_FAILURES.inc()
                log.warning("audit batch not written; retrying",
                            extra={"events": len(rows), "error": repr(exc), "retry_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_BACKOFF_S)

    async def _insert_or_drop(self, row: Row) -> None:
        try:
            EVENTS_WRITTEN.inc(await self._insert([row]))
        except _BAD_DATA as exc:
            EVENTS_DROPPED.labels("refused").inc()
            log.error("audit event refused by PostgreSQL, dropped",
                      extra={"event_id": row[0], "error": type(exc).__name__})

    async def _ack(self, batch: list[Held]) -> None:
        """One ``multiple`` ack per channel, up to the highest tag below any delivery still
        held (those are in a later batch); anything above it alone."""
        for channel in {id(h.channel): h.channel for h in batch}.values():
            if channel.is_closed:
                continue  # redelivered on the new channel; written once
            mine = sorted((h for h in batch if h.channel is channel),
                          key=lambda h: h.message.delivery_tag or 0)
            later = [h.message.delivery_tag or 0 for h in self._pending if h.channel is channel]
            bound = min(later, default=None)
            cut = len(mine) if bound is None else sum(
                1 for h in mine if (h.message.delivery_tag or 0) < bound)
            below, above = mine[:cut], mine[cut:]
            try:
                if below:
                    await below[-1].message.ack(multiple=True)
                for held in above:
                    await held.message.ack()
            except _ACK_ERRORS:
                log.warning("audit batch written but not acked (the broker redelivers it)")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None:
            await self._connection.close()


async def _connect(settings: AuditSettings, startup_wait: float) -> AbstractRobustConnection:
    return await connect_with_retry(settings.rabbitmq_url, 10, startup_wait,
                                    heartbeat=settings.amqp_heartbeat_s, product="atlas-audit")

"""The transactional outbox: an event that follows a database change is never lost.

A service writes the event into its schema's ``outbox`` table in the SAME transaction as the
change (:func:`enqueue`): both commit or neither does. An :class:`OutboxRelay` (one per replica;
any number may run) takes committed rows in id order, ``FOR UPDATE SKIP LOCKED`` so two relays
never take the same row, publishes each with the broker's confirm and deletes it in the same
database transaction. Delivery is at least once: a relay that dies between the confirm and its
commit leaves rows another relay publishes again, so consumers are idempotent by ``event_id``
(gateway caches and entitlements snapshots only drop entries; see docs/architecture.md).

The relay wakes on ``NOTIFY`` (sent by :func:`enqueue`, delivered at commit only), on a short
poll as a fallback, and on the bus's reconnect; while the broker is down it backs off. Each row
keeps the W3C ``traceparent`` of the request that wrote it, and is published under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import asyncpg
from opentelemetry import context as otel_context
from opentelemetry import propagate
from pydantic import ValidationError

from atlas_common.bus.connection import BROKER_ERRORS, BrokerUnavailable
from atlas_common.messages import BusMessage, parse_message

log = logging.getLogger(__name__)

#: The table each service's migrations create (run with ``search_path`` = the service's
#: schema). A test holds every service's migration to this text.
TABLE_DDL = """CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     text NOT NULL,
    type         text NOT NULL,
    body         jsonb NOT NULL,
    traceparent  text,
    created_at   timestamptz NOT NULL DEFAULT now()
);"""

#: A database that is down or restarting: the relay retries, nothing is lost.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


#: What makes one relay pass fail and the relay back off (nothing is lost: the rows stay).
_RETRIED: tuple[type[BaseException], ...] = (BrokerUnavailable, *BROKER_ERRORS, *DATABASE_ERRORS)


class OutboxBus(Protocol):
    """What the relay needs of :class:`atlas_common.bus.Bus`."""

    async def publish(self, message: BusMessage) -> None: ...

    def on_reconnect(self, callback: Any) -> None: ...


def _schema(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"invalid schema name {name!r}")
    return f'"{name}"'


def channel(schema: str) -> str:
    """The NOTIFY channel of a schema's outbox."""
    return f"atlas_outbox_{schema}"


def _current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


async def enqueue(conn: Any, schema: str, *messages: BusMessage) -> None:
    """Write ``messages`` into ``schema``'s outbox in ``conn``'s open transaction (refused
    outside one: the event must share the change's fate). Published after the commit."""
    if not messages:
        return
    if not conn.is_in_transaction():
        raise RuntimeError("outbox.enqueue outside a transaction")
    traceparent = _current_traceparent()
    await conn.executemany(
        f"INSERT INTO {_schema(schema)}.outbox (event_id, type, body, traceparent) "
        "VALUES ($1, $2, $3::jsonb, $4)",
        [(m.event_id, getattr(m, "type"), m.model_dump_json(), traceparent)  # noqa: B009
         for m in messages])
    await conn.execute("SELECT pg_notify($1, '')", channel(schema))


async def pending(db: Any, schema: str) -> int:
    """Rows not relayed yet (operators, tests)."""
    count: int = await db.fetchval(f"SELECT count(*) FROM {_schema(schema)}.outbox")
    return count


class OutboxRelay:
    """Relays one schema's outbox to the bus until stopped: ``start()``, ``stop()``."""

    def __init__(self, pool: Any, bus: OutboxBus, schema: str, *, batch_size: int = 100,
                 poll_s: float = 1.0, min_backoff_s: float = 0.1,
                 max_backoff_s: float = 2.0) -> None:
        self._pool, self._bus, self._schema = pool, bus, schema
        self._q = _schema(schema)
        self.batch_size, self.poll_s = batch_size, poll_s
        self._min_backoff, self._max_backoff = min_backoff_s, max_backoff_s
        self._wake = asyncio.Event()  # a commit's NOTIFY, or the poll
        self._reconnected = asyncio.Event()  # the broker is back: stop backing off
        self._listener: Any = None
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    async def start(self) -> None:
        self._bus.on_reconnect(self._on_reconnect)
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._schema}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._unlisten()

    def _on_reconnect(self) -> None:
        self._reconnected.set()
        self._wake.set()

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def _run(self) -> None:
        backoff = self._min_backoff
        while True:
            await self._listen()
            self._wake.clear()
            self._reconnected.clear()
            try:
                sent = await self.relay_once()
            except _RETRIED as exc:
                log.warning("outbox relay: will retry", extra={
                    "schema": self._schema, "error": repr(exc), "backoff_s": backoff})
                await self._wait(self._reconnected, backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            backoff = self._min_backoff
            if sent < self.batch_size:
                await self._wait(self._wake, self.poll_s)

    @staticmethod
    async def _wait(event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    async def relay_once(self) -> int:
        """Publish one batch of committed rows, oldest first; returns how many went out. The
        confirmed ones are deleted even when a later one fails (then the error is raised)."""
        failure: BaseException | None = None
        done: list[int] = []
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"SELECT id, event_id, body, traceparent FROM {self._q}.outbox "
                "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED", self.batch_size)
            for row in rows:
                try:
                    await self._publish(row)
                except BrokerUnavailable as exc:
                    failure = exc
                    break
                done.append(row["id"])
            if done:
                await conn.execute(f"DELETE FROM {self._q}.outbox WHERE id = ANY($1::bigint[])",
                                   done)
        self.published += len(done)
        if failure is not None:
            raise failure
        return len(done)

    async def _publish(self, row: Any) -> None:
        try:
            message = parse_message(row["body"])
        except ValidationError:
            # Unpublishable (written by a newer or broken release): it must not block the rest.
            log.error("outbox row is not a bus message: dropped", extra={
                "schema": self._schema, "event_id": row["event_id"]})
            return
        # A fresh context: the relay's own task must not become the event's parent.
        parent = propagate.extract({"traceparent": row["traceparent"] or ""},
                                   context=otel_context.Context())
        token = otel_context.attach(parent)
        try:
            await self._bus.publish(message)
        finally:
            otel_context.detach(token)

    async def _listen(self) -> None:
        """Hold one connection LISTENing; if it is lost the poll carries on until it is back."""
        if self._listener is not None and not self._listener.is_closed():
            return
        await self._unlisten()
        try:
            conn = await self._pool.acquire()
        except DATABASE_ERRORS:
            return
        try:
            await conn.add_listener(channel(self._schema), self._on_notify)
        except DATABASE_ERRORS:
            await self._pool.release(conn)
            return
        self._listener = conn

    async def _unlisten(self) -> None:
        conn, self._listener = self._listener, None
        if conn is None:
            return
        with contextlib.suppress(*DATABASE_ERRORS):
            await conn.remove_listener(channel(self._schema), self._on_notify)
        with contextlib.suppress(*DATABASE_ERRORS):
            await self._pool.release(conn)

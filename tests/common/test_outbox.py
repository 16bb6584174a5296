"""The transactional outbox on the real PostgreSQL and RabbitMQ (this run's database and vhost):
a rolled-back event is never published, committed ones go out in order with their traceparent,
two relays never publish one row twice, and every service's migration creates the same table."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from opentelemetry import trace

from atlas_common.bus import Bus, Delivery, names
from atlas_common.messages import KeyRevoked
from atlas_common.outbox import TABLE_DDL, OutboxRelay, enqueue, pending
from atlas_common.telemetry import setup_tracing
from tests.support.isolation import Isolation
from tests.support.polling import eventually

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = {
    "auth": ROOT / "services/auth/src/atlas_auth/migrations",
    "keys": ROOT / "services/keys/src/atlas_keys/migrations",
    "entitlements": ROOT / "services/entitlements/src/atlas_entitlements/migrations",
}


@pytest.fixture
async def pool(isolation: Isolation) -> AsyncIterator[asyncpg.Pool]:
    p = await asyncpg.create_pool(isolation.database_url, min_size=1, max_size=6)
    assert p is not None
    yield p
    await p.close()


@pytest.fixture
async def schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A schema of this test's own holding an outbox table, dropped afterwards."""
    name = f"outbox_{uuid.uuid4().hex[:8]}"
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f'CREATE SCHEMA "{name}"')
        await conn.execute(f'SET LOCAL search_path TO "{name}"')
        await conn.execute(TABLE_DDL)
    yield name
    await pool.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture
async def bus(isolation: Isolation) -> AsyncIterator[Bus]:
    setup_tracing("tests")
    b = await Bus.connect(isolation.rabbitmq_url, delivery_limit=3)
    yield b
    await b.close()


class Received:
    """Every ``key.revoked`` of this test (its marker), as delivered."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.events: list[tuple[KeyRevoked, Delivery]] = []

    async def handle(self, message: KeyRevoked, delivery: Delivery) -> None:
        if message.workspace_id == self.marker:
            self.events.append((message, delivery))

    @property
    def key_ids(self) -> list[str]:
        return [m.key_id for m, _ in self.events]


async def listening(bus: Bus) -> Received:
    received = Received(uuid.uuid4().hex)
    await bus.subscribe_events([names.KEY_REVOKED], received.handle)
    return received


def revoked(received: Received, tag: str, n: int) -> list[KeyRevoked]:
    return [KeyRevoked(key_id=f"{tag}-{i:04d}", workspace_id=received.marker) for i in range(n)]


async def _none_pending(pool: asyncpg.Pool, schema: str) -> bool:
    return await pending(pool, schema) == 0


async def test_rolled_back_never_published_committed_in_order(
        pool: asyncpg.Pool, schema: str, bus: Bus) -> None:
    received = await listening(bus)
    relay = OutboxRelay(pool, bus, schema)
    await relay.start()
    try:
        with pytest.raises(RuntimeError, match="rolled back"):
            async with pool.acquire() as conn, conn.transaction():
                await enqueue(conn, schema, *revoked(received, "rolled-back", 20))
                raise RuntimeError("rolled back")
        committed = revoked(received, "committed", 20)
        for start in range(0, 20, 5):  # four transactions, in order
            async with pool.acquire() as conn, conn.transaction():
                await enqueue(conn, schema, *committed[start:start + 5])
        await eventually(lambda: len(received.events) >= 20, timeout=15,
                         what="the 20 committed events")
        # The rolled-back batch was written before the committed ones: it would be out first.
        assert received.key_ids == [m.key_id for m in committed]
        assert [m.event_id for m, _ in received.events] == [m.event_id for m in committed]
        # a batch is deleted once its publish is confirmed, a moment after it was received
        await eventually(lambda: _none_pending(pool, schema), timeout=10,
                         what="every row deleted")
    finally:
        await relay.stop()


async def test_published_under_the_writers_traceparent(
        pool: asyncpg.Pool, schema: str, bus: Bus) -> None:
    received = await listening(bus)
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("revoke request") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        async with pool.acquire() as conn, conn.transaction():
            await enqueue(conn, schema, *revoked(received, "traced", 1))
    relay = OutboxRelay(pool, bus, schema)
    await relay.start()
    try:
        await eventually(lambda: received.events, timeout=15, what="the traced event")
    finally:
        await relay.stop()
    _, delivery = received.events[0]
    assert delivery.headers["traceparent"].split("-")[1] == trace_id


async def test_two_relays_never_publish_one_row_twice(
        pool: asyncpg.Pool, schema: str, bus: Bus) -> None:
    received = await listening(bus)
    events = revoked(received, "shared", 300)
    async with pool.acquire() as conn, conn.transaction():
        await enqueue(conn, schema, *events)
    relays = [OutboxRelay(pool, bus, schema, batch_size=10) for _ in range(2)]
    await asyncio.gather(*(r.start() for r in relays))
    try:
        await eventually(lambda: len(received.events) >= 300, timeout=30,
                         what="the 300 events")
        # a batch is deleted once its publish is confirmed, a moment after it was received
        await eventually(lambda: _none_pending(pool, schema), timeout=10,
                         what="every row deleted")
    finally:
        await asyncio.gather(*(r.stop() for r in relays))
    ids = [m.event_id for m, _ in received.events]
    assert sorted(ids) == sorted(m.event_id for m in events)  # each once, none twice
    assert sum(r.published for r in relays) == 300
    assert all(r.published > 0 for r in relays), [r.published for r in relays]


async def test_enqueue_outside_a_transaction_is_refused(pool: asyncpg.Pool, schema: str) -> None:
    async with pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            await enqueue(conn, schema, KeyRevoked(key_id="k", workspace_id="w"))
    assert await pending(pool, schema) == 0


@pytest.mark.parametrize("service", sorted(MIGRATIONS))
def test_every_service_migration_creates_the_shared_outbox_table(service: str) -> None:
    texts = [p.read_text() for p in sorted(MIGRATIONS[service].glob("*.sql"))]
    assert any(TABLE_DDL in text for text in texts), f"{service}: no outbox migration"

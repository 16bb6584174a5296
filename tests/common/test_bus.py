"""The bus on the real RabbitMQ (this run's vhost): acks, retries, dead letters, headers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from atlas_common.bus import Bus, Delivery, RetryableError, TerminalError, names
from atlas_common.messages import Message, QueryRequested
from atlas_common.principal import ANONYMOUS
from atlas_common.telemetry import setup_tracing
from tests.support.isolation import Isolation


@pytest.fixture(scope="module")
def vhost() -> Iterator[str]:
    """A vhost of these tests' own: they declare the job queue with a small delivery limit."""
    iso = Isolation().create()
    yield iso.rabbitmq_url
    iso.remove()


@pytest.fixture
async def bus(vhost: str) -> AsyncIterator[Bus]:
    setup_tracing("tests")  # as every Atlas process does: spans are real, so is traceparent
    b = await Bus.connect(vhost, delivery_limit=3)
    yield b
    await b.close()


def job(marker: str) -> QueryRequested:
    return QueryRequested(
        request_id=uuid.uuid4().hex, question=marker, principal=ANONYMOUS, deadline=time.time() + 60
    )


async def drain(bus: Bus, queue: str, handler, until, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    channel, q, tag = await bus.consume(queue, handler, prefetch=10)
    try:
        deadline = time.monotonic() + timeout
        while not until() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        await q.cancel(tag)
        await channel.close()
    assert until(), "condition not reached"


async def test_confirmed_job_is_consumed_with_trace_context(bus: Bus) -> None:
    sent = job("plain")
    await bus.publish(sent, expiration=60)
    got: list[tuple[Message, Delivery]] = []

    async def handler(message: Message, delivery: Delivery) -> None:
        if isinstance(message, QueryRequested) and message.request_id == sent.request_id:
            got.append((message, delivery))

    await drain(bus, names.QUERY_REQUESTED, handler, lambda: got)
    message, delivery = got[0]
    assert message == sent
    assert delivery.attempt == 1
    assert "traceparent" in delivery.headers


async def test_retryable_error_redelivers_with_a_higher_attempt(bus: Bus) -> None:
    sent = job("retry")
    await bus.publish(sent, expiration=60)
    attempts: list[int] = []

    async def handler(message: Message, delivery: Delivery) -> None:
        if isinstance(message, QueryRequested) and message.request_id == sent.request_id:
            attempts.append(delivery.attempt)
            if delivery.attempt == 1:
                raise RetryableError("try again")

    await drain(bus, names.QUERY_REQUESTED, handler, lambda: len(attempts) >= 2)
    assert attempts[:2] == [1, 2]


async def test_terminal_error_and_delivery_limit_dead_letter(bus: Bus) -> None:
    terminal, poison = job("terminal"), job("poison")
    await bus.publish(terminal, expiration=60)
    await bus.publish(poison, expiration=60)

    async def handler(message: Message, delivery: Delivery) -> None:
        assert isinstance(message, QueryRequested)
        if message.request_id == terminal.request_id:
            raise TerminalError("never")
        if message.request_id == poison.request_id:
            raise RuntimeError("crashes every time")

    dead: list[str] = []

    async def dead_handler(message: Message, delivery: Delivery) -> None:
        assert isinstance(message, QueryRequested)
        dead.append(message.request_id)

    consumer = asyncio.create_task(
        drain(
            bus,
            names.QUERY_REQUESTED,
            handler,
            lambda: {terminal.request_id, poison.request_id} <= set(dead),
            timeout=20,
        )
    )
    await drain(
        bus,
        names.QUERY_REQUESTED_DEAD,
        dead_handler,
        lambda: {terminal.request_id, poison.request_id} <= set(dead),
        timeout=20,
    )
    await consumer


async def test_consumer_count_sees_consumers(bus: Bus) -> None:
    async def handler(message: Message, delivery: Delivery) -> None:
        return None

    before = await bus.consumer_count()
    channel, q, tag = await bus.consume(names.QUERY_REQUESTED, handler, prefetch=1)
    assert await bus.consumer_count() == before + 1
    await q.cancel(tag)
    await channel.close()
    assert await bus.consumer_count() == before

"""The bus on the real RabbitMQ (this run's vhost): acks, retries, dead letters, headers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import aio_pika
import pytest

from atlas_common.bus import Bus, Delivery, RetryableError, TerminalError, names
from atlas_common.messages import (
    MESSAGE_TYPES,
    BusMessage,
    KeyRevoked,
    Message,
    QueryRequested,
    UserDeactivated,
)
from atlas_common.principal import ANONYMOUS
from atlas_common.telemetry import setup_tracing
from tests.support.isolation import Isolation
from tests.support.polling import eventually


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


async def drain(bus: Bus, queue: str, handler, until, timeout: float = 10,  # type: ignore[no-untyped-def]
                message_type: type[BusMessage] = QueryRequested) -> None:
    channel, q, tag = await bus.consume(queue, handler, message_type=message_type, prefetch=10)
    try:
        await eventually(until, timeout=timeout, interval=0.02, what=f"the messages of {queue}")
    finally:
        await q.cancel(tag)
        await channel.close()


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
    channel, q, tag = await bus.consume(names.QUERY_REQUESTED, handler,
                                        message_type=QueryRequested, prefetch=1)
    assert await bus.consumer_count() == before + 1
    await q.cancel(tag)
    await channel.close()
    assert await bus.consumer_count() == before


def test_every_routing_key_is_the_type_of_exactly_one_message() -> None:
    constants = {k: v for k, v in vars(names).items() if k.isupper() and isinstance(v, str)}
    declared = set(names.EXCHANGES) | set(names.QUEUES) | set(names.ROUTING_KEYS)
    assert set(constants.values()) <= declared, "a name in names.py that is none of the three"
    types = [cls.model_fields["type"].default for cls in MESSAGE_TYPES.values()]
    assert len(types) == len(set(types)) == len(MESSAGE_TYPES)
    assert sorted(names.ROUTING_KEYS) == sorted(MESSAGE_TYPES)


async def test_a_message_of_another_type_is_dead_lettered_and_logged(
    bus: Bus, vhost: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A key.revoked sent to the jobs queue never reaches the job handler: it goes to the
    dead letters, with an error in the log."""
    stray = KeyRevoked(key_id=uuid.uuid4().hex, workspace_id="w")
    connection = await aio_pika.connect(vhost)
    async with connection:
        channel = await connection.channel()
        jobs = await channel.get_exchange(names.JOBS_EXCHANGE)
        await jobs.publish(aio_pika.Message(stray.model_dump_json().encode()),
                           names.QUERY_REQUESTED)
    handled: list[Message] = []
    dead: list[str] = []

    async def handler(message: QueryRequested, delivery: Delivery) -> None:
        handled.append(message)

    async def dead_handler(message: KeyRevoked, delivery: Delivery) -> None:
        dead.append(message.key_id)

    consumer = asyncio.create_task(drain(bus, names.QUERY_REQUESTED, handler,
                                         lambda: stray.key_id in dead, timeout=20))
    await drain(bus, names.QUERY_REQUESTED_DEAD, dead_handler, lambda: stray.key_id in dead,
                timeout=20, message_type=KeyRevoked)
    await consumer
    assert not handled
    assert any("does not carry" in r.getMessage() and getattr(r, "type", "") == "key.revoked"
               for r in caplog.records)


async def test_the_keys_deactivation_queue_exists_before_the_keys_service(bus: Bus) -> None:
    """Every process declares it: a deactivation published before keys first starts waits."""
    sent = UserDeactivated(user_id=uuid.uuid4().hex)
    await bus.publish(sent)
    got: list[str] = []

    async def handler(message: UserDeactivated, delivery: Delivery) -> None:
        got.append(message.user_id)

    await drain(bus, names.KEYS_DEACTIVATIONS_QUEUE, handler, lambda: sent.user_id in got,
                message_type=UserDeactivated)

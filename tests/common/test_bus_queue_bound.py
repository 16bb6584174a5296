"""The bound of query.requested on the real broker: a full queue nacks (QueueFull, never a
silent drop), and a process whose declaration differs from the existing queue's (a deployment
from before the bound, another ATLAS_QUERY_QUEUE_MAX_LENGTH) still starts and uses the queue as
it is, saying so in its log, instead of failing with PRECONDITION_FAILED (issue 22)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from atlas_common.bus import Bus, Delivery, QueueFull, names
from atlas_common.messages import KeyRevoked, QueryRequested
from atlas_common.principal import Principal
from tests.support.isolation import Isolation, create_vhost, delete_vhost
from tests.support.polling import eventually

#: Quorum queues apply the bound a little late (a publish or two past it); far above that.
MAX_ATTEMPTS = 10


@pytest_asyncio.fixture
async def vhost(isolation: Isolation) -> AsyncIterator[str]:
    name = f"{isolation.name}_bound_{uuid.uuid4().hex[:6]}"
    url = create_vhost(name)
    yield url
    delete_vhost(name)


def job() -> QueryRequested:
    return QueryRequested(request_id=uuid.uuid4().hex, question="q",
                          principal=Principal(user_id="u", role="analyst"), deadline=1e12)


async def publish_until_refused(bus: Bus) -> int:
    """How many jobs the queue took before it refused one."""
    for taken in range(MAX_ATTEMPTS):
        try:
            await bus.publish(job())
        except QueueFull:
            return taken
    raise AssertionError(f"{MAX_ATTEMPTS} publishes and no refusal")


async def taken_by(bus: Bus) -> bool:
    try:
        await bus.publish(job())
    except QueueFull:
        return False
    return True


async def test_a_full_queue_nacks_and_a_drained_one_takes_again(vhost: str) -> None:
    bus = await Bus.connect(vhost, delivery_limit=5, query_max_length=2)
    try:
        taken = await publish_until_refused(bus)
        assert taken >= 2
        seen: list[str] = []

        async def drain(message: QueryRequested, delivery: Delivery) -> None:
            seen.append(message.request_id)

        await bus.consume(names.QUERY_REQUESTED, drain, message_type=QueryRequested, prefetch=10)
        # Room again once the consumer has taken the waiting jobs (the consumer starts async).
        assert await eventually(lambda: taken_by(bus), what="a publish accepted again")
    finally:
        await bus.close()


async def test_another_bound_uses_the_existing_queue_and_warns(
    vhost: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = await Bus.connect(vhost, delivery_limit=5, query_max_length=2)
    with caplog.at_level(logging.WARNING, logger="atlas_common.bus.connection"):
        unbounded = await Bus.connect(vhost, delivery_limit=5, query_max_length=0)
    try:
        assert "query.requested exists with other arguments" in caplog.text
        assert await unbounded.consumer_count() == 0  # the topology is there and usable
        await unbounded.publish(KeyRevoked(key_id="k", workspace_id="w"))  # events still flow
        assert await publish_until_refused(unbounded) >= 2  # the existing queue's bound holds
    finally:
        await unbounded.close()
        await first.close()

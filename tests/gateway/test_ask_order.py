"""The order of asking, on the real broker and Redis: no worker -> refused before anything is
queued; otherwise the gateway listens on the request's stream before it publishes the job."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from atlas_common import workers
from atlas_common.bus import Bus, Delivery, names
from atlas_common.errors import Unavailable
from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal
from atlas_gateway.main import _open_state
from atlas_gateway.runs import RunRegistry
from atlas_gateway.service.ask import AskService, Question
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.state import GatewayState
from tests.support.isolation import Isolation, create_vhost, delete_vhost
from tests.support.polling import eventually


@pytest.fixture
async def state(isolation: Isolation) -> AsyncIterator[GatewayState]:
    vhost = f"{isolation.name}_ask"
    url = create_vhost(vhost)  # a vhost of its own: no worker of another test consumes here
    settings = GatewaySettings(database_url=isolation.database_url, rabbitmq_url=url,
                               redis_url=isolation.redis_url, redis_prefix=isolation.redis_prefix)
    try:
        async with AsyncExitStack() as stack:
            yield await _open_state(settings, stack)
    finally:
        delete_vhost(vhost)


def question() -> Question:
    return Question(request_id=uuid.uuid4().hex, text="How many users?",
                    principal=Principal(user_id="u", role="analyst"))


async def test_no_worker_is_refused_before_anything_is_queued(state: GatewayState) -> None:
    service = AskService(state, RunRegistry(state.redis, state.settings))
    with pytest.raises(Unavailable):
        await service.start(question())
    assert await state.bus.consumer_count() == 0
    channel = await state.bus._connection.channel()  # a passive look: nothing was published
    queue = await channel.declare_queue(names.QUERY_REQUESTED, passive=True)
    assert queue.declaration_result.message_count == 0
    await channel.close()


async def test_the_stream_is_listened_to_before_the_job_is_published(
    state: GatewayState,
) -> None:
    """The worker's side looks at the channel the moment the job arrives: someone listens.
    (Always true in the right order; the wrong order loses this race most runs.)"""
    listeners: dict[str, int] = {}

    async def worker(message: QueryRequested, delivery: Delivery) -> None:
        listeners[message.request_id] = await state.hub.listener_count(message.request_id)

    bus: Bus = state.bus
    channel, queue, tag = await bus.consume(names.QUERY_REQUESTED, worker,
                                            message_type=QueryRequested, prefetch=1)
    # A worker the gateway counts both consumes and beats in the registry.
    await workers.beat(state.redis, state.settings.redis_prefix, "test-worker", forget_s=60)
    try:
        asked = question()
        run = await AskService(state, RunRegistry(state.redis, state.settings)).start(asked)
        await eventually(lambda: asked.request_id in listeners, what="the job delivered")
        assert listeners[asked.request_id] == 1
        await run.stack.aclose()
    finally:
        await queue.cancel(tag)
        await channel.close()

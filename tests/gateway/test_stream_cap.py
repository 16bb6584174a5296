"""The cap on open streams (ATLAS_GATEWAY_MAX_OPEN_STREAMS, issue 27): past it a new chat or a
resume is refused with 503 ``overloaded`` and a Retry-After, and a slot is free again when a
stream ends, by its last event or by the client hanging up.

One gateway for the module runs in this process under uvicorn, on the run's database, a vhost
of its own and
the run's Redis prefix; the caller is fixed (the principal dependency overridden: no auth
service here); a stand-in worker consumes ``query.requested`` and beats, answering nothing, so
each stream stays open until the test ends it with a ``done`` event or hangs up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest_asyncio
import uvicorn
from redis.asyncio import Redis

from atlas_common import workers
from atlas_common.bus import Delivery, names
from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal
from atlas_common.service import APP_STATE
from atlas_common.stream import StreamWriter
from atlas_common.stream_events import DoneEvent
from atlas_gateway.admission import Admission
from atlas_gateway.deps import get_principal
from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.state import GatewayState
from tests.support.isolation import Isolation, create_vhost, delete_vhost
from tests.support.polling import eventually
from tests.support.stack import free_port

CAP = 2
BODY = {"messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": "How?"}]}]}


@dataclass
class Gateway:
    url: str
    settings: GatewaySettings
    admission: Admission


async def caller() -> Principal:
    return Principal(user_id="cap-test", role="analyst")


async def idle_worker(message: QueryRequested, delivery: Delivery) -> None:
    """Takes the job and says nothing: the stream stays open until the test ends it."""


@pytest_asyncio.fixture(scope="module")
async def gateway(isolation: Isolation) -> AsyncIterator[Gateway]:
    vhost = f"{isolation.name}_streamcap"
    url = create_vhost(vhost)
    settings = GatewaySettings(
        database_url=isolation.database_url,
        rabbitmq_url=url,
        redis_url=isolation.redis_url,
        redis_prefix=isolation.redis_prefix,
        max_open_streams=CAP,
        max_in_flight=10,
    )
    app = create_app(settings)
    app.dependency_overrides[get_principal] = caller
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, what="the gateway serving")
        state: GatewayState = getattr(app.state, APP_STATE)
        await state.bus.consume(
            names.QUERY_REQUESTED, idle_worker, message_type=QueryRequested, prefetch=10
        )
        await workers.beat(state.redis, isolation.redis_prefix, "cap-worker", forget_s=60)
        await eventually(lambda: _worker_seen(state), timeout=15, what="the worker seen")
        yield Gateway(f"http://127.0.0.1:{port}", settings, state.admission)
    finally:
        server.should_exit = True
        await serving
        delete_vhost(vhost)


async def _worker_seen(state: GatewayState) -> bool:
    return await state.presence.refusal() is None


@dataclass
class Stream:
    response: httpx.Response
    lines: AsyncIterator[str]  # kept: a line iterator collected closes its response


async def open_chat(stack: AsyncExitStack, client: httpx.AsyncClient, url: str) -> Stream:
    response = await stack.enter_async_context(
        client.stream("POST", url + "/api/v1/chat", json=BODY)
    )
    stream = Stream(response, response.aiter_lines())
    if response.status_code == 200:
        await anext(stream.lines)  # the start frame: the stream is open
    return stream


async def test_the_cap_refuses_the_next_stream_and_a_finished_one_frees_its_slot(
    gateway: Gateway,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client, AsyncExitStack() as stack:
        first = await open_chat(stack, client, gateway.url)
        second = await open_chat(stack, client, gateway.url)
        assert (first.response.status_code, second.response.status_code) == (200, 200)
        assert gateway.admission.open_streams == CAP
        refused = await client.post(gateway.url + "/api/v1/chat", json=BODY)
        assert refused.status_code == 503
        assert refused.json()["error"] == "overloaded"
        assert int(refused.headers["retry-after"]) >= 1
        resumed = await client.get(
            f"{gateway.url}/api/v1/chat/{first.response.headers['x-request-id']}/stream",
            headers={"last-event-id": "0-0"},
        )
        assert resumed.status_code == 503 and resumed.json()["error"] == "overloaded"

        await _finish(gateway, first.response)
        assert [line async for line in first.lines if line][-1] == "data: [DONE]"
        await eventually(lambda: gateway.admission.open_streams == 1, what="the slot freed")
        third = await open_chat(stack, client, gateway.url)
        assert third.response.status_code == 200


async def test_a_client_hanging_up_frees_its_slot(gateway: Gateway) -> None:
    await eventually(lambda: gateway.admission.open_streams == 0, what="no stream left open")
    async with httpx.AsyncClient(timeout=10) as client:
        async with AsyncExitStack() as stack:
            opened = [await open_chat(stack, client, gateway.url) for _ in range(CAP)]
            assert [s.response.status_code for s in opened] == [200] * CAP
            assert gateway.admission.open_streams == CAP
        # Both responses closed unread: the client hung up on two open streams.
        await eventually(lambda: gateway.admission.open_streams == 0, what="the slots freed")
        async with AsyncExitStack() as stack:
            again = [await open_chat(stack, client, gateway.url) for _ in range(CAP)]
            assert [r.response.status_code for r in again] == [200] * CAP


async def _finish(gateway: Gateway, response: httpx.Response) -> None:
    """The worker's side: the stream's last event."""
    s = gateway.settings
    redis = Redis.from_url(s.redis_url)
    try:
        writer = StreamWriter(
            redis, s.redis_prefix, response.headers["x-request-id"], 1, ttl_s=60, max_events=10
        )
        await writer.emit(DoneEvent())
    finally:
        await redis.aclose()

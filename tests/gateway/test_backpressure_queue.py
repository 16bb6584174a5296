"""The bounded job queue, on the real broker, Redis and entitlements service: a publish the full
queue nacks is 503 ``overloaded`` with a Retry-After (not a 500, not a hang) and the question's
unit is refunded; a broker that is gone is 503 ``unavailable``, also with a Retry-After and a
refund (issue 22)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import aio_pika
import httpx
import pytest
import pytest_asyncio

from atlas_common.bus import names
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.errors import AtlasError, Overloaded, Unavailable
from atlas_common.principal import Principal
from atlas_entitlements.main import create_app as entitlements_app
from atlas_gateway.main import _open_state
from atlas_gateway.presence import WorkerStatus
from atlas_gateway.refreshed import Refreshed
from atlas_gateway.runs import RunRegistry
from atlas_gateway.service.ask import AskService, Question, Run
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.state import GatewayState
from tests.entitlements.support import INTERNAL, make_settings, serve, write_plans
from tests.support.inprocess import isolated
from tests.support.isolation import (
    Isolation,
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
)
from tests.support.polling import eventually

PLANS = """
features:
  query:   {type: boolean}
  queries: {type: metered, unit: question, reset: month}
plans:
  free:
    default: true
    features: {query: true, queries: {limit: 100}}
"""
MAX_LENGTH = 1
#: Quorum queues apply the bound a little late (a publish or two past it); far above that.
MAX_ATTEMPTS = 10


@pytest.fixture(scope="module")
def bp_isolation(isolation: Isolation) -> Iterator[tuple[str, str]]:
    """A database for the entitlements service and a vhost where nobody consumes jobs."""
    name = f"{isolation.name}_bp"
    database_url, rabbitmq_url = create_database(name), create_vhost(name)
    yield database_url, rabbitmq_url
    delete_vhost(name)
    drop_database(name)


@pytest_asyncio.fixture(scope="module")
async def entitlements_url(bp_isolation: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
                           ) -> AsyncIterator[str]:
    plans = write_plans(tmp_path_factory.mktemp("bp_plans"), PLANS)
    database_url, rabbitmq_url = bp_isolation
    settings = make_settings(DATABASE_URL=database_url, ATLAS_RABBITMQ_URL=rabbitmq_url,
                             ATLAS_ENV="test", ATLAS_PLANS_FILE=str(plans),
                             ATLAS_QUERY_QUEUE_MAX_LENGTH=MAX_LENGTH)  # it declares the queue too
    async with serve(entitlements_app(settings)) as url:
        yield url


@pytest_asyncio.fixture
async def state(isolation: Isolation, bp_isolation: tuple[str, str], entitlements_url: str,
                tmp_path: Path) -> AsyncIterator[GatewayState]:
    settings = GatewaySettings(database_url=isolation.database_url,
                               rabbitmq_url=bp_isolation[1], redis_url=isolation.redis_url,
                               redis_prefix=isolation.redis_prefix,
                               query_queue_max_length=MAX_LENGTH)
    gate = isolated(EntitlementsSettings)(entitlements_url=entitlements_url,
                                          plans_file=str(tmp_path / "on"))  # the gate is on
    async with AsyncExitStack() as stack:
        state = await _open_state(settings, stack)
        state.entitlements = EntitlementsClient(gate)
        stack.push_async_callback(state.entitlements.aclose)
        # Not the subject here: no worker consumes, so every job stays in the queue.
        state.presence.workers = Refreshed("one worker", _one_worker, interval_s=3600)
        await state.presence.workers.refresh()
        yield state
    await _purge(settings.rabbitmq_url)  # the next test starts with an empty queue


async def _one_worker() -> WorkerStatus:
    return WorkerStatus(1)


async def _purge(url: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await (await channel.declare_queue(names.QUERY_REQUESTED, passive=True)).purge()


def question(customer: str) -> Question:
    return Question(request_id=uuid.uuid4().hex, text="How many users?",
                    principal=Principal(user_id="u", workspace_id=customer, role="analyst"))


async def used(entitlements_url: str, customer: str) -> int:
    async with httpx.AsyncClient(base_url=entitlements_url, headers=INTERNAL) as client:
        r = await client.post("/internal/v1/check", json={"customer_id": customer,
                                                           "feature": "queries", "requested": 0})
    return int(r.json()["used"])


async def ask_until_refused(service: AskService, customer: str
                            ) -> tuple[list[Run], AtlasError | None]:
    accepted: list[Run] = []
    for _ in range(MAX_ATTEMPTS):
        try:
            accepted.append(await service.start(question(customer)))
        except AtlasError as exc:
            return accepted, exc
    return accepted, None


def assert_retry_after(error: AtlasError) -> None:
    seconds = int(error.headers["Retry-After"])  # an integer, or this raises
    assert seconds >= 1
    assert error.extra["retryAfterSeconds"] == seconds


async def test_a_full_queue_refuses_with_overloaded_and_refunds(
    state: GatewayState, entitlements_url: str
) -> None:
    customer = f"bp-{uuid.uuid4().hex[:8]}"
    service = AskService(state, RunRegistry(state.redis, state.settings))
    accepted, refusal = await ask_until_refused(service, customer)
    try:
        assert isinstance(refusal, Overloaded), refusal
        assert (refusal.status_code, refusal.code) == (503, "overloaded")
        assert_retry_after(refusal)
        assert len(accepted) >= MAX_LENGTH
        # Each accepted question spent its unit; the refused one got it back.
        assert await eventually(lambda: _used_is(entitlements_url, customer, len(accepted)),
                                what="the refused question's unit refunded")
    finally:
        for run in accepted:
            await run.stack.aclose()


async def test_a_broker_gone_is_unavailable_with_retry_after_and_refunds(
    state: GatewayState, entitlements_url: str
) -> None:
    customer = f"bp-{uuid.uuid4().hex[:8]}"
    service = AskService(state, RunRegistry(state.redis, state.settings))
    await state.bus.close()
    with pytest.raises(Unavailable) as caught:
        await service.start(question(customer))
    assert (caught.value.status_code, caught.value.code) == (503, "unavailable")
    assert_retry_after(caught.value)
    assert await eventually(lambda: _used_is(entitlements_url, customer, 0),
                            what="the unqueued question's unit refunded")


async def _used_is(entitlements_url: str, customer: str, expected: int) -> bool:
    return await used(entitlements_url, customer) == expected

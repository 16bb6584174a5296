"""The consumer across a broker restart: a private RabbitMQ restarted while events are
published; every confirmed event is written exactly once."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import pytest

from atlas_common.bus import BrokerUnavailable, Bus
from atlas_common.messages import QueryAnswered
from tests.audit.conftest import answered, unique_workspace
from tests.support.polling import eventually
from tests.support.rabbitmq_server import PrivateRabbitMQ
from tests.support.stacks import isolated_stack

EVENTS = 1500
RESTART_AFTER = 300


@dataclass
class Private:
    broker: PrivateRabbitMQ
    database_url: str


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Private]:
    directory = tmp_path_factory.mktemp("audit-broker")
    broker = PrivateRabbitMQ(directory / "rabbitmq").start()
    env = {"ATLAS_RABBITMQ_URL": broker.url, "ATLAS_AUDIT_BATCH_MAX": "200"}
    try:
        with isolated_stack(directory, env) as (stack, iso):
            stack.start_audit()
            yield Private(broker, iso.database_url)
    finally:
        broker.stop()


async def _publish_until_confirmed(bus: Bus, event: QueryAnswered) -> int:
    """At least once, as the outbox relays do: a lost confirm publishes again. Returns the
    failed attempts."""
    for failures in range(600):
        try:
            await bus.publish(event, timeout=2)
            return failures
        except BrokerUnavailable:
            await asyncio.sleep(0.1)
    raise AssertionError("the broker never came back")


async def test_no_event_lost_or_doubled_across_a_broker_restart(private: Private) -> None:
    workspace = unique_workspace()
    events = [answered(workspace, question=f"q{i}") for i in range(EVENTS)]
    bus = await Bus.connect(private.broker.url, delivery_limit=5)
    restart = threading.Thread(target=private.broker.restart)
    failures = 0
    try:
        for i, event in enumerate(events):
            if i == RESTART_AFTER:
                restart.start()
            if restart.is_alive():
                await asyncio.sleep(0.01)  # keep publishing across the whole restart
            failures += await _publish_until_confirmed(bus, event)
        await asyncio.to_thread(restart.join, 120)
    finally:
        await bus.close()
    db = await asyncpg.connect(private.database_url)
    try:
        async def written() -> bool:
            count: int = await db.fetchval(
                "SELECT count(*) FROM audit.events WHERE workspace_id = $1", workspace)
            return count >= EVENTS
        await eventually(written, timeout=90, what="every event written")
        rows = await db.fetch("SELECT event_id FROM audit.events WHERE workspace_id = $1",
                              workspace)
    finally:
        await db.close()
    assert failures > 0, "the restart did not overlap the publishing"
    assert sorted(r["event_id"] for r in rows) == sorted(e.event_id for e in events)

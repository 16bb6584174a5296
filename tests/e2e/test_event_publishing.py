"""docs/events.md's example, run as another service would run it: a separate process using
aio-pika only, against the local RabbitMQ on a vhost of this module's own.

Before Atlas ever ran on the vhost the example refuses (no exchange, exit 2); with the exchange
but no queue bound the message is returned (exit 0, ``unroutable``); with Atlas's topology the
audit trail's durable queue keeps it (``confirmed``, nobody attached); with an attached
EntitlementsClient (the code every gateway, keys service and query worker runs) the customer's
cached snapshot is dropped, and the message on the wire is what the AsyncAPI document says."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aio_pika
import jsonschema
import pytest
import yaml
from aio_pika.abc import AbstractIncomingMessage

from atlas_common.bus import Bus, names
from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings
from atlas_common.entitlements._models import Snapshot
from atlas_common.messages import SubscriptionChanged, parse_message
from tests.support.isolation import create_vhost, delete_vhost
from tests.support.polling import eventually

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "events" / "publish_subscription_changed.py"
CUSTOMER = "ws-billing-1"


@pytest.fixture(scope="module")
def vhost() -> Iterator[str]:
    """A fresh vhost: the first test needs one where Atlas never declared its topology."""
    name = f"atlas_test_events_{uuid.uuid4().hex[:10]}"
    url = create_vhost(name)
    try:
        yield url
    finally:
        delete_vhost(name)


async def run_example(url: str, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE),
        "--url",
        url,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def payload_schema(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text(encoding="utf-8"))
    return {
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": doc["components"]["schemas"]},
    }


async def test_refused_where_atlas_never_ran(vhost: str) -> None:
    code, _, err = await run_example(vhost, "--customer-id", CUSTOMER, "--version", "1")
    assert code == 2
    assert "no exchange atlas.events" in err


async def test_unroutable_when_no_queue_is_bound(vhost: str) -> None:
    connection = await aio_pika.connect(vhost)
    try:  # the exchange alone: as on a broker whose Atlas predates the audit trail's queue
        channel = await connection.channel()
        await channel.declare_exchange(names.EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC,
                                       durable=True)
    finally:
        await connection.close()
    code, out, _ = await run_example(vhost, "--customer-id", CUSTOMER, "--version", "1")
    assert code == 0
    assert json.loads(out)["outcome"] == "unroutable"


async def test_kept_for_the_audit_trail_with_nobody_attached(vhost: str) -> None:
    bus = await Bus.connect(vhost, delivery_limit=5)  # the topology, as any Atlas process
    await bus.close()
    code, out, _ = await run_example(vhost, "--customer-id", CUSTOMER, "--version", "2")
    assert code == 0
    published = json.loads(out)
    assert published["outcome"] == "confirmed"
    connection = await aio_pika.connect(vhost)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(names.AUDIT_QUEUE, passive=True)
        message = await queue.get(timeout=5)
        assert message is not None
        await message.ack()
        kept = parse_message(message.body)
        assert isinstance(kept, SubscriptionChanged) and kept.event_id == published["event_id"]
    finally:
        await connection.close()


async def test_an_attached_client_drops_the_customer_snapshot(vhost: str) -> None:
    bus = await Bus.connect(vhost, delivery_limit=5)
    client = EntitlementsClient(EntitlementsSettings())
    try:
        await client.attach(bus)
        async with _tap(vhost) as wire:
            await _publish_and_see_it_dropped(client, wire, vhost)
    finally:
        await client.aclose()
        await bus.close()


async def _publish_and_see_it_dropped(
    client: EntitlementsClient, wire: aio_pika.abc.AbstractQueue, vhost: str
) -> None:
    assert client.cache.put(Snapshot(customer_id=CUSTOMER, version=6), client.cache.begin())
    assert client.cache.fresh(CUSTOMER) is not None

    code, out, err = await run_example(vhost, "--customer-id", CUSTOMER, "--version", "7")
    assert code == 0, err
    published = json.loads(out)
    assert published["outcome"] == "confirmed"

    await eventually(
        lambda: client.cache.fresh(CUSTOMER) is None,
        timeout=10,
        what="the example's event to drop the cached snapshot",
    )
    assert client.cache.floor(CUSTOMER) == 7  # an older read is no longer stored
    assert not client.cache.put(Snapshot(customer_id=CUSTOMER, version=6), client.cache.begin())
    await _check_wire(wire, published["event_id"])


@asynccontextmanager
async def _tap(url: str) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A queue of the test's own bound like the clients' ones, to look at the raw message."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(names.EVENTS_EXCHANGE, names.SUBSCRIPTION_CHANGED)
        yield queue
    finally:
        await connection.close()


async def _check_wire(queue: aio_pika.abc.AbstractQueue, event_id: str) -> None:
    async def get() -> Any:  # the message, or None while it has not arrived
        return await queue.get(fail=False)

    message: AbstractIncomingMessage = await eventually(get, timeout=10, what="the tap")
    await message.ack()
    parsed = parse_message(message.body)
    assert isinstance(parsed, SubscriptionChanged)
    assert (parsed.customer_id, parsed.version, parsed.event_id) == (CUSTOMER, 7, event_id)
    assert message.message_id == event_id
    assert message.type == names.SUBSCRIPTION_CHANGED
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert str((message.headers or {})["traceparent"]).startswith("00-")
    body = json.loads(message.body)
    assert body["occurred_at"].endswith("+00:00")
    jsonschema.validate(body, payload_schema("SubscriptionChanged"))

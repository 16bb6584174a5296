"""usage.recorded: consumed at least once from the durable queue, counted exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from atlas_common.bus import Bus, Delivery
from atlas_common.entitlements import period_bounds
from atlas_common.messages import UsageRecorded
from atlas_entitlements import repository
from tests.entitlements.conftest import Running
from tests.support.polling import eventually


async def used(client: httpx.AsyncClient, customer: str, feature: str = "llm-tokens") -> int:
    r = await client.post("/internal/v1/check", json={"customer_id": customer,
                                                       "feature": feature, "requested": 0})
    return int(r.json()["used"])


def event(customer: str, key: str, amount: int = 10, **extra: object) -> UsageRecorded:
    return UsageRecorded(customer_id=customer, feature="llm-tokens", amount=amount,
                         idempotency_key=key, **extra)  # type: ignore[arg-type]


async def test_events_are_counted(bus: Bus, client: httpx.AsyncClient, customer: str) -> None:
    for i in range(3):
        await bus.publish(event(customer, f"{customer}:{i}", amount=7))

    async def all_counted() -> bool:
        return await used(client, customer) == 21

    await eventually(all_counted, what="three usage events counted")


async def test_a_redelivered_event_is_counted_once(
    bus: Bus, client: httpx.AsyncClient, customer: str, ent_app: Running
) -> None:
    message = event(customer, f"{customer}:0", amount=30)
    duplicates = ent_app.usage.duplicates
    await bus.publish(message)
    await bus.publish(message)  # the broker hands it over again (a lost ack, a crash)

    async def seen_twice() -> bool:
        return ent_app.usage.duplicates > duplicates and await used(client, customer) > 0

    await eventually(seen_twice, what="the second delivery")
    again = Delivery(attempt=2, redelivered=True, routing_key="usage.recorded", headers={})
    await ent_app.usage.handle(message, again)  # and once more, straight into the handler
    assert await used(client, customer) == 30


async def test_an_event_counts_in_the_period_it_happened(
    ent_app: Running, client: httpx.AsyncClient, customer: str
) -> None:
    now = datetime.now(UTC)
    last_month = period_bounds("month", now)[0] - timedelta(seconds=1)
    late = event(customer, f"{customer}:late", amount=5, occurred_at=last_month)
    assert await ent_app.state.service.record_usage(late)
    assert await used(client, customer) == 0  # not this month's
    start = period_bounds("month", last_month)[0]
    assert await repository.usage(ent_app.state.service.pool, customer, "llm-tokens", start) == 5


async def test_events_push_a_hard_limit_to_denial(
    ent_app: Running, client: httpx.AsyncClient, customer: str
) -> None:
    assert await ent_app.state.service.record_usage(event(customer, f"{customer}:x", 100))
    r = await client.post("/internal/v1/check", json={"customer_id": customer,
                                                       "feature": "llm-tokens"})
    assert r.json()["reason"] == "limit_reached" and r.json()["used"] == 100


async def test_nothing_counted_for_a_non_positive_amount(ent_app: Running, customer: str) -> None:
    assert not await ent_app.state.service.record_usage(event(customer, f"{customer}:z", 0))


async def test_a_poison_event_does_not_take_its_batch_down(
    ent_app: Running, client: httpx.AsyncClient, customer: str
) -> None:
    service = ent_app.state.service
    good = [event(customer, f"{customer}:g{i}", 3) for i in range(5)]
    poison = event(customer, f"{customer}:poison", 2**70)  # not a bigint: the batch fails
    outcome = await asyncio.gather(*(service.record_usage(e) for e in [*good, poison]),
                                   return_exceptions=True)
    assert outcome[:5] == [True] * 5
    assert isinstance(outcome[5], Exception)
    assert await used(client, customer) == 15

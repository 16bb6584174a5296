"""check / consume / refund through the service: reasons, atomic spends, idempotency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from atlas_common.entitlements import period_bounds
from tests.entitlements.support import INTERNAL


async def check(c: httpx.AsyncClient, customer: str, feature: str, **extra: Any) -> dict[str, Any]:
    r = await c.post("/internal/v1/check", json={"customer_id": customer, "feature": feature,
                                                  **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def consume(c: httpx.AsyncClient, customer: str, feature: str, key: str,
                  amount: int = 1) -> dict[str, Any]:
    r = await c.post("/internal/v1/consume", json={
        "customer_id": customer, "feature": feature, "amount": amount, "idempotency_key": key})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_new_customer_is_on_the_default_plan(client: httpx.AsyncClient,
                                                     customer: str) -> None:
    r = await client.get(f"/internal/v1/customers/{customer}/entitlements")
    assert r.status_code == 200
    body = r.json()
    assert body["plan"] == "free" and not body["subscribed"] and not body["open"]
    assert body["features"]["queries"]["limit"] == 3
    assert body["features"]["queries"]["reset_at"] == period_bounds(
        "month", datetime.now(UTC))[1].isoformat().replace("+00:00", "Z")
    assert not body["features"]["data-explorer"]["included"]


@pytest.mark.parametrize(
    ("feature", "extra", "allowed", "reason"),
    [
        ("query", {}, True, "ok"),
        ("data-explorer", {}, False, "not_in_plan"),
        ("no-such-thing", {}, False, "unknown_feature"),
        ("api-keys", {}, False, "no_limit_provider"),  # a gauge nobody computed
        ("api-keys", {"used": 1}, True, "ok"),
        ("api-keys", {"used": 2}, False, "limit_reached"),
        ("queries", {"requested": 4}, False, "limit_reached"),
        ("queries", {"requested": 3}, True, "ok"),
    ],
)
async def test_check_reasons(client: httpx.AsyncClient, customer: str, feature: str,
                             extra: dict[str, Any], allowed: bool, reason: str) -> None:
    decision = await check(client, customer, feature, **extra)
    assert (decision["allowed"], decision["reason"]) == (allowed, reason)


async def test_limit_reached_says_limit_used_and_reset(client: httpx.AsyncClient,
                                                      customer: str) -> None:
    for i in range(3):
        assert (await consume(client, customer, "queries", f"{customer}-{i}"))["allowed"]
    denied = await consume(client, customer, "queries", f"{customer}-4")
    assert denied["reason"] == "limit_reached" and not denied["allowed"]
    assert (denied["limit"], denied["used"], denied["remaining"]) == (3, 3, 0)
    assert denied["reset_at"] is not None
    assert (await check(client, customer, "queries"))["reason"] == "limit_reached"


@pytest.mark.parametrize(("spent_before", "callers"), [(2, 5), (0, 20)])
async def test_parallel_consumers_never_pass_the_limit(
    client: httpx.AsyncClient, customer: str, spent_before: int, callers: int
) -> None:
    if spent_before:
        spent = await consume(client, customer, "queries", f"{customer}-a", amount=spent_before)
        assert spent["allowed"]
    results = await asyncio.gather(
        *(consume(client, customer, "queries", f"{customer}-p{i}") for i in range(callers)))
    assert sum(r["allowed"] for r in results) == 3 - spent_before  # room for one; for three
    assert {r["reason"] for r in results if not r["allowed"]} == {"limit_reached"}
    assert (await check(client, customer, "queries", requested=0))["used"] == 3


async def test_the_same_key_spends_once(client: httpx.AsyncClient, customer: str) -> None:
    first = await consume(client, customer, "queries", f"{customer}-k")
    twice = await asyncio.gather(*(consume(client, customer, "queries", f"{customer}-k")
                                   for _ in range(3)))
    assert first["allowed"] and not first["replayed"] and first["used"] == 1
    assert all(r["allowed"] and r["replayed"] for r in twice)
    assert (await check(client, customer, "queries", requested=0))["used"] == 1
    other = await client.post("/internal/v1/consume", json={
        "customer_id": customer, "feature": "llm-tokens", "amount": 1,
        "idempotency_key": f"{customer}-k"})
    assert other.status_code == 409 and other.json()["error"] == "invalid_request"


async def test_a_denied_spend_writes_nothing_and_its_key_can_retry(
    client: httpx.AsyncClient, customer: str
) -> None:
    assert (await consume(client, customer, "queries", f"{customer}-big", amount=3))["allowed"]
    assert not (await consume(client, customer, "queries", f"{customer}-late"))["allowed"]
    refunded = await client.post("/internal/v1/refund", json={"idempotency_key": f"{customer}-big"})
    assert refunded.json()["refunded"] and refunded.json()["amount"] == 3
    retried = await consume(client, customer, "queries", f"{customer}-late")
    assert retried["allowed"] and not retried["replayed"] and retried["used"] == 1


async def test_refund_is_idempotent(client: httpx.AsyncClient, customer: str) -> None:
    await consume(client, customer, "queries", f"{customer}-r")
    answers = [(await client.post("/internal/v1/refund", json={"idempotency_key": f"{customer}-r"}
                                  )).json()["refunded"] for _ in range(3)]
    assert answers == [True, False, False]
    assert (await check(client, customer, "queries", requested=0))["used"] == 0
    unknown = await client.post("/internal/v1/refund", json={"idempotency_key": "never-spent"})
    assert unknown.status_code == 200 and not unknown.json()["refunded"]


async def test_soft_limits_allow_past_the_limit_flagged(client: httpx.AsyncClient,
                                                        customer: str) -> None:
    r = await client.put(f"/internal/v1/customers/{customer}/subscription", json={"plan": "team"})
    assert r.status_code == 200
    spent = [await consume(client, customer, "queries", f"{customer}-{i}") for i in range(6)]
    assert all(s["allowed"] for s in spent)
    assert [s["over_limit"] for s in spent] == [False] * 5 + [True]
    assert spent[-1]["used"] == 6 and spent[-1]["limit"] == 5


async def test_unlimited_is_counted_but_never_refused(client: httpx.AsyncClient,
                                                      customer: str) -> None:
    await client.put(f"/internal/v1/customers/{customer}/subscription", json={"plan": "team"})
    spent = await consume(client, customer, "llm-tokens", f"{customer}-t", amount=10**9)
    assert spent["allowed"] and spent["unlimited"]


async def test_only_metered_features_are_consumed(client: httpx.AsyncClient,
                                                  customer: str) -> None:
    for feature in ("query", "api-keys"):
        r = await client.post("/internal/v1/consume", json={
            "customer_id": customer, "feature": feature, "amount": 1,
            "idempotency_key": f"{customer}-{feature}"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/internal/v1/consume", {"customer_id": "c", "feature": "queries", "amount": 0,
                                  "idempotency_key": "k"}, 422),
        ("/internal/v1/consume", {"customer_id": "c", "feature": "queries", "amount": "1",
                                  "idempotency_key": "k"}, 422),
        ("/internal/v1/consume", {"customer_id": "c", "feature": "queries"}, 422),
        ("/internal/v1/check", {"customer_id": "", "feature": "queries"}, 422),
        ("/internal/v1/check", {"customer_id": "*", "feature": "queries"}, 422),
        ("/internal/v1/check", {"customer_id": "c", "feature": "Queries!"}, 422),
        ("/internal/v1/check", {"customer_id": "c", "feature": "queries", "extra": 1}, 422),
        ("/internal/v1/check", {"customer_id": "c", "feature": "q", "requested": -1}, 422),
        ("/internal/v1/refund", {"idempotency_key": "has space"}, 422),
    ],
)
async def test_bad_input_is_a_4xx_envelope(client: httpx.AsyncClient, path: str,
                                           body: dict[str, Any], status: int) -> None:
    r = await client.post(path, json=body)
    assert r.status_code == status, r.text
    assert set(r.json()) >= {"error", "message", "requestId"}


async def test_not_json_and_no_token(ent_app: Any) -> None:
    async with httpx.AsyncClient(base_url=ent_app.url) as c:
        r = await c.post("/internal/v1/check", json={"customer_id": "c", "feature": "query"})
        assert r.status_code == 401 and r.json()["error"] == "auth_error"
        r = await c.put("/internal/v1/customers/c/subscription", json={"plan": "team"},
                        headers={"x-atlas-internal-token": "wrong"})
        assert r.status_code == 401
    async with httpx.AsyncClient(base_url=ent_app.url,
                                 headers=INTERNAL) as c:
        r = await c.post("/internal/v1/check", content=b"{not json",
                         headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


async def test_any_printable_workspace_id(client: httpx.AsyncClient) -> None:
    customer = "org 7/east|ünïcode"
    spent = await consume(client, customer, "queries", "printable-1")
    assert spent["allowed"]
    r = await client.get(f"/internal/v1/customers/{quote(customer, safe='')}/entitlements")
    assert r.status_code == 200 and r.json()["customer_id"] == customer
    assert r.json()["features"]["queries"]["used"] == 1

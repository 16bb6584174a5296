"""The operator API: subscriptions and overrides, precedence (override -> plan -> default
deny), expiry, and a version that grows with every change and is announced on the bus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from atlas_common.entitlements import Limit
from atlas_entitlements.plans import FeatureDef, PlanEntry, parse_plans
from atlas_entitlements.repository import CustomerState, OverrideRow
from atlas_entitlements.resolve import grant_for, snapshot_of
from tests.entitlements.conftest import Heard
from tests.entitlements.support import PLANS
from tests.support.polling import eventually


async def snapshot(c: httpx.AsyncClient, customer: str) -> dict[str, Any]:
    r = await c.get(f"/internal/v1/customers/{customer}/entitlements")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def override(c: httpx.AsyncClient, customer: str, **body: Any) -> dict[str, Any]:
    r = await c.post(f"/internal/v1/customers/{customer}/overrides", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_subscribing_bumps_the_version_and_publishes_it(
    client: httpx.AsyncClient, customer: str, heard: Heard
) -> None:
    before = (await snapshot(client, customer))["version"]
    r = await client.put(f"/internal/v1/customers/{customer}/subscription", json={"plan": "team"})
    assert r.status_code == 200 and r.json()["plan"] == "team"
    version = r.json()["version"]
    assert version > before
    after = await snapshot(client, customer)
    assert after["plan"] == "team" and after["subscribed"] and after["version"] == version
    await eventually(lambda: _heard(heard, customer, version), what="subscription.changed")
    gone = await client.delete(f"/internal/v1/customers/{customer}/subscription")
    assert gone.json()["plan"] == "free" and gone.json()["version"] > version
    assert (await snapshot(client, customer))["plan"] == "free"


async def _heard(heard: Heard, customer: str, version: int) -> bool:
    return version in heard.versions(customer)


async def test_an_unknown_plan_is_refused(client: httpx.AsyncClient, customer: str) -> None:
    r = await client.put(f"/internal/v1/customers/{customer}/subscription", json={"plan": "gold"})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "plan"


async def test_a_grant_beats_the_plan(client: httpx.AsyncClient, customer: str) -> None:
    await override(client, customer, feature="data-explorer", kind="grant")
    await override(client, customer, feature="query", kind="grant", included=False)
    await override(client, customer, feature="queries", kind="grant", limit=50)
    features = (await snapshot(client, customer))["features"]
    assert features["data-explorer"]["included"]  # not in free: granted
    assert not features["query"]["included"]  # in free: taken away
    assert features["queries"]["limit"] == 50  # the newest grant replaces the plan's limit


async def test_top_ups_add_to_the_limit(client: httpx.AsyncClient, customer: str) -> None:
    await override(client, customer, feature="queries", kind="top_up", amount=2)
    await override(client, customer, feature="queries", kind="top_up", amount=5)
    assert (await snapshot(client, customer))["features"]["queries"]["limit"] == 3 + 7


async def test_an_override_lapses_at_its_expiry(client: httpx.AsyncClient, customer: str) -> None:
    made = await override(client, customer, feature="data-explorer", kind="grant", expires_in=1)
    first = await snapshot(client, customer)
    assert first["features"]["data-explorer"]["included"]
    assert first["expires_at"] == made["expires_at"]  # caches may not serve it past that

    async def lapsed() -> bool:
        return not (await snapshot(client, customer))["features"]["data-explorer"]["included"]

    await eventually(lapsed, timeout=5, what="the grant to expire")
    listed = (await client.get(f"/internal/v1/customers/{customer}/overrides")).json()
    assert [o["active"] for o in listed["overrides"]] == [False]


async def test_revoking_an_override(client: httpx.AsyncClient, customer: str) -> None:
    made = await override(client, customer, feature="queries", kind="top_up", amount=10)
    r = await client.delete(f"/internal/v1/customers/{customer}/overrides/{made['id']}")
    assert r.status_code == 200 and not r.json()["active"] and r.json()["version"] > made["version"]
    assert (await snapshot(client, customer))["features"]["queries"]["limit"] == 3
    other = await client.delete(f"/internal/v1/customers/someone-else/overrides/{made['id']}")
    assert other.status_code == 404 and other.json()["error"] == "not_found"


async def test_versions_only_grow(client: httpx.AsyncClient, customer: str) -> None:
    seen = [(await snapshot(client, customer))["version"]]
    for plan in ("team", "solo", "free"):
        r = await client.put(f"/internal/v1/customers/{customer}/subscription", json={"plan": plan})
        seen.append(r.json()["version"])
    granted = await override(client, customer, feature="data-explorer", kind="grant")
    seen.append(granted["version"])
    assert seen == sorted(set(seen))
    assert (await snapshot(client, customer))["version"] == seen[-1]


@pytest.mark.parametrize(
    "body",
    [
        {"feature": "queries", "kind": "top_up"},  # no amount
        {"feature": "queries", "kind": "top_up", "amount": 1, "limit": 3},
        {"feature": "queries", "kind": "grant", "amount": 3},
        {"feature": "queries", "kind": "grant"},  # a limited feature needs a limit
        {"feature": "query", "kind": "grant", "limit": 3},  # a boolean has no limit
        {"feature": "nope", "kind": "grant"},
        {"feature": "query", "kind": "grant", "expires_at": "2000-01-01T00:00:00Z"},
        {"feature": "query", "kind": "grant", "expires_in": 5, "expires_at": "2999-01-01T00:00Z"},
        {"feature": "query", "kind": "bonus"},
        {"feature": "query", "kind": "grant", "color": "red"},
    ],
)
async def test_bad_overrides_are_422(client: httpx.AsyncClient, customer: str,
                                     body: dict[str, Any]) -> None:
    r = await client.post(f"/internal/v1/customers/{customer}/overrides", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "validation_error"


def test_precedence_override_then_plan_then_default_deny() -> None:
    catalog = parse_plans(PLANS.replace("    default: true\n", ""))  # no default plan
    now = datetime.now(UTC)
    nobody = snapshot_of(catalog, "c", CustomerState(0, None, [], {}), now)
    assert nobody.plan is None
    assert Limit.of(nobody, "query", "service").presence().reason == "no_subscription"
    on_solo = snapshot_of(catalog, "c", CustomerState(3, "solo", [], {"queries": 1}), now)
    assert Limit.of(on_solo, "query", "service").presence().allowed  # the plan
    assert Limit.of(on_solo, "data-explorer", "service").presence().reason == "not_in_plan"
    assert Limit.of(on_solo, "queries", "service").decide(1, 1).reason == "limit_reached"
    assert Limit.of(on_solo, "nope", "service").presence().reason == "unknown_feature"


def test_a_top_up_alone_gives_exactly_its_amount() -> None:
    now = datetime.now(UTC)
    top = OverrideRow(1, "c", "queries", "top_up", True, None, False, None, 4, None, now,
                      now + timedelta(days=1), None)
    feature = FeatureDef("queries", "metered", "month")
    assert grant_for(feature, None, [top], 0, now).limit == 4
    assert grant_for(feature, PlanEntry(limit=3), [top], 0, now).limit == 7
    assert grant_for(feature, PlanEntry(unlimited=True), [top], 0, now).unlimited

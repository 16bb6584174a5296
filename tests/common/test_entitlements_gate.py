"""The gate as FastAPI dependencies in a tiny app, against the real entitlements service:
403 / 429 / 503 envelopes, gauges with and without a provider, the cache and its version
guard, last-known-good then fallback while the service is down, and no plans file at all."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import pytest
import pytest_asyncio
from fastapi import Depends, FastAPI, Header
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from atlas_common.bus import Bus
from atlas_common.entitlements import (
    Decision,
    EntitlementsClient,
    EntitlementsSettings,
    Snapshot,
    SnapshotCache,
    denial_text,
    error_for,
    is_refundable,
    require_feature,
    require_limit,
)
from atlas_common.errors import install_error_handlers
from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_common.service import set_state
from atlas_common.settings import DEV_INTERNAL_TOKEN
from atlas_entitlements.main import create_app
from tests.entitlements.support import INTERNAL, make_settings, serve, write_plans
from tests.support.isolation import (
    Isolation,
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
)
from tests.support.polling import eventually
from tests.support.tcp_proxy import TcpProxy, url_via


class GateSettings(EntitlementsSettings):
    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def caller(x_workspace: Annotated[str, Header()] = "default") -> Principal:
    return Principal(user_id="u", workspace_id=x_workspace, role="admin")


def gate_app(client: EntitlementsClient) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    set_state(app, SimpleNamespace(entitlements=client))

    @app.get("/explore", dependencies=[Depends(require_feature("data-explorer",
                                                               principal=caller))])
    async def explore() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/ask")
    async def ask(d: Annotated[Decision, Depends(require_limit("queries", principal=caller))]
                  ) -> Decision:
        return d

    @app.post("/keys")
    async def keys(d: Annotated[Decision, Depends(require_limit("api-keys", principal=caller))]
                   ) -> Decision:
        return d

    @app.get("/internal-explore", dependencies=[Depends(require_feature("data-explorer"))])
    async def internal_explore() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.fixture(scope="module")
def gate_isolation(isolation: Isolation) -> Iterator[Isolation]:
    name = f"{isolation.name}_gate"
    yield dataclasses.replace(isolation, database_url=create_database(name),
                              rabbitmq_url=create_vhost(name))
    delete_vhost(name)
    drop_database(name)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plans(tmp_path_factory.mktemp("gate"))


@pytest_asyncio.fixture(scope="module")
async def service(gate_isolation: Isolation, plans: Path) -> AsyncIterator[str]:
    async with serve(create_app(_service_settings(gate_isolation, plans))) as url:
        yield url


def _service_settings(iso: Isolation, plans: Path) -> Any:
    return make_settings(DATABASE_URL=iso.database_url, ATLAS_RABBITMQ_URL=iso.rabbitmq_url,
                         ATLAS_PLANS_FILE=str(plans))


def settings_for(url: str, plans: Path | str, **extra: Any) -> EntitlementsSettings:
    return GateSettings(ATLAS_ENTITLEMENTS_URL=url, ATLAS_PLANS_FILE=str(plans), **extra)


class Counting:
    """An httpx client that counts the calls the gate makes."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.http = httpx.AsyncClient(event_hooks={"request": [self._seen]}, timeout=2)

    async def _seen(self, request: httpx.Request) -> None:
        self.calls.append(request.url.path)


@pytest_asyncio.fixture
async def counting() -> AsyncIterator[Counting]:
    c = Counting()
    yield c
    await c.http.aclose()


@pytest_asyncio.fixture
async def gate(service: str, plans: Path, counting: Counting) -> AsyncIterator[Any]:
    client = EntitlementsClient(settings_for(service, plans), http=counting.http)
    app = gate_app(client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as c:
        c.entitlements = client  # type: ignore[attr-defined]
        yield c
    await client.aclose()


def ws() -> dict[str, str]:
    return {"x-workspace": f"ws-{uuid.uuid4().hex[:8]}"}


async def operator(service: str, method: str, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=service, headers=INTERNAL) as c:
        return await c.request(method, "/internal/v1" + path, **kw)


async def test_feature_not_in_plan_is_403_until_the_plan_changes(gate: Any, service: str) -> None:
    who = ws()
    r = await gate.get("/explore", headers=who)
    assert r.status_code == 403
    assert r.json() | {"requestId": None, "message": ""} == {
        "error": "feature_not_in_plan", "feature": "data-explorer", "reason": "not_in_plan",
        "message": "", "requestId": None}
    changed = await operator(service, "PUT", f"/customers/{who['x-workspace']}/subscription",
                             json={"plan": "team"})
    gate.entitlements.invalidate(who["x-workspace"], changed.json()["version"])
    assert (await gate.get("/explore", headers=who)).status_code == 200


async def test_subscription_changed_on_the_bus_drops_the_cache(
    gate: Any, service: str, gate_isolation: Isolation
) -> None:
    bus = await Bus.connect(gate_isolation.rabbitmq_url, delivery_limit=5)
    try:
        await gate.entitlements.attach(bus)
        who = ws()
        assert (await gate.get("/explore", headers=who)).status_code == 403  # now cached
        await operator(service, "PUT", f"/customers/{who['x-workspace']}/subscription",
                       json={"plan": "team"})

        async def allowed() -> bool:
            return (await gate.get("/explore", headers=who)).status_code == 200

        await eventually(allowed, timeout=5, what="the event to drop the cached plan")
    finally:
        await bus.close()


async def test_a_broker_reconnect_drops_every_cached_plan(
    gate: Any, gate_isolation: Isolation
) -> None:
    """Events may have been missed while the connection was down: no snapshot of the
    attached client is fresh once the bus is back."""
    upstream = urlsplit(gate_isolation.rabbitmq_url)
    proxy = TcpProxy(upstream.hostname or "127.0.0.1", upstream.port or 5672).start()
    bus = await Bus.connect(url_via(gate_isolation.rabbitmq_url, proxy.port), delivery_limit=5)
    try:
        await gate.entitlements.attach(bus)
        who = ws()
        await gate.get("/explore", headers=who)
        cache = gate.entitlements.cache
        assert cache.fresh(who["x-workspace"]) is not None
        proxy.cut()
        proxy.restore()
        await eventually(lambda: cache.fresh(who["x-workspace"]) is None, timeout=30,
                         what="the cache flushed on reconnect")
    finally:
        await bus.close()
        proxy.close()


async def test_limit_reached_is_429_with_retry_after(gate: Any) -> None:
    who = ws()
    customer = who["x-workspace"]
    for i in range(3):
        assert (await gate.entitlements.consume(customer, "queries", 1, f"{customer}{i}")).allowed
    r = await gate.post("/ask", headers=who)
    assert r.status_code == 429
    body = r.json()
    assert (body["error"], body["feature"], body["limit"], body["used"]) == (
        "plan_limit_exceeded", "queries", 3, 3)
    assert body["retryAfterSeconds"] >= 1 and r.headers["retry-after"] == str(
        body["retryAfterSeconds"])


async def test_gauge_with_a_provider(gate: Any) -> None:
    counts = {"a": 1, "b": 2}

    async def active_keys(customer_id: str) -> int:
        return counts[customer_id]

    gate.entitlements.providers.register("api-keys", active_keys)
    ok = await gate.post("/keys", headers={"x-workspace": "a"})
    assert ok.status_code == 200 and ok.json()["used"] == 1 and ok.json()["limit"] == 2
    full = await gate.post("/keys", headers={"x-workspace": "b"})
    assert full.status_code == 429 and full.json()["used"] == 2
    assert "retryAfterSeconds" not in full.json() and "retry-after" not in full.headers


async def test_gauge_without_a_provider_is_denied_loudly(
    gate: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="atlas_common.entitlements"):
        r = await gate.post("/keys", headers=ws())
    assert r.status_code == 403 and r.json()["reason"] == "no_limit_provider"
    assert any("no limit provider" in rec.getMessage() for rec in caplog.records)


async def test_a_setting_allows_a_gauge_without_provider(service: str, plans: Path) -> None:
    settings = settings_for(service, plans, ATLAS_ENTITLEMENTS_ALLOW_WITHOUT_PROVIDER="api-keys")
    client = EntitlementsClient(settings)
    try:
        assert (await client.check("anyone", "api-keys")).allowed
    finally:
        await client.aclose()


async def test_warm_checks_come_from_the_cache(gate: Any, counting: Counting) -> None:
    customer = ws()["x-workspace"]
    first = await gate.entitlements.has_feature(customer, "query")
    calls = len(counting.calls)
    again = [await gate.entitlements.check(customer, "query") for _ in range(20)]
    assert first.source == "service" and {d.source for d in again} == {"cache"}
    assert len(counting.calls) == calls  # nothing asked


async def test_hard_consumables_are_never_decided_from_the_cache(
    gate: Any, counting: Counting
) -> None:
    customer = ws()["x-workspace"]
    await gate.entitlements.has_feature(customer, "queries")
    before = len(counting.calls)
    decisions = [await gate.entitlements.check(customer, "queries") for _ in range(3)]
    assert len(counting.calls) == before + 3 and {d.source for d in decisions} == {"service"}


async def test_internal_callers_pass_the_principal_with_the_token(gate: Any) -> None:
    principal = Principal(user_id="u", workspace_id=ws()["x-workspace"])
    r = await gate.get("/internal-explore", headers=internal_headers(DEV_INTERNAL_TOKEN,
                                                                      principal))
    assert r.status_code == 403 and r.json()["error"] == "feature_not_in_plan"
    forged = internal_headers("not-the-token", principal)
    assert (await gate.get("/internal-explore", headers=forged)).status_code == 401


async def test_no_plans_file_allows_locally_calling_nothing(counting: Counting) -> None:
    client = EntitlementsClient(settings_for("http://127.0.0.1:9", ""), http=counting.http)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(gate_app(client)),
                                 base_url="http://t") as c:
        assert (await c.get("/explore")).status_code == 200
        assert (await c.post("/keys")).json()["source"] == "local"
    assert (await client.consume("x", "queries", 1, "k")).allowed
    assert counting.calls == []


async def test_service_down_last_known_good_then_fallback(
    gate_isolation: Isolation, plans: Path
) -> None:
    async with serve(create_app(_service_settings(gate_isolation, plans))) as url:
        settings = settings_for(url, plans, ATLAS_ENTITLEMENTS_CACHE_TTL_S=0.2,
                                ATLAS_ENTITLEMENTS_STALE_S=1.5, ATLAS_ENTITLEMENTS_RETRY_S=0,
                                ATLAS_ENTITLEMENTS_FALLBACK="queries=allow")
        client = EntitlementsClient(settings)
        assert (await client.has_feature("down", "query")).source == "service"
    try:
        async def past_the_ttl() -> Decision | None:  # the next read fails
            d = await client.has_feature("down", "query")
            return d if d.source != "cache" else None

        stale = await eventually(past_the_ttl, timeout=5, what="the TTL")
        assert stale.allowed and stale.source == "stale"
        hard = await client.consume("down", "queries", 1, "k-down")  # never from a cache
        assert hard.allowed and hard.reason == "fallback"  # queries=allow
        denied = await client.check("down", "llm-tokens")
        assert not denied.allowed and denied.reason == "fallback"  # default deny

        async def past_the_bound() -> Decision | None:
            d = await client.has_feature("down", "query")
            return d if d.source == "fallback" else None

        fallback = await eventually(past_the_bound, timeout=5, what="the stale bound")
        assert not fallback.allowed and fallback.reason == "fallback"
    finally:
        await client.aclose()


async def test_the_gate_maps_an_unreachable_service_to_503() -> None:
    client = EntitlementsClient(settings_for("http://127.0.0.1:9", "plans.yaml"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(gate_app(client)),
                                 base_url="http://t") as c:
        r = await c.get("/explore")
    await client.aclose()
    assert r.status_code == 503 and r.json()["error"] == "unavailable"
    assert r.json()["reason"] == "fallback" and r.headers["retry-after"]


def snap(customer: str, version: int) -> Snapshot:
    return Snapshot(customer_id=customer, version=version)


def test_version_guard_a_slow_read_never_brings_an_old_plan_back() -> None:
    cache = SnapshotCache(ttl_s=60, stale_s=60)
    assert cache.put(snap("c", 5), cache.begin())
    slow = cache.begin()  # a read starts...
    assert cache.invalidate("c", 7) == 1  # ...the plan changes meanwhile (event v7)...
    assert cache.fresh("c") is None
    assert not cache.put(snap("c", 6), slow)  # ...and the slow read returns v6: refused
    assert cache.put(snap("c", 7), cache.begin())
    assert not cache.put(snap("c", 6), cache.begin())  # never replaced by an older one
    assert cache.fresh("c") == snap("c", 7)


def test_flush_keeps_last_known_good_and_refuses_reads_begun_before() -> None:
    cache = SnapshotCache(ttl_s=60, stale_s=60)
    cache.put(snap("c", 1), cache.begin())
    before = cache.begin()
    cache.flush()
    assert cache.fresh("c") is None and cache.last_known_good("c") == snap("c", 1)
    assert not cache.put(snap("c", 2), before)
    assert cache.put(snap("c", 2), cache.begin())


def test_a_catalog_change_drops_everyone() -> None:
    cache = SnapshotCache(ttl_s=60, stale_s=60)
    for c in "abc":
        cache.put(snap(c, 3), cache.begin())
    assert cache.invalidate("*", 9) == 3 and len(cache) == 0
    assert not cache.put(snap("a", 8), cache.begin())


def test_denials_map_to_the_architecture_statuses() -> None:
    reset = datetime(2030, 1, 1, tzinfo=UTC)
    limited = Decision(allowed=False, reason="limit_reached", feature="llm-tokens", limit=50,
                       used=50, reset_at=reset)
    assert error_for(limited).status_code == 429
    assert error_for(Decision(allowed=False, reason="fallback", feature="q")).status_code == 503
    for reason in ("not_in_plan", "no_subscription", "unknown_feature", "no_limit_provider"):
        err = error_for(Decision(allowed=False, reason=reason, feature="q"))  # type: ignore[arg-type]
        assert (err.status_code, err.code, err.extra["reason"]) == (403, "feature_not_in_plan",
                                                                    reason)
    assert denial_text(limited) == "this workspace has used its 50 llm-tokens until " \
        "2030-01-01 00:00 UTC"
    assert is_refundable("internal_error") and is_refundable("timeout")
    assert not is_refundable("plan_limit_exceeded") and not is_refundable("invalid_request")

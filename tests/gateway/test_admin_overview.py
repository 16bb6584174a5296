"""The admin overview and plan, composed by the gateway: the parts read at the same time, a
part that fails is null and the overview ``partial`` (never a 500), and the plan as the
entitlements service's snapshot says it (or everything, without a plans file). The services
behind are small real HTTP apps on free ports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Response

from atlas_common.entitlements import EntitlementsClient, EntitlementsSettings, Grant, Snapshot
from atlas_common.errors import Unavailable
from atlas_common.principal import Principal
from atlas_gateway.service.admin_overview import Overview, plan_body
from tests.support.inprocess import isolated, serve

ADMIN = Principal(user_id="ada", role="admin", workspace_id="ws1")
AUDIT_STATS = {
    "totalQueries": 7, "totalErrors": 1, "errorRate": 1 / 7,
    "queriesPerDay": [{"day": "2026-12-01", "count": 7, "errors": 1}],
    "p95DurationMs": 120.0, "activeUsers": 2, "bySurface": {"web": 7},
    "byOutcome": {"answered": 6, "error": 1},
    "topQuestions": [{"question": "how many orders", "count": 5}], "topTables": [],
}
SEMANTIC_STATS = {"totalEntities": 3, "totalColumns": 12, "totalJoins": 2, "totalMeasures": 4,
                  "coverageGaps": {"noDescription": 0, "noColumns": 0, "noJoins": 1}}
METRICS = {"metrics": [{"source": "default", "file": "orders",
                        "data": {"metrics": [{"id": "a"}, {"id": "b"}]}},
                       {"source": "default", "file": "users", "data": {"metrics": [{"id": "c"}]}}]}
GLOSSARY = {"glossary": [{"term": "GMV", "status": "defined"}]}
CONNECTIONS = {"connections": [{"id": "default", "dbType": "duckdb"}]}


def audit_app(seen: list[str], gate: asyncio.Barrier | None = None) -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/admin/audit/stats")
    async def stats() -> dict[str, Any]:
        seen.append("audit")
        if gate is not None:
            await gate.wait()
        return AUDIT_STATS

    return app


def query_app(seen: list[str], gate: asyncio.Barrier | None = None,
              broken: str | None = None) -> FastAPI:
    app = FastAPI()
    bodies = {"/api/v1/admin/semantic/stats": SEMANTIC_STATS,
              "/api/v1/admin/semantic/metrics": METRICS,
              "/api/v1/admin/semantic/glossary": GLOSSARY,
              "/api/v1/admin/connections": CONNECTIONS}
    for path, body in bodies.items():
        async def answer(path: str = path, body: dict[str, Any] = body) -> Any:
            seen.append(path)
            if gate is not None:
                await gate.wait()
            return Response(status_code=500) if path == broken else body
        app.add_api_route(path, answer, methods=["GET"])
    return app


def state(http: httpx.AsyncClient, audit_url: str, query_url: str,
          entitlements: EntitlementsClient | None = None) -> Any:
    settings = SimpleNamespace(internal_token="t", audit_url=audit_url, query_api_url=query_url)
    gate_off = EntitlementsClient(isolated(EntitlementsSettings)(), http=http)
    return SimpleNamespace(settings=settings, http=http, entitlements=entitlements or gate_off)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield client


async def test_the_parts_are_read_at_once_and_counted(http: httpx.AsyncClient) -> None:
    seen: list[str] = []
    gate = asyncio.Barrier(5)  # every read waits until all five arrived: only concurrent passes
    async with serve(audit_app(seen, gate)) as audit, serve(query_app(seen, gate)) as query:
        overview = await asyncio.wait_for(Overview(state(http, audit, query), ADMIN).compose(), 4)
    body = overview.model_dump(by_alias=True)
    assert len(seen) == 5 and body["partial"] is False
    assert (body["connections"], body["entities"], body["metrics"], body["glossaryTerms"]) == (
        1, 3, 3, 1)
    assert (body["plugins"], body["pluginHealth"]) == (0, [])
    assert body["questions"]["total"] == 7 and body["questions"]["activeUsers"] == 2
    assert body["questions"]["perDay"] == AUDIT_STATS["queriesPerDay"]
    assert body["plan"] == {"workspaceId": "ws1", "plan": None, "features": [],
                            "unlimited": True}


async def test_a_down_audit_service_nulls_the_questions_only(http: httpx.AsyncClient) -> None:
    seen: list[str] = []
    async with serve(query_app(seen)) as query:
        overview = await Overview(state(http, "http://127.0.0.1:9", query), ADMIN).compose()
    assert overview.partial is True and overview.questions is None
    assert (overview.entities, overview.metrics, overview.connections) == (3, 3, 1)


async def test_a_failing_query_api_part_is_null(http: httpx.AsyncClient) -> None:
    seen: list[str] = []
    broken = "/api/v1/admin/semantic/glossary"
    async with serve(audit_app(seen)) as audit, serve(query_app(seen, broken=broken)) as query:
        overview = await Overview(state(http, audit, query), ADMIN).compose()
    assert overview.partial is True and overview.glossary_terms is None
    assert overview.entities == 3 and overview.questions is not None


def entitlements_app(snapshot: Snapshot, asked: list[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/internal/v1/customers/{customer_id}/entitlements")
    async def entitlements(customer_id: str) -> Response:
        asked.append(customer_id)
        return Response(snapshot.model_dump_json(), media_type="application/json")

    return app


async def test_the_plan_is_the_workspaces_snapshot(http: httpx.AsyncClient) -> None:
    resets = datetime(2027, 1, 1, tzinfo=UTC)
    snapshot = Snapshot(customer_id="ws1", version=3, plan="team", subscribed=True, features={
        "queries": Grant(type="metered", reset="month", included=True, limit=1000, used=12,
                         reset_at=resets),
        "sso": Grant(type="boolean", included=False),
        "seats": Grant(type="gauge", included=True, unlimited=True),
    })
    asked: list[str] = []
    async with serve(entitlements_app(snapshot, asked)) as url:
        settings = isolated(EntitlementsSettings)(plans_file="plans.yml", entitlements_url=url)
        client = EntitlementsClient(settings, http=http)
        body = (await plan_body(state(http, "", "", client), ADMIN)).model_dump(by_alias=True)
    assert asked == ["ws1"]
    assert (body["workspaceId"], body["plan"], body["unlimited"]) == ("ws1", "team", False)
    assert body["features"] == [
        {"key": "queries", "kind": "metered", "enabled": True, "limit": 1000, "used": 12,
         "resetsAt": resets.isoformat()},
        {"key": "seats", "kind": "metered", "enabled": True, "limit": None, "used": None,
         "resetsAt": None},
        {"key": "sso", "kind": "boolean", "enabled": False, "limit": None, "used": None,
         "resetsAt": None},
    ]


async def test_an_unreachable_entitlements_service_is_503(http: httpx.AsyncClient) -> None:
    settings = isolated(EntitlementsSettings)(plans_file="plans.yml",
                                              entitlements_url="http://127.0.0.1:9")
    client = EntitlementsClient(settings, http=http)
    with pytest.raises(Unavailable):
        await plan_body(state(http, "", "", client), ADMIN)

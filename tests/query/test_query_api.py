"""The query-api process in-process (ASGI): tables, validate-sql and health behind the
internal token, on the hand-written layer and a DuckDB file made for the run."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_query.api.main import create_app
from atlas_query.semantic import SemanticLayerError
from atlas_query.settings import QuerySettings, RlsPolicy
from tests.query.api_client import query_api
from tests.query.fixtures.databases import shop_duckdb  # noqa: F401 - fixture
from tests.query.fixtures.dataset import SEMANTIC_ROOT
from tests.support.isolation import Isolation

TOKEN = "query-api-test-token"
ANALYST = Principal(user_id="ana", role="analyst", claims={"tenant": "acme"})
VIEWER = Principal(user_id="vic", role="viewer", claims={"tenant": "acme"})


def settings_for(datasource: Path, **extra: object) -> QuerySettings:
    return QuerySettings(internal_token=TOKEN, semantic_root=SEMANTIC_ROOT,
                         datasource_url=str(datasource), **extra)  # type: ignore[arg-type]


@pytest.fixture
async def client(shop_duckdb: Path, isolation: Isolation) -> AsyncIterator[httpx.AsyncClient]:
    policy = RlsPolicy(tables=["orders"], column="tenant_id", claim="tenant")
    settings = settings_for(shop_duckdb, rls_policies=[policy],
                            database_url=isolation.database_url)
    async with query_api(settings) as http:
        yield http


def as_(principal: Principal) -> dict[str, str]:
    return internal_headers(TOKEN, principal)


async def test_healthz_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_the_schema_is_not_served(client: httpx.AsyncClient) -> None:
    """An internal app: no /openapi.json or /docs, with the token or without it."""
    for path in ("/openapi.json", "/docs"):
        assert (await client.get(path)).status_code == 404
        assert (await client.get(path, headers=as_(ANALYST))).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/tables", "/internal/v1/health"])
async def test_internal_routes_refuse_calls_without_the_token(
        client: httpx.AsyncClient, path: str) -> None:
    for headers in ({}, internal_headers("wrong-token", ANALYST)):
        response = await client.get(path, headers=headers)
        body = response.json()
        assert response.status_code == 401
        assert body["error"] == "auth_error" and body["requestId"]


async def test_tables_lists_the_layer(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/tables", headers=as_(ANALYST))
    assert response.status_code == 200
    tables = {t["table"]: t for t in response.json()["tables"]}
    assert sorted(tables) == ["analytics.page_views", "categories", "order_items", "orders",
                              "products", "users"]
    users = tables["users"]
    assert users["description"] == "People who signed up; created_at is the sign-up time."
    assert users["columns"][0] == {"name": "id", "type": "number", "description": ""}
    assert {"name": "created_at", "type": "timestamp", "description": "Sign-up time"} in (
        users["columns"])
    assert "signup_month" not in [c["name"] for c in users["columns"]]  # virtual


async def test_validate_sql_accepts_and_rewrites(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/validate-sql", headers=as_(ANALYST),
                                 json={"sql": "SELECT status, COUNT(*) FROM orders GROUP BY 1"})
    assert response.status_code == 200
    assert response.json() == {
        "valid": True, "errors": [], "tables": ["orders"],
        "rewrittenSql": "SELECT status, COUNT(*) FROM (SELECT * FROM orders WHERE "
                        "tenant_id = 'acme') AS orders GROUP BY 1 LIMIT 1001",
    }


@pytest.mark.parametrize(("sql", "layer"), [
    ("DELETE FROM orders", "regex_guard"),
    ("SELECT * FROM secrets", "table_whitelist"),
    ("SELECT 1; SELECT 2", "ast_parse"),
    ("SELECT FROM WHERE", "ast_parse"),
    ("", "empty_check"),
])
async def test_validate_sql_reports_the_refusing_layer(client: httpx.AsyncClient, sql: str,
                                                       layer: str) -> None:
    response = await client.post("/api/v1/validate-sql", headers=as_(ANALYST), json={"sql": sql})
    body = response.json()
    assert response.status_code == 200
    assert (body["valid"], body["rewrittenSql"]) == (False, None)
    assert [e["layer"] for e in body["errors"]] == [layer]


async def test_validate_sql_fails_closed_without_the_rls_claim(client: httpx.AsyncClient) -> None:
    nobody = Principal(user_id="x", role="admin")
    response = await client.post("/api/v1/validate-sql", headers=as_(nobody),
                                 json={"sql": "SELECT COUNT(*) FROM orders"})
    assert response.json()["errors"][0]["layer"] == "rls"


async def test_validate_sql_refuses_a_viewer(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/validate-sql", headers=as_(VIEWER),
                                 json={"sql": "SELECT 1"})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden_role"


@pytest.mark.parametrize(("content", "status", "code"), [
    (b"{not json", 400, "invalid_request"),
    (b"{}", 422, "validation_error"),
    (b'{"sql": 42}', 422, "validation_error"),
])
async def test_bad_bodies_get_the_envelope(client: httpx.AsyncClient, content: bytes,
                                           status: int, code: str) -> None:
    headers = {**as_(ANALYST), "content-type": "application/json"}
    response = await client.post("/api/v1/validate-sql", headers=headers, content=content)
    assert response.status_code == status
    assert response.json()["error"] == code and "detail" not in response.json()


async def test_missing_principal_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/tables", headers=internal_headers(TOKEN))
    assert (response.status_code, response.json()["error"]) == (401, "auth_error")


async def test_health_reports_datasource_and_layer(client: httpx.AsyncClient) -> None:
    response = await client.get("/internal/v1/health", headers=as_(ANALYST))
    assert response.json() == {
        "datasource": {"status": "ok", "dialect": "duckdb", "message": None},
        "semanticLayer": {"status": "ok", "entityCount": 6},
    }


async def test_health_reports_a_missing_database(tmp_path: Path, isolation: Isolation) -> None:
    settings = settings_for(tmp_path / "not-created-yet.duckdb",
                            database_url=isolation.database_url)
    async with query_api(settings) as http:
        body = (await http.get("/internal/v1/health", headers=as_(ANALYST))).json()
    assert body["datasource"]["status"] == "error"
    assert "does not exist" in body["datasource"]["message"]


def test_a_broken_layer_stops_start_up(tmp_path: Path) -> None:
    (tmp_path / "entities").mkdir()
    (tmp_path / "entities" / "a.yml").write_text("name: A\n")
    with pytest.raises(SemanticLayerError, match=r"a\.yml: table: field required"):
        create_app(QuerySettings(semantic_root=tmp_path, internal_token=TOKEN))

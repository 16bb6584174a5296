"""query-api routes as Atlas's own SDK calls them: starter prompts (and the demo's, each one
answered by the offline planner), and an unknown connection id as a 404, never a fallback."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_query.demo import SEMANTIC_ROOT as DEMO_ROOT
from atlas_query.planner import Planned, SemanticPlanner
from atlas_query.semantic import load_semantic_layer
from atlas_query.settings import QuerySettings
from tests.query.api_client import query_api
from tests.query.fixtures.databases import shop_duckdb  # noqa: F401 - fixture
from tests.support.isolation import Isolation

TOKEN = "query-api-wire-token"
ANALYST = Principal(user_id="ana", role="analyst")
OURS = ["What did we sell yesterday?", "how many users signed up last week?"]


@pytest.fixture
async def client(shop_duckdb: Path, isolation: Isolation) -> AsyncIterator[httpx.AsyncClient]:
    settings = QuerySettings(internal_token=TOKEN, semantic_root=DEMO_ROOT,  # type: ignore[call-arg]
                             datasource_url=str(shop_duckdb), starter_prompts=OURS,
                             database_url=isolation.database_url)
    async with query_api(settings) as http:
        http.headers.update(internal_headers(TOKEN, ANALYST))
        yield http


def test_every_demo_starter_prompt_is_answered_by_the_offline_planner() -> None:
    layer = load_semantic_layer(DEMO_ROOT)
    planner = SemanticPlanner(layer, "duckdb", now=lambda: datetime(2026, 11, 18, 10, tzinfo=UTC))
    assert len(layer.starter_prompts) >= 6
    for prompt in layer.starter_prompts:
        assert isinstance(planner.decide(prompt), Planned), prompt


def test_the_catalog_takes_either_spelling(tmp_path: Path) -> None:
    for key in ("starterPrompts", "starter_prompts"):
        root = tmp_path / key
        (root / "entities").mkdir(parents=True)
        (root / "catalog.yml").write_text(f"name: t\n{key}:\n  - How many?\n  - Which one?\n")
        assert load_semantic_layer(root).starter_prompts == ["How many?", "Which one?"]


async def test_starter_prompts_put_the_settings_first_once_each(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/starter-prompts", params={"limit": 50})
    body = response.json()
    texts = [p["text"] for p in body["prompts"]]
    assert response.status_code == 200 and body["total"] == len(texts)
    assert texts[:2] == OURS
    assert "How many users signed up last week?" not in texts  # the same question, any case
    assert texts[2:] == load_semantic_layer(DEMO_ROOT).starter_prompts[1:]
    assert {p["provenance"] for p in body["prompts"]} == {"library"}
    ids = [p["id"] for p in body["prompts"]]
    assert len(set(ids)) == len(ids) and all(i.startswith("library:") for i in ids)


@pytest.mark.parametrize(("limit", "count"), [(None, 6), (2, 2), (0, 1), (500, 9)])
async def test_starter_prompts_clamp_the_limit(
    client: httpx.AsyncClient, limit: int | None, count: int
) -> None:
    params = {} if limit is None else {"limit": limit}
    body = (await client.get("/api/v1/starter-prompts", params=params)).json()
    assert len(body["prompts"]) == body["total"] == count


async def test_a_non_numeric_limit_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/starter-prompts", params={"limit": "many"})
    assert (response.status_code, response.json()["error"]) == (422, "validation_error")


async def test_an_unknown_connection_is_not_found(client: httpx.AsyncClient) -> None:
    tables = await client.get("/api/v1/tables", params={"connectionId": "warehouse"})
    assert (tables.status_code, tables.json()["error"]) == (404, "not_found")
    sql = {"sql": "SELECT 1", "connectionId": "warehouse"}
    validate = await client.post("/api/v1/validate-sql", json=sql)
    assert (validate.status_code, validate.json()["error"]) == (404, "not_found")
    known = await client.get("/api/v1/tables", params={"connectionId": "default"})
    assert known.status_code == 200
    assert {t["table"] for t in known.json()["tables"]} >= {"users", "orders"}

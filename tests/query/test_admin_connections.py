"""The admin API's datasource routes on real datasources (the demo DuckDB, PostgreSQL,
MariaDB, SQLite): listed without credentials, tested for real (the database says whether it
would refuse a write), and an unreachable one is unhealthy, never a 500 or a leaked password."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_query.settings import QuerySettings
from tests.query.api_client import query_api
from tests.query.fixtures.databases import (  # noqa: F401
    shop_duckdb,
    shop_mysql_url,
    shop_postgres_url,
    shop_sqlite,
)
from tests.query.fixtures.dataset import SEMANTIC_ROOT
from tests.support.isolation import Isolation

TOKEN = "query-api-test-token"
ADMIN = internal_headers(TOKEN, Principal(user_id="ada", role="admin"))
BASE = "/api/v1/admin/connections"


def _settings(isolation: Isolation, url: str, **extra: object) -> QuerySettings:
    return QuerySettings(internal_token=TOKEN, semantic_root=SEMANTIC_ROOT,  # type: ignore[call-arg]
                         datasource_url=url, database_url=isolation.database_url, **extra)


async def _list_and_test(settings: QuerySettings) -> tuple[dict, dict]:  # type: ignore[type-arg]
    async with query_api(settings) as http:
        listed = await http.get(BASE, headers=ADMIN)
        tested = await http.post(BASE + "/default/test", headers=ADMIN)
    assert listed.status_code == 200, listed.text
    assert tested.status_code == 200, tested.text
    return listed.json(), tested.json()


async def test_the_demo_duckdb_is_read_only(shop_duckdb: Path, isolation: Isolation) -> None:
    listed, tested = await _list_and_test(_settings(isolation, "", demo_db_path=shop_duckdb))
    assert listed == {"connections": [{"id": "default", "dbType": "duckdb", "health": None,
                                       "description": "The embedded demo database",
                                       "host": "shop.duckdb"}]}
    assert (tested["status"], tested["readOnly"], tested["message"]) == ("healthy", True, None)
    assert tested["latencyMs"] >= 0 and tested["checkedAt"].endswith("Z")


async def test_postgres_is_read_only(shop_postgres_url: str, isolation: Isolation) -> None:
    listed, tested = await _list_and_test(_settings(isolation, shop_postgres_url))
    connection = listed["connections"][0]
    assert (connection["dbType"], connection["host"]) == ("postgres", "127.0.0.1:5432")
    assert (tested["status"], tested["readOnly"]) == ("healthy", True)


async def test_mariadb_is_read_only(shop_mysql_url: str, isolation: Isolation) -> None:
    listed, tested = await _list_and_test(_settings(isolation, shop_mysql_url))
    connection = listed["connections"][0]
    assert connection["dbType"] == "mysql" and "@" not in connection["host"]
    assert (tested["status"], tested["readOnly"]) == ("healthy", True)


async def test_sqlite_refuses_the_write(shop_sqlite: Path, isolation: Isolation) -> None:
    _, tested = await _list_and_test(_settings(isolation, str(shop_sqlite)))
    assert (tested["status"], tested["readOnly"]) == ("healthy", True)


@pytest.mark.parametrize("url", [
    "postgresql://atlas:hunter2@127.0.0.1:9/shop",
    "mysql://root:hunter2@127.0.0.1:9/shop",
])
async def test_unreachable_is_unhealthy_without_the_password(url: str,
                                                              isolation: Isolation) -> None:
    async with query_api(_settings(isolation, url)) as http:
        listed = await http.get(BASE, headers=ADMIN)
        tested = await http.post(BASE + "/default/test", headers=ADMIN)
    assert listed.status_code == 200 and tested.status_code == 200, tested.text
    assert listed.json()["connections"][0]["host"] == "127.0.0.1:9"
    assert (tested.json()["status"], tested.json()["readOnly"]) == ("unhealthy", None)
    assert tested.json()["message"]
    assert "hunter2" not in listed.text + tested.text


async def test_an_unknown_connection_is_404(shop_duckdb: Path, isolation: Isolation) -> None:
    async with query_api(_settings(isolation, str(shop_duckdb))) as http:
        response = await http.post(BASE + "/warehouse/test", headers=ADMIN)
        stats = await http.get("/api/v1/admin/semantic/stats", headers=ADMIN)
    assert (response.status_code, response.json()["error"]) == (404, "not_found")
    assert stats.status_code == 200

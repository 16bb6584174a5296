"""A layer table qualified with the datasource's default schema is that table (issue 22:
``SELECT * FROM public.orders`` was refused on PostgreSQL), on both dialects and on a real
database; every other schema, and any catalog, is still outside the layer."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_common.principal import Principal
from atlas_query.executors import DuckDBExecutor, PostgresExecutor
from atlas_query.executors.postgres import default_schema
from atlas_query.guard import SqlGuard
from atlas_query.semantic import SemanticLayer
from atlas_query.settings import QuerySettings
from tests.query.fixtures.databases import (  # noqa: F401 - fixtures
    shop_duckdb,
    shop_layer,
    shop_postgres_url,
)

ANALYST = Principal(user_id="ana", role="analyst")
SETTINGS = QuerySettings(row_limit=100)


def _tables(guard: SqlGuard, sql: str) -> list[str] | None:
    result = guard.check(sql, ANALYST)
    return sorted(result.tables) if result.valid else None


@pytest.mark.parametrize(("url", "schema"), [
    ("postgresql://u@h/db", "public"),
    ("postgresql://u@h/db?search_path=shop", "shop"),
    ("postgresql://u@h/db?search_path=%22$user%22,sales,public", "sales"),
    ("postgresql://u@h/db?options=-c%20search_path%3Dledger", "ledger"),
])
def test_the_default_schema_comes_from_the_datasource_url(url: str, schema: str) -> None:
    assert default_schema(url) == schema


def test_postgres_accepts_public_and_refuses_other_schemas(shop_layer: SemanticLayer) -> None:
    guard = SqlGuard(shop_layer, "postgres", SETTINGS)
    assert _tables(guard, "SELECT * FROM public.orders") == ["orders"]
    assert _tables(guard, "SELECT o.id FROM PUBLIC.orders o JOIN users u ON u.id = o.user_id"
                   ) == ["orders", "users"]
    for sql in ("SELECT * FROM main.orders", 'SELECT * FROM "PUBLIC".orders',
                "SELECT * FROM pg_catalog.orders", "SELECT * FROM analytics.orders",
                "SELECT * FROM public.secrets", "SELECT * FROM db.public.orders",
                "SELECT * FROM public.page_views"):
        assert _tables(guard, sql) is None, sql


def test_duckdb_accepts_main_and_refuses_other_schemas(shop_layer: SemanticLayer) -> None:
    guard = SqlGuard(shop_layer, "duckdb", SETTINGS)
    assert _tables(guard, "SELECT * FROM main.orders") == ["orders"]
    assert _tables(guard, "SELECT * FROM MAIN.users") == ["users"]
    for sql in ("SELECT * FROM public.orders", "SELECT * FROM temp.orders",
                "SELECT * FROM system.orders", "SELECT * FROM shop.main.orders",
                "SELECT * FROM main.secrets"):
        assert _tables(guard, sql) is None, sql


async def test_qualified_queries_run_on_postgres(shop_layer: SemanticLayer,
                                                 shop_postgres_url: str) -> None:
    executor = PostgresExecutor(shop_postgres_url, row_limit=100, timeout_ms=10_000)
    try:
        home = executor.default_schema
        assert home.startswith("shop_")  # the fixture's datasource URL names its schema
        guard = SqlGuard(shop_layer, "postgres", SETTINGS, default_schema=home)
        result = guard.check(f"SELECT COUNT(*) AS n FROM {home}.orders", ANALYST)
        assert result.valid and result.rewritten_sql is not None, result.errors
        rows = (await executor.execute(result.rewritten_sql)).rows
        assert rows[0]["n"] > 0
        assert _tables(guard, "SELECT * FROM public.orders") is None  # not this one's default
    finally:
        await executor.close()


async def test_qualified_queries_run_on_duckdb(shop_layer: SemanticLayer,
                                               shop_duckdb: Path) -> None:
    executor = DuckDBExecutor(shop_duckdb, row_limit=100, timeout_ms=10_000)
    guard = SqlGuard(shop_layer, "duckdb", SETTINGS, default_schema=executor.default_schema)
    result = guard.check("SELECT COUNT(*) AS n FROM main.orders", ANALYST)
    assert result.valid and result.rewritten_sql is not None, result.errors
    assert (await executor.execute(result.rewritten_sql)).rows[0]["n"] > 0

"""The guard corpus: every refused case refused by the expected layer, every valid analytical
query accepted unchanged but for the LIMIT, and runnable on the real databases (DuckDB,
PostgreSQL, MariaDB, SQLite)."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from atlas_common.principal import Principal
from atlas_query.executors import (
    DuckDBExecutor,
    Executor,
    MySQLExecutor,
    PostgresExecutor,
    SQLiteExecutor,
)
from atlas_query.guard import SqlGuard
from atlas_query.semantic import SemanticLayer
from atlas_query.settings import QuerySettings
from tests.query.fixtures.databases import (  # noqa: F401 - fixtures
    shop_duckdb,
    shop_flat_layer,
    shop_layer,
    shop_mysql_url,
    shop_postgres_url,
    shop_sqlite,
)
from tests.query.fixtures.dataset import FLAT_DIALECTS, PAGE_VIEWS
from tests.query.guard_corpus.cases import Refused, Valid
from tests.query.guard_corpus.refused import CATEGORIES
from tests.query.guard_corpus.valid import VALID

ANALYST = Principal(user_id="ana", role="analyst")
ROW_LIMIT = 1000
DIALECTS = ("postgres", "duckdb", "mysql", "sqlite")


def for_dialect(text: str, dialect: str) -> str:
    """MariaDB and SQLite hold ``analytics.page_views`` as ``page_views``."""
    return text.replace(PAGE_VIEWS, "page_views") if dialect in FLAT_DIALECTS else text


def _refused_params() -> list[object]:
    return [pytest.param(case, dialect, id=f"{name}-{dialect}-{i}")
            for name, cases in CATEGORIES.items()
            for i, case in enumerate(cases) for dialect in case.dialects]


@pytest.fixture(scope="module")
def guards(shop_layer: SemanticLayer, shop_flat_layer: SemanticLayer,
           shop_mysql_url: str) -> dict[str, SqlGuard]:
    settings = QuerySettings(row_limit=ROW_LIMIT)
    home = shop_mysql_url.rsplit("/", 1)[-1]  # the run's database: where bare names resolve
    return {
        "postgres": SqlGuard(shop_layer, "postgres", settings),
        "duckdb": SqlGuard(shop_layer, "duckdb", settings),
        "mysql": SqlGuard(shop_flat_layer, "mysql", settings, default_schema=home),
        "sqlite": SqlGuard(shop_flat_layer, "sqlite", settings),
    }


def test_the_corpus_is_large_enough() -> None:
    assert all(len(cases) >= 15 for cases in CATEGORIES.values()), {
        name: len(cases) for name, cases in CATEGORIES.items()}
    assert len(VALID) >= 60


@pytest.mark.parametrize(("case", "dialect"), _refused_params())
def test_refused(case: Refused, dialect: str, guards: dict[str, SqlGuard]) -> None:
    result = guards[dialect].check(for_dialect(case.sql, dialect), ANALYST)
    assert not result.valid
    assert result.rewritten_sql is None
    assert [e.layer for e in result.errors] == [case.layer], result.errors
    assert result.errors[0].message


def _split_limit(tree: exp.Expr) -> int | None:
    """Remove the outer LIMIT / FETCH and return its count."""
    limit = tree.args.get("limit")
    tree.set("limit", None)
    if limit is None:
        return None
    count = limit.args.get("expression") or limit.args.get("count")
    return int(count.this)


def _check_valid(case: Valid, dialect: str, guard: SqlGuard) -> str:
    sql = for_dialect(case.sql, dialect)
    result = guard.check(sql, ANALYST)
    assert result.valid, result.errors
    assert sorted(result.tables) == sorted(for_dialect(t, dialect) for t in case.tables)
    assert result.rewritten_sql is not None
    rewritten = sqlglot.parse_one(result.rewritten_sql, dialect=dialect)
    # sqlglot writes some functions its own way (PERCENTILE_CONT -> QUANTILE_CONT on DuckDB):
    # the reference is the query as sqlglot itself writes it back, with nothing added.
    original = sqlglot.parse_one(sql, dialect=dialect)
    reference = sqlglot.parse_one(original.sql(dialect=dialect), dialect=dialect)
    own_limit, limit = _split_limit(reference), _split_limit(rewritten)
    assert rewritten == reference  # unchanged but for the LIMIT
    assert limit == min(own_limit or ROW_LIMIT + 1, ROW_LIMIT + 1)
    return result.rewritten_sql


def _all_valid_params() -> list[object]:
    return [pytest.param(case, dialect, id=f"{dialect}-{i}") for dialect in DIALECTS
            for i, case in enumerate(VALID) if dialect in case.dialects]


@pytest.mark.parametrize(("case", "dialect"), _all_valid_params())
async def test_valid(case: Valid, dialect: str, guards: dict[str, SqlGuard],
                     executors: dict[str, Executor]) -> None:
    sql = _check_valid(case, dialect, guards[dialect])
    result = await executors[dialect].execute(sql)
    assert result.columns


@pytest.fixture(scope="module")
async def executors(shop_duckdb: Path, shop_postgres_url: str, shop_mysql_url: str,  # type: ignore[no-untyped-def]
                    shop_sqlite: Path):
    limits = {"row_limit": ROW_LIMIT, "timeout_ms": 10_000}
    made: dict[str, Executor] = {
        "duckdb": DuckDBExecutor(shop_duckdb, row_limit=ROW_LIMIT, timeout_ms=10_000),
        "postgres": PostgresExecutor(shop_postgres_url, **limits),
        "mysql": MySQLExecutor(shop_mysql_url, **limits),
        "sqlite": SQLiteExecutor(shop_sqlite, **limits),
    }
    yield made
    for executor in made.values():
        await executor.close()

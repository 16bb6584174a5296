"""The guard corpus: every refused case refused by the expected layer, every valid analytical
query accepted unchanged but for the LIMIT, and runnable on both real databases."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from atlas_common.principal import Principal
from atlas_query.executors import DuckDBExecutor, PostgresExecutor
from atlas_query.guard import SqlGuard
from atlas_query.semantic import SemanticLayer
from atlas_query.settings import QuerySettings
from tests.query.fixtures.databases import (  # noqa: F401 - fixtures
    shop_duckdb,
    shop_layer,
    shop_postgres_url,
)
from tests.query.guard_corpus.cases import Refused, Valid
from tests.query.guard_corpus.refused import CATEGORIES
from tests.query.guard_corpus.valid import VALID

ANALYST = Principal(user_id="ana", role="analyst")
ROW_LIMIT = 1000


def _refused_params() -> list[object]:
    return [pytest.param(case, dialect, id=f"{name}-{dialect}-{i}")
            for name, cases in CATEGORIES.items()
            for i, case in enumerate(cases) for dialect in case.dialects]


def _valid_params(dialect: str) -> list[object]:
    return [pytest.param(case, id=f"{dialect}-{i}")
            for i, case in enumerate(VALID) if dialect in case.dialects]


@pytest.fixture(scope="module")
def guards(shop_layer: SemanticLayer) -> dict[str, SqlGuard]:
    settings = QuerySettings(row_limit=ROW_LIMIT)
    return {d: SqlGuard(shop_layer, d, settings) for d in ("postgres", "duckdb")}


def test_the_corpus_is_large_enough() -> None:
    assert all(len(cases) >= 15 for cases in CATEGORIES.values()), {
        name: len(cases) for name, cases in CATEGORIES.items()}
    assert len(VALID) >= 60


@pytest.mark.parametrize(("case", "dialect"), _refused_params())
def test_refused(case: Refused, dialect: str, guards: dict[str, SqlGuard]) -> None:
    result = guards[dialect].check(case.sql, ANALYST)
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
    result = guard.check(case.sql, ANALYST)
    assert result.valid, result.errors
    assert sorted(result.tables) == sorted(case.tables)
    assert result.rewritten_sql is not None
    rewritten = sqlglot.parse_one(result.rewritten_sql, dialect=dialect)
    # sqlglot writes some functions its own way (PERCENTILE_CONT -> QUANTILE_CONT on DuckDB):
    # the reference is the query as sqlglot itself writes it back, with nothing added.
    original = sqlglot.parse_one(case.sql, dialect=dialect)
    reference = sqlglot.parse_one(original.sql(dialect=dialect), dialect=dialect)
    own_limit, limit = _split_limit(reference), _split_limit(rewritten)
    assert rewritten == reference  # unchanged but for the LIMIT
    assert limit == min(own_limit or ROW_LIMIT + 1, ROW_LIMIT + 1)
    return result.rewritten_sql


@pytest.mark.parametrize("case", _valid_params("duckdb"))
async def test_valid_on_duckdb(case: Valid, guards: dict[str, SqlGuard], shop_duckdb: Path,
                               duckdb_executor: DuckDBExecutor) -> None:
    sql = _check_valid(case, "duckdb", guards["duckdb"])
    result = await duckdb_executor.execute(sql)
    assert result.columns


@pytest.mark.parametrize("case", _valid_params("postgres"))
async def test_valid_on_postgres(case: Valid, guards: dict[str, SqlGuard],
                                 postgres_executor: PostgresExecutor) -> None:
    sql = _check_valid(case, "postgres", guards["postgres"])
    result = await postgres_executor.execute(sql)
    assert result.columns


@pytest.fixture(scope="module")
def duckdb_executor(shop_duckdb: Path) -> DuckDBExecutor:
    return DuckDBExecutor(shop_duckdb, row_limit=ROW_LIMIT, timeout_ms=10_000)


@pytest.fixture(scope="module")
async def postgres_executor(shop_postgres_url: str):  # type: ignore[no-untyped-def]
    executor = PostgresExecutor(shop_postgres_url, row_limit=ROW_LIMIT, timeout_ms=10_000)
    yield executor
    await executor.close()

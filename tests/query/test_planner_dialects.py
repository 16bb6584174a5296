"""The semantic planner's SQL in each dialect: time buckets (day, week, month, quarter, year)
and a ranked breakdown give the same rows on DuckDB, PostgreSQL, MariaDB and SQLite, where
MariaDB and SQLite have no DATE_TRUNC of their own (planner/buckets.py)."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_query.executors import (
    DuckDBExecutor,
    Executor,
    MySQLExecutor,
    PostgresExecutor,
    SQLiteExecutor,
)
from atlas_query.semantic import SemanticLayer
from tests.query.fixtures.databases import (  # noqa: F401 - fixtures
    shop_duckdb,
    shop_flat_layer,
    shop_layer,
    shop_mysql_url,
    shop_postgres_url,
    shop_sqlite,
)
from tests.query.test_generated_layers import Asker

QUESTIONS = [
    "How many orders per day?",
    "How many orders per week?",
    "How many orders per month?",
    "How many orders per quarter?",
    "How many orders per year?",
    "Top 5 countries by number of orders",
]


@pytest.fixture(scope="module")
async def askers(shop_layer: SemanticLayer, shop_flat_layer: SemanticLayer,  # type: ignore[no-untyped-def]
                 shop_duckdb: Path, shop_postgres_url: str, shop_mysql_url: str,
                 shop_sqlite: Path):
    executors: list[tuple[Executor, SemanticLayer]] = [
        (DuckDBExecutor(shop_duckdb, row_limit=1000, timeout_ms=10_000), shop_layer),
        (PostgresExecutor(shop_postgres_url, row_limit=1000, timeout_ms=10_000), shop_layer),
        (MySQLExecutor(shop_mysql_url, row_limit=1000, timeout_ms=10_000), shop_flat_layer),
        (SQLiteExecutor(shop_sqlite, row_limit=1000, timeout_ms=10_000), shop_flat_layer),
    ]
    yield {executor.dialect: Asker(layer, executor) for executor, layer in executors}
    for executor, _ in executors:
        await executor.close()


@pytest.mark.parametrize("question", QUESTIONS)
async def test_the_four_dialects_give_the_same_rows(question: str,
                                                    askers: dict[str, Asker]) -> None:
    answers = {dialect: await asker.rows(question) for dialect, asker in askers.items()}
    reference = answers["duckdb"]
    assert isinstance(reference, list) and reference, reference
    assert {d: rows for d, rows in answers.items() if rows != reference} == {}


async def test_weeks_start_on_monday(askers: dict[str, Asker]) -> None:
    for dialect in ("mysql", "sqlite"):
        rows = await askers[dialect].rows("How many orders per week?")
        assert isinstance(rows, list)
        assert rows[0][0] == "2024-01-01" and rows[1][0] == "2024-01-08", (dialect, rows[:2])

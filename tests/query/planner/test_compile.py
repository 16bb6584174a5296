"""Plans to SQL: the shapes the compiler writes, the guard accepting them in both dialects,
and the same questions answered on PostgreSQL (a layer written in its dialect, tables
schema-qualified, entity names unlike the tables) with the rows DuckDB computes by hand."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import duckdb
import pytest
import pytest_asyncio
import sqlglot

from atlas_common.principal import ANONYMOUS
from atlas_query.executors.postgres import PostgresExecutor
from atlas_query.guard.guard import SqlGuard
from atlas_query.planner import Planned, SemanticAnswerer, SemanticPlanner
from atlas_query.semantic import SemanticLayer, load_semantic_layer
from atlas_query.settings import QuerySettings
from atlas_query.worker.sql_runner import GuardedSqlRunner
from tests.query.planner.conftest import DEMO_NOW
from tests.query.planner.evaluate import compare, normalize
from tests.query.planner.test_answerer import ask
from tests.support.isolation import create_database, drop_database


def sql_of(planner: SemanticPlanner, question: str) -> str:
    decision = planner.decide(question)
    assert isinstance(decision, Planned), decision
    return decision.sql


def test_one_table_needs_no_aliases(demo_planner: SemanticPlanner) -> None:
    sql = sql_of(demo_planner, "signups by plan last week")
    assert sql.startswith("SELECT plan, COUNT(*) AS signups FROM users WHERE ")
    assert "GROUP BY plan ORDER BY signups DESC, plan ASC" in sql


def test_top_n_orders_limits_and_breaks_ties(demo_planner: SemanticPlanner) -> None:
    sql = sql_of(demo_planner, "bottom 3 countries by GMV")
    assert sql.endswith("ORDER BY total_gmv ASC, country ASC LIMIT 3")


def test_series_buckets_are_dates_in_order(demo_planner: SemanticPlanner) -> None:
    sql = sql_of(demo_planner, "orders per quarter in 2026")
    assert "CAST(DATE_TRUNC('QUARTER', created_at) AS DATE) AS quarter" in sql
    assert sql.endswith("ORDER BY quarter ASC")


def test_comparison_is_a_union_with_periods(demo_planner: SemanticPlanner) -> None:
    sql = sql_of(demo_planner, "AOV this week vs last week")
    first, second = sql.split(" UNION ALL ")
    assert first.startswith("SELECT 'this week' AS period, ROUND(AVG(total_cents) / 100.0, 2)")
    assert second.startswith("SELECT 'last week' AS period")


def test_buckets_follow_the_time_zone(demo_layer: SemanticLayer) -> None:
    planner = SemanticPlanner(demo_layer, "duckdb", "Europe/Berlin", now=lambda: DEMO_NOW)
    sql = sql_of(planner, "signups by day last week")
    assert "created_at AT TIME ZONE 'UTC' AT TIME ZONE 'Europe/Berlin'" in sql
    assert "created_at >= CAST('2026-11-08 23:00:00' AS TIMESTAMP)" in sql  # Berlin midnight


def test_a_verbatim_metric_is_the_layers_sql(demo_planner: SemanticPlanner,
                                             demo_layer: SemanticLayer) -> None:
    metric = next(m for m in demo_layer.metrics if m.id == "net_revenue_by_category")
    assert sql_of(demo_planner, "net revenue by category") == metric.sql


def test_every_planned_eval_question_passes_the_guard(demo_planner: SemanticPlanner,
                                                      demo_layer: SemanticLayer) -> None:
    from tests.query.planner.evaluate import HERE, load_cases

    guard = SqlGuard(demo_layer, "duckdb", QuerySettings(row_limit=1000))
    _, cases = load_cases(HERE / "eval_demo.yaml")
    for case in cases:
        decision = demo_planner.decide(case.question)
        if isinstance(decision, Planned):
            verdict = guard.check(decision.sql, ANONYMOUS)
            assert verdict.valid, (case.question, verdict.errors)


# --- PostgreSQL -------------------------------------------------------------------------------

PG_ENTITIES = {
    "members.yml": """
name: Members
type: dimension_table
table: {schema}.users
description: People who signed up (accounts).
dimensions:
  - {{name: id, sql: id, type: number, primary_key: true}}
  - {{name: country, sql: country, type: string, sample_values: [Germany, France, Japan]}}
  - {{name: plan, sql: plan, type: string, sample_values: [free, pro, business]}}
  - {{name: created_at, sql: created_at, type: timestamp, description: When the member joined}}
measures:
  - {{name: member_count, sql: id, type: count}}
joins:
  - {{target_entity: Purchases, relationship: one_to_many, join_columns: {{from: id, to: user_id}}}}
""",
    "purchases.yml": """
name: Purchases
type: fact_table
table: {schema}.orders
description: Orders placed by members.
dimensions:
  - {{name: id, sql: id, type: number, primary_key: true}}
  - {{name: user_id, sql: user_id, type: number}}
  - {{name: status, sql: status, type: string, sample_values: [delivered, cancelled, refunded]}}
  - {{name: country, sql: country, type: string, sample_values: [Germany, France, Japan]}}
  - {{name: created_at, sql: created_at, type: timestamp, description: When it was placed}}
measures:
  - {{name: purchase_count, sql: id, type: count_distinct}}
  - {{name: total_cents_sum, sql: total_cents, type: sum}}
joins:
  - {{target_entity: Members, relationship: many_to_one, join_columns: {{from: user_id, to: id}}}}
""",
}
PG_METRICS = """
metrics:
  - id: gmv
    label: GMV
    type: atomic
    source: {{entity: Purchases, measure: total_cents_sum}}
    sql: SELECT SUM(total_cents) / 100.0 AS gmv FROM {schema}.orders WHERE status <> 'cancelled'
  - id: gmv_by_month
    label: GMV by month
    type: breakdown
    source: {{entity: Purchases, measure: total_cents_sum}}
    sql: >-
      SELECT to_char(created_at, 'YYYY-MM') AS month, SUM(total_cents) / 100.0 AS gmv
      FROM {schema}.orders WHERE status <> 'cancelled' GROUP BY 1 ORDER BY 1
"""

# (question, time zone, ordered, SQL on the DuckDB copy of the same rows)
PG_CASES = [
    ("How many members are there?", "UTC", False, "SELECT COUNT(*) FROM users"),
    ("GMV by country last month", "UTC", False,
     "SELECT country, SUM(total_cents) / 100.0 FROM orders WHERE status <> 'cancelled' "
     "AND created_at >= '2026-10-01' AND created_at < '2026-11-01' GROUP BY 1"),
    ("monthly GMV", "UTC", True,
     "SELECT strftime(created_at, '%Y-%m') m, SUM(total_cents) / 100.0 FROM orders "
     "WHERE status <> 'cancelled' GROUP BY m ORDER BY m"),
    ("GMV per month in 2026", "UTC", True,
     "SELECT CAST(date_trunc('month', created_at) AS DATE) m, SUM(total_cents) / 100.0 "
     "FROM orders WHERE status <> 'cancelled' AND year(created_at) = 2026 GROUP BY m ORDER BY m"),
    ("top 3 countries by purchases last week", "UTC", True,
     "SELECT country, COUNT(*) n FROM orders WHERE created_at >= '2026-11-09' "
     "AND created_at < '2026-11-16' GROUP BY country ORDER BY n DESC, country LIMIT 3"),
    ("GMV from pro members", "UTC", False,
     "SELECT SUM(o.total_cents) / 100.0 FROM orders o JOIN users u ON u.id = o.user_id "
     "WHERE u.plan = 'pro' AND o.status <> 'cancelled'"),
    ("GMV this month vs last month", "UTC", False,
     "SELECT 'this month', SUM(total_cents) / 100.0 FROM orders WHERE status <> 'cancelled' "
     "AND created_at >= '2026-11-01' UNION ALL SELECT 'last month', SUM(total_cents) / 100.0 "
     "FROM orders WHERE status <> 'cancelled' AND created_at >= '2026-10-01' "
     "AND created_at < '2026-11-01'"),
    ("purchases by day last week", "America/New_York", True,
     "SELECT CAST(created_at - INTERVAL 5 HOUR AS DATE) d, COUNT(*) FROM orders "
     "WHERE created_at >= TIMESTAMP '2026-11-09 05:00:00' "
     "AND created_at < TIMESTAMP '2026-11-16 05:00:00' GROUP BY d ORDER BY d"),
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def pg_shop(demo_reference: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> AsyncIterator[tuple[str, SemanticLayer]]:
    """The demo's users and orders copied into a private PostgreSQL database."""
    name = f"atlas_planner_{uuid.uuid4().hex[:10]}"
    url = await asyncio.to_thread(create_database, name)  # it runs its own event loop
    schema = "shop"
    source = duckdb.connect(str(demo_reference), read_only=True)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"""CREATE SCHEMA {schema};
            CREATE TABLE {schema}.users (id int PRIMARY KEY, name text, email text,
              country text, plan text, signup_source text, created_at timestamp);
            CREATE TABLE {schema}.orders (id int PRIMARY KEY, user_id int, status text,
              created_at timestamp, total_cents int, country text)""")
        for table in ("users", "orders"):
            rows = source.execute(f"SELECT * FROM {table}").fetchall()
            await conn.copy_records_to_table(table, records=rows, schema_name=schema)
    finally:
        await conn.close()
        source.close()
    root = tmp_path_factory.mktemp("pg-layer")
    (root / "entities").mkdir()
    (root / "metrics").mkdir()
    for file, text in PG_ENTITIES.items():
        (root / "entities" / file).write_text(text.format(schema=schema))
    (root / "metrics" / "gmv.yml").write_text(PG_METRICS.format(schema=schema))
    try:
        yield url, load_semantic_layer(root)
    finally:
        await asyncio.to_thread(drop_database, name)


@pytest.mark.parametrize(("question", "zone", "ordered", "expected_sql"), PG_CASES)
async def test_postgres_answers_match_hand_written_rows(
        pg_shop: tuple[str, SemanticLayer], demo_reference: Path, question: str, zone: str,
        ordered: bool, expected_sql: str) -> None:
    url, layer = pg_shop
    executor = PostgresExecutor(url, row_limit=1000, timeout_ms=30_000)
    runner = GuardedSqlRunner(SqlGuard(layer, "postgres", QuerySettings(row_limit=1000)),
                              executor)
    answerer = SemanticAnswerer(layer, "postgres", zone, now=lambda: DEMO_NOW)
    try:
        events = await ask(answerer, runner, question)
    finally:
        await executor.close()
    output = next(e.output for e in events if e.type == "tool-result")
    sql = next(e.input["sql"] for e in events if e.type == "tool-call")
    sqlglot.parse_one(sql, read="postgres")  # what ran is PostgreSQL
    actual = [tuple(normalize(r[c]) for c in output["columns"]) for r in output["rows"]]
    reference = duckdb.connect(str(demo_reference), read_only=True)
    try:
        expected = [tuple(normalize(v) for v in row)
                    for row in reference.execute(expected_sql).fetchall()]
    finally:
        reference.close()
    assert compare(actual, expected, ordered) == "", sql


def test_schema_qualified_tables_and_entity_names(pg_shop: tuple[str, SemanticLayer]) -> None:
    _, layer = pg_shop
    planner = SemanticPlanner(layer, "postgres", now=lambda: datetime(2026, 11, 18, tzinfo=UTC))
    sql = sql_of(planner, "GMV from pro members")
    assert "FROM shop.orders AS o INNER JOIN shop.users AS u ON o.user_id = u.id" in sql

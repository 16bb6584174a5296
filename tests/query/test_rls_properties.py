"""Row-level security on real databases: whatever the shape of the query (joins of every
kind, subqueries, CTEs, UNIONs, correlated and scalar subqueries, aggregates), a rewritten
query never returns a row outside the principal's claims.

Every generated query returns one column ``t`` built only from governed tables' tenant
columns, so a leak would show a foreign tenant in ``t``. Joins on ``a.tenant_id <>
b.tenant_id`` are there to pull other tenants' rows in if any read went unfiltered.

On MariaDB and SQLite, ``analytics.page_views`` is ``page_views`` (see fixtures/dataset.py).
MariaDB has no FULL JOIN: sqlglot writes it as a LEFT JOIN UNION ALL an anti-joined RIGHT
JOIN, copying the filtered reads, so the property covers that rewrite too.
"""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
from atlas_query.settings import QuerySettings, RlsPolicy
from tests.query.fixtures.databases import (  # noqa: F401 - fixtures
    shop_duckdb,
    shop_flat_layer,
    shop_layer,
    shop_mysql_url,
    shop_postgres_url,
    shop_sqlite,
)
from tests.query.fixtures.dataset import FLAT_DIALECTS, PAGE_VIEWS, TENANTS, rows

GOVERNED = ("users", "orders", "order_items", "analytics.page_views")
POLICY = RlsPolicy(tables=list(GOVERNED), column="tenant_id", claim="tenant")
# (left table, right table, join condition, join kinds). PostgreSQL runs FULL JOIN only on
# equality conditions, so the cross-tenant joins use the other kinds.
ALL_KINDS = ("INNER", "LEFT", "RIGHT", "FULL")
JOINS = [
    ("orders", "users", "b.id = a.user_id", ALL_KINDS),
    ("order_items", "orders", "b.id = a.order_id", ALL_KINDS),
    ("analytics.page_views", "users", "b.id = a.user_id", ALL_KINDS),
    ("users", "orders", "a.tenant_id <> b.tenant_id", ALL_KINDS[:3]),
    ("orders", "order_items", "a.tenant_id <> b.tenant_id AND a.id < 5", ALL_KINDS[:3]),
]
PICKS = ["a.tenant_id", "b.tenant_id", "COALESCE(a.tenant_id, b.tenant_id)"]

tables = st.sampled_from(GOVERNED)
leaves = st.one_of(
    tables.map(lambda t: f"SELECT tenant_id AS t FROM {t}"),
    st.sampled_from(JOINS).flatmap(lambda j: st.builds(
        lambda kind, pick: f"SELECT {pick} AS t FROM {j[0]} a {kind} JOIN {j[1]} b ON {j[2]}",
        st.sampled_from(j[3]), st.sampled_from(PICKS))),
    tables.map(lambda t: f"SELECT (SELECT MAX(tenant_id) FROM {t}) AS t"),
    tables.map(lambda t: f"SELECT tenant_id AS t FROM {t} WHERE tenant_id <> 'acme'"),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        children.map(lambda q: f"SELECT t FROM ({q}) AS s"),
        children.map(lambda q: f"WITH c AS ({q}) SELECT t FROM c"),
        children.map(lambda q: f"SELECT DISTINCT t FROM ({q}) AS s"),
        children.map(lambda q: f"SELECT MAX(t) AS t FROM ({q}) AS s"),
        st.builds(lambda q, r: f"SELECT t FROM ({q}) AS x UNION ALL SELECT t FROM ({r}) AS y",
                  children, children),
        st.builds(lambda q, t: f"SELECT t FROM ({q}) AS x WHERE t IN (SELECT tenant_id "
                               f"FROM {t})", children, tables),
        st.builds(lambda q, t: f"SELECT x.t FROM ({q}) AS x WHERE EXISTS (SELECT 1 FROM {t} z "
                               "WHERE z.tenant_id <> x.t)", children, tables),
        st.builds(lambda q, t: f"SELECT COALESCE(x.t, z.tenant_id) AS t FROM ({q}) AS x "
                               f"FULL JOIN {t} z ON z.tenant_id = x.t", children, tables),
    )


queries = st.recursive(leaves, _extend, max_leaves=4)
claims = st.one_of(st.sampled_from(TENANTS), st.lists(st.sampled_from(TENANTS), min_size=1,
                                                     max_size=2, unique=True))
PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def for_dialect(sql: str, dialect: str) -> str:
    return sql.replace(PAGE_VIEWS, "page_views") if dialect in FLAT_DIALECTS else sql


@pytest.fixture(scope="module")
def guards(shop_layer: SemanticLayer, shop_flat_layer: SemanticLayer,
           shop_mysql_url: str) -> dict[str, SqlGuard]:
    s = QuerySettings(rls_policies=[POLICY])
    flat = QuerySettings(rls_policies=[RlsPolicy(
        tables=[for_dialect(t, "sqlite") for t in GOVERNED], column="tenant_id", claim="tenant")])
    home = shop_mysql_url.rsplit("/", 1)[-1]
    return {"postgres": SqlGuard(shop_layer, "postgres", s),
            "duckdb": SqlGuard(shop_layer, "duckdb", s),
            "mysql": SqlGuard(shop_flat_layer, "mysql", flat, default_schema=home),
            "sqlite": SqlGuard(shop_flat_layer, "sqlite", flat)}


@pytest.fixture(scope="module")
async def mysql_executor(shop_mysql_url: str):  # type: ignore[no-untyped-def]
    executor = MySQLExecutor(shop_mysql_url, row_limit=100_000, timeout_ms=10_000)
    yield executor
    await executor.close()


@pytest.fixture(scope="module")
async def sqlite_executor(shop_sqlite: Path):  # type: ignore[no-untyped-def]
    executor = SQLiteExecutor(shop_sqlite, row_limit=100_000, timeout_ms=10_000)
    yield executor
    await executor.close()


@pytest.fixture(scope="module")
def duckdb_executor(shop_duckdb: Path) -> DuckDBExecutor:
    return DuckDBExecutor(shop_duckdb, row_limit=100_000, timeout_ms=10_000)


@pytest.fixture(scope="module")
async def postgres_executor(shop_postgres_url: str):  # type: ignore[no-untyped-def]
    executor = PostgresExecutor(shop_postgres_url, row_limit=100_000, timeout_ms=10_000)
    yield executor
    await executor.close()


async def _leaked(guard: SqlGuard, executor: Executor, sql: str, claim: object) -> list[object]:
    sql = for_dialect(sql, guard.dialect)
    verdict = guard.check(f"SELECT t FROM ({sql}) AS final",
                          Principal(user_id="p", role="analyst", claims={"tenant": claim}))
    assert verdict.valid and verdict.rewritten_sql, verdict.errors
    allowed = set(claim) if isinstance(claim, list) else {claim}
    result = await executor.execute(verdict.rewritten_sql)
    return [row["t"] for row in result.rows if row["t"] is not None and row["t"] not in allowed]


@PROPERTY
@given(sql=queries, claim=claims)
async def test_duckdb_never_returns_another_tenants_rows(
        sql: str, claim: object, guards: dict[str, SqlGuard],
        duckdb_executor: DuckDBExecutor) -> None:
    assert await _leaked(guards["duckdb"], duckdb_executor, sql, claim) == []


@PROPERTY
@given(sql=queries, claim=claims)
async def test_postgres_never_returns_another_tenants_rows(
        sql: str, claim: object, guards: dict[str, SqlGuard],
        postgres_executor: PostgresExecutor) -> None:
    assert await _leaked(guards["postgres"], postgres_executor, sql, claim) == []


@PROPERTY
@given(sql=queries, claim=claims)
async def test_mysql_never_returns_another_tenants_rows(
        sql: str, claim: object, guards: dict[str, SqlGuard],
        mysql_executor: MySQLExecutor) -> None:
    assert await _leaked(guards["mysql"], mysql_executor, sql, claim) == []


@PROPERTY
@given(sql=queries, claim=claims)
async def test_sqlite_never_returns_another_tenants_rows(
        sql: str, claim: object, guards: dict[str, SqlGuard],
        sqlite_executor: SQLiteExecutor) -> None:
    assert await _leaked(guards["sqlite"], sqlite_executor, sql, claim) == []


def _expected_orders_per_user(tenant: str) -> dict[int, int]:
    """Ground truth in Python: each of the tenant's users with their number of orders."""
    counts = Counter(int(order[1]) for order in rows()["orders"] if order[6] == tenant)
    return {int(user[0]): counts.get(int(user[0]), 0)
            for user in rows()["users"] if user[5] == tenant}


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "mysql", "sqlite"])
async def test_filtered_results_are_exactly_the_tenants_rows(
        dialect: str, guards: dict[str, SqlGuard], duckdb_executor: DuckDBExecutor,
        postgres_executor: PostgresExecutor, mysql_executor: MySQLExecutor,
        sqlite_executor: SQLiteExecutor) -> None:
    # A LEFT JOIN keeps its meaning: users without orders still count, with zero.
    executors: dict[str, Executor] = {"duckdb": duckdb_executor, "postgres": postgres_executor,
                                      "mysql": mysql_executor, "sqlite": sqlite_executor}
    executor = executors[dialect]
    sql = ("SELECT u.id, COUNT(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id "
           "GROUP BY u.id")
    verdict = guards[dialect].check(sql, Principal(user_id="p", claims={"tenant": "globex"}))
    assert verdict.rewritten_sql is not None
    result = await executor.execute(verdict.rewritten_sql)
    assert {row["id"]: row["n"] for row in result.rows} == _expected_orders_per_user("globex")

"""What the guard writes: the LIMIT it adds, the row-level security it injects, the comments
it drops. Expected SQL is written by hand."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atlas_common.principal import Principal
from atlas_query.guard import SqlGuard
from atlas_query.semantic import SemanticLayer
from atlas_query.settings import QuerySettings, RlsPolicy
from tests.query.fixtures.databases import shop_layer  # noqa: F401 - fixture

TENANT_POLICY = RlsPolicy(tables=["users", "orders", "order_items", "analytics.page_views"],
                          column="tenant_id", claim="tenant")


def guard(layer: SemanticLayer, dialect: str = "postgres", **settings: object) -> SqlGuard:
    return SqlGuard(layer, dialect, QuerySettings(**settings))  # type: ignore[arg-type]


def principal(**claims: object) -> Principal:
    return Principal(user_id="ana", role="analyst", claims=claims)


def rewrite(g: SqlGuard, sql: str, who: Principal | None = None) -> str:
    result = g.check(sql, who or principal(tenant="acme"))
    assert result.valid, result.errors
    assert result.rewritten_sql is not None
    return result.rewritten_sql


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT id FROM categories", "SELECT id FROM categories LIMIT 1001"),
    ("SELECT id FROM categories LIMIT 5", "SELECT id FROM categories LIMIT 5"),
    ("SELECT id FROM categories LIMIT 1001", "SELECT id FROM categories LIMIT 1001"),
    ("SELECT id FROM categories LIMIT 50000", "SELECT id FROM categories LIMIT 1001"),
    ("SELECT id FROM categories LIMIT 5000 OFFSET 20",
     "SELECT id FROM categories LIMIT 1001 OFFSET 20"),
    ("SELECT id FROM categories ORDER BY id FETCH FIRST 5000 ROWS ONLY",
     "SELECT id FROM categories ORDER BY id FETCH FIRST 1001 ROWS ONLY"),
    ("SELECT id FROM categories LIMIT ALL",
     "SELECT * FROM (SELECT id FROM categories LIMIT ALL) AS _atlas_limited LIMIT 1001"),
    ("SELECT id FROM categories UNION SELECT id FROM products",
     "SELECT id FROM categories UNION SELECT id FROM products LIMIT 1001"),
    ("((SELECT id FROM categories))", "SELECT id FROM categories LIMIT 1001"),
    ("SELECT /* who */ id FROM categories -- trailing\n",
     "SELECT id FROM categories LIMIT 1001"),
])
def test_limit(shop_layer: SemanticLayer, sql: str, expected: str) -> None:
    assert rewrite(guard(shop_layer, row_limit=1000), sql) == expected


def test_row_limit_setting_drives_the_limit(shop_layer: SemanticLayer) -> None:
    assert rewrite(guard(shop_layer, row_limit=10), "SELECT id FROM products") == (
        "SELECT id FROM products LIMIT 11")


def test_rls_wraps_every_read_of_a_governed_table(shop_layer: SemanticLayer) -> None:
    g = guard(shop_layer, rls_policies=[TENANT_POLICY])
    sql = ("SELECT o.id, u.name, p.name FROM orders o LEFT JOIN users u ON u.id = o.user_id "
           "JOIN products p ON p.id = 1 WHERE o.id IN (SELECT order_id FROM order_items)")
    assert rewrite(g, sql) == (
        "SELECT o.id, u.name, p.name "
        "FROM (SELECT * FROM orders WHERE tenant_id = 'acme') AS o "
        "LEFT JOIN (SELECT * FROM users WHERE tenant_id = 'acme') AS u ON u.id = o.user_id "
        "JOIN products AS p ON p.id = 1 "
        "WHERE o.id IN (SELECT order_id FROM "
        "(SELECT * FROM order_items WHERE tenant_id = 'acme') AS order_items) LIMIT 1001")


def test_rls_in_ctes_and_unions(shop_layer: SemanticLayer) -> None:
    g = guard(shop_layer, rls_policies=[TENANT_POLICY])
    sql = ("WITH v AS (SELECT user_id FROM analytics.page_views) "
           "SELECT user_id FROM v UNION ALL SELECT id FROM users")
    assert rewrite(g, sql) == (
        "WITH v AS (SELECT user_id FROM (SELECT * FROM analytics.page_views "
        "WHERE tenant_id = 'acme') AS page_views) SELECT user_id FROM v UNION ALL "
        "SELECT id FROM (SELECT * FROM users WHERE tenant_id = 'acme') AS users LIMIT 1001")


@pytest.mark.parametrize(("claims", "condition"), [
    ({"tenant": ["acme", "globex"]}, "tenant_id IN ('acme', 'globex')"),
    ({"tenant": 42}, "tenant_id = 42"),
    ({"tenant": "o'brien"}, "tenant_id = 'o''brien'"),
    ({"org": {"tenant": "acme"}}, "tenant_id = 'acme'"),
])
def test_claim_values(shop_layer: SemanticLayer, claims: dict[str, object],
                      condition: str) -> None:
    claim = "org.tenant" if "org" in claims else "tenant"
    policy = RlsPolicy(tables=["orders"], column="tenant_id", claim=claim)
    g = guard(shop_layer, rls_policies=[policy])
    assert rewrite(g, "SELECT id FROM orders", principal(**claims)) == (
        f"SELECT id FROM (SELECT * FROM orders WHERE {condition}) AS orders LIMIT 1001")


@pytest.mark.parametrize(("claims", "reason"), [
    ({}, "missing"),
    ({"tenant": None}, "missing"),
    ({"tenant": []}, "empty list"),
    ({"tenant": {"nested": "x"}}, "not a text or a number"),
    ({"tenant": float("nan")}, "not a text or a number"),
])
def test_rls_fails_closed_on_a_bad_claim(shop_layer: SemanticLayer,
                                         claims: dict[str, object], reason: str) -> None:
    g = guard(shop_layer, rls_policies=[TENANT_POLICY])
    result = g.check("SELECT COUNT(*) FROM orders", principal(**claims))
    assert not result.valid and result.rewritten_sql is None
    assert result.errors[0].layer == "rls"
    assert reason in result.errors[0].message and "tenant" in result.errors[0].message


def test_a_query_without_governed_tables_needs_no_claim(shop_layer: SemanticLayer) -> None:
    g = guard(shop_layer, rls_policies=[TENANT_POLICY])
    assert rewrite(g, "SELECT name FROM products", principal()) == (
        "SELECT name FROM products LIMIT 1001")


def test_shorthand_governs_every_table(shop_layer: SemanticLayer) -> None:
    g = guard(shop_layer, rls_enabled=True, rls_column="TenantId", rls_claim="tenant")
    assert set(g.governed_tables) == set(shop_layer.tables)
    assert rewrite(g, "SELECT name FROM products") == (
        'SELECT name FROM (SELECT * FROM products WHERE "TenantId" = \'acme\') AS products '
        "LIMIT 1001")


def test_a_governed_table_that_cannot_be_wrapped_is_refused(shop_layer: SemanticLayer) -> None:
    g = guard(shop_layer, "duckdb", rls_policies=[TENANT_POLICY])
    result = g.check("SELECT * FROM orders PIVOT (count(*) FOR status IN ('shipped'))",
                     principal(tenant="acme"))
    assert [e.layer for e in result.errors] == ["rls"]


def test_a_policy_on_a_table_outside_the_layer_stops_start_up(shop_layer: SemanticLayer) -> None:
    policy = RlsPolicy(tables=["order"], column="tenant_id", claim="tenant")
    with pytest.raises(ValueError, match="'order'"):
        guard(shop_layer, rls_policies=[policy])


def test_rls_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_RLS_POLICIES",
                       '[{"tables": ["orders"], "column": "org_id", "claim": "org"}]')
    monkeypatch.setenv("ATLAS_RLS_ENABLED", "true")
    monkeypatch.setenv("ATLAS_RLS_COLUMN", "tenant_id")
    monkeypatch.setenv("ATLAS_RLS_CLAIM", "tenant")
    assert QuerySettings().effective_rls_policies() == [
        RlsPolicy(tables=["orders"], column="org_id", claim="org"),
        RlsPolicy(tables=["*"], column="tenant_id", claim="tenant"),
    ]
    monkeypatch.delenv("ATLAS_RLS_POLICIES")
    monkeypatch.delenv("ATLAS_RLS_COLUMN")
    with pytest.raises(ValidationError, match="ATLAS_RLS_COLUMN"):
        QuerySettings()


@pytest.mark.parametrize(("dialect", "sql", "valid"), [
    ("postgres", "SELECT id FROM ORDERS", True),  # unquoted: folded to orders
    ("postgres", 'SELECT id FROM "ORDERS"', False),  # quoted: another table
    ("duckdb", 'SELECT id FROM "ORDERS"', True),  # DuckDB ignores case
    ("postgres", "SELECT id FROM ANALYTICS.PAGE_VIEWS", True),
])
def test_name_resolution_follows_the_dialect(shop_layer: SemanticLayer, dialect: str,
                                             sql: str, valid: bool) -> None:
    assert guard(shop_layer, dialect).check(sql, principal()).valid is valid


def test_pathological_input_is_refused_not_crashed(shop_layer: SemanticLayer) -> None:
    g = guard(shop_layer)
    deep = g.check("SELECT " + "(" * 5000 + "1" + ")" * 5000, principal())
    long = g.check("SELECT 1 " + " " * 100_001, principal())
    assert [e.layer for e in deep.errors] == ["parse"]
    assert [e.layer for e in long.errors] == ["empty"]


def test_tables_lists_each_layer_table_once(shop_layer: SemanticLayer) -> None:
    result = guard(shop_layer).check(
        "SELECT a.id FROM orders a JOIN orders b ON a.id = b.id JOIN users u ON true",
        principal())
    assert sorted(result.tables) == ["orders", "users"]

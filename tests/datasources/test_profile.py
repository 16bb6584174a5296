"""profile_database on the shop schema in each dialect: what the catalogs and the rows say."""

from __future__ import annotations

import pytest
from atlas_datasources import ProgressEvent, profile_database
from atlas_datasources.model import DatabaseProfile, TableProfile

from tests.datasources import shop
from tests.datasources.conftest import SAMPLE_ROWS

EXPECTED_TYPES = {
    "id": "number",
    "name": "string",
    "tier": "string",
    "active": "boolean",  # MySQL's tinyint(1), SQLite's declared BOOLEAN
    "signup_date": "date",
    "balance": "number",
    "photo": "string",
}


def table(profile: DatabaseProfile, name: str) -> TableProfile:
    return next(t for t in profile.tables if t.name == name)


def test_every_table_and_view_with_its_kind(shop_profile: DatabaseProfile, dialect: str) -> None:
    kinds = {t.name: t.kind for t in shop_profile.tables}
    expected = {name: "table" for name in shop.TABLE_NAMES} | {"paid_orders": "view"}
    if dialect == "postgres":
        expected["order_totals"] = "materialized_view"
    assert kinds == expected
    assert shop_profile.dialect == dialect
    layer_schema = {"postgres": "public", "duckdb": "main"}.get(dialect)
    assert shop_profile.default_schema == layer_schema
    assert {t.schema_name for t in shop_profile.tables} == {layer_schema}


def test_columns_types_and_keys(shop_profile: DatabaseProfile, dialect: str) -> None:
    customers = table(shop_profile, "customers")
    assert {c.name: c.dimension_type for c in customers.columns} == EXPECTED_TYPES
    assert customers.primary_key == ["id"]
    by_name = {c.name: c for c in customers.columns}
    assert by_name["id"].primary_key and not by_name["id"].nullable
    assert not by_name["name"].nullable and by_name["tier"].nullable
    orders = table(shop_profile, "orders")
    assert {c.name: c.dimension_type for c in orders.columns}["placed_at"] == "timestamp"
    assert table(shop_profile, "colors").primary_key == []
    if dialect != "sqlite":  # SQLite has no table comments
        assert customers.comment == shop.COMMENT
        assert by_name["tier"].comment == shop.TIER_COMMENT and by_name["name"].comment is None


def test_declared_foreign_key(shop_profile: DatabaseProfile) -> None:
    keys = table(shop_profile, "orders").foreign_keys
    assert [(k.columns, k.ref_table, k.ref_columns, k.inferred) for k in keys] == [
        (["customer_id"], "customers", ["id"], False)
    ]


def test_exact_counts_and_statistics(shop_profile: DatabaseProfile) -> None:
    customers = table(shop_profile, "customers")
    assert (customers.row_count, customers.row_count_estimated, customers.sampled) == (
        40,
        False,
        False,
    )
    col = {c.name: c for c in customers.columns}
    assert col["tier"].null_fraction == pytest.approx(0.2)
    assert col["tier"].distinct_count == 3 and not col["tier"].distinct_estimated
    assert sorted(col["tier"].sample_values) == ["bronze", "gold", "silver"]  # type: ignore[type-var]
    assert col["active"].sample_values in ([False, True], [True, False])
    assert (col["signup_date"].min_value, col["signup_date"].max_value) == (
        "2024-01-01",
        "2024-01-28",
    )
    assert (col["balance"].min_value, col["balance"].max_value) == (1.5, 60)
    assert col["photo"].null_fraction == 1.0 and col["photo"].distinct_count is None
    assert col["name"].sample_values == []  # 40 distinct > low_cardinality
    assert col["id"].sample_values == []


def test_values_most_frequent_first(shop_profile: DatabaseProfile) -> None:
    status = next(c for c in table(shop_profile, "orders").columns if c.name == "status")
    assert status.sample_values[0] == "paid"  # 100 of 200; shipped and cancelled 50 each
    assert sorted(status.sample_values[1:]) == ["cancelled", "shipped"]  # type: ignore[type-var]
    assert table(shop_profile, "paid_orders").row_count == 100


def test_big_table_is_sampled_within_bounds(shop_profile: DatabaseProfile, dialect: str) -> None:
    events = table(shop_profile, "events")
    assert events.sampled
    # The count is the catalog's estimate, except SQLite's, which counts its local file.
    assert events.row_count_estimated == (dialect != "sqlite")
    assert events.row_count == pytest.approx(shop.BIG_ROWS, rel=0.3)
    col = {c.name: c for c in events.columns}
    assert col["id"].distinct_estimated
    # Unique in the sample, so taken as unique: scaled to about the row count.
    assert col["id"].distinct_count == pytest.approx(events.row_count, rel=0.3)
    assert col["kind"].distinct_count == 3
    assert sorted(col["kind"].sample_values) == ["buy", "click", "view"]  # type: ignore[type-var]
    # The sample is bounded: MySQL and SQLite read the first rows (ids 1..2,000); PostgreSQL
    # and DuckDB draw pages, so their ids spread, but never more of them than the bound.
    high = col["id"].max_value
    assert isinstance(high, int)
    if dialect in ("mysql", "sqlite"):
        assert high == SAMPLE_ROWS


async def test_timeout_becomes_a_warning(shop_urls: dict[str, str], dialect: str) -> None:
    profile = await profile_database(
        shop_urls[dialect], tables=["slow_view", "warehouses"], statement_timeout_s=0.5
    )
    assert [t.name for t in profile.tables] == ["slow_view", "warehouses"]
    assert table(profile, "warehouses").row_count == 5
    slow = [w for w in profile.warnings if w.startswith("slow_view")]
    assert slow and all("timed out after 0.5 s" in w for w in slow)


async def test_filters_and_progress(shop_urls: dict[str, str], dialect: str) -> None:
    events: list[ProgressEvent] = []
    profile = await profile_database(
        shop_urls[dialect], tables=["orders", "Customers", "missing_one"], on_progress=events.append
    )
    assert [t.name for t in profile.tables] == ["customers", "orders"]
    assert any("'missing_one' not found" in w for w in profile.warnings)
    kinds = [e.kind for e in events]
    assert kinds[0] == "introspected" and events[0].total == 2
    assert kinds[-2:] == ["inferring_keys", "finished"]
    finished = [e for e in events if e.kind == "table_finished"]
    assert [(e.table, e.index, e.total, e.row_count) for e in finished] == [
        ("customers", 1, 2, 40),
        ("orders", 2, 2, 200),
    ]
    assert all(e.columns and e.elapsed_s is not None for e in finished)


async def test_schema_filter_postgres(shop_urls: dict[str, str]) -> None:
    profile = await profile_database(shop_urls["postgres"], schema="sales")
    assert [(t.schema_name, t.name, t.row_count) for t in profile.tables] == [("sales", "leads", 2)]
    assert profile.default_schema == "public"

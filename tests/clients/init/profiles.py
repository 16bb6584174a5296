"""Profiles built by hand: what the profiler would report for a small shop, per dialect."""

from __future__ import annotations

from typing import Any

from atlas_datasources.model import (
    ColumnProfile,
    DatabaseProfile,
    Dialect,
    ForeignKey,
    TableProfile,
)


def col(name: str, kind: Any = "number", **extra: Any) -> ColumnProfile:
    return ColumnProfile(name=name, data_type=str(kind), dimension_type=kind, **extra)


def fk(column: str, table: str, ref: str = "id", **extra: Any) -> ForeignKey:
    return ForeignKey(columns=[column], ref_table=table, ref_columns=[ref], **extra)


def shop(dialect: Dialect = "duckdb", default_schema: str | None = "main") -> DatabaseProfile:
    """users <- orders <- order_items -> products; payments inferred to orders."""
    statuses = ["delivered", "shipped", "pending", "cancelled"]
    tables = [
        TableProfile(
            name="users",
            schema_name=default_schema,
            row_count=6000,
            primary_key=["id"],
            comment="People who signed up",
            columns=[
                col("id", primary_key=True, distinct_count=6000),
                col("email", "string", comment="Login e-mail"),
                col(
                    "country",
                    "string",
                    sample_values=["France", "Japan"],
                    distinct_count=2,
                    null_fraction=0.1,
                ),
                col("status", "string", sample_values=["active", "closed"]),
                col("created_at", "timestamp", min_value="2024-01-01T00:00:00"),
            ],
        ),
        TableProfile(
            name="orders",
            schema_name=default_schema,
            row_count=40000,
            primary_key=["id"],
            foreign_keys=[fk("user_id", "users")],
            columns=[
                col("id", primary_key=True),
                col("user_id"),
                col("status", "string", sample_values=statuses, distinct_count=4),
                col("country", "string", sample_values=["France", "Japan"]),
                col("total_cents", min_value=100, max_value=99000),
                col("revenue"),
                col("revenue_cents"),
                col("discount_pct"),
                col("year"),
                col("created_at", "timestamp"),
                col("updated_at", "timestamp"),
            ],
        ),
        TableProfile(
            name="order_items",
            schema_name=default_schema,
            row_count=100000,
            primary_key=["id"],
            foreign_keys=[fk("order_id", "orders"), fk("product_id", "products")],
            columns=[
                col("id", primary_key=True),
                col("order_id"),
                col("product_id"),
                col("quantity"),
                col("unit_price_cents"),
            ],
        ),
        TableProfile(
            name="products",
            schema_name=default_schema,
            row_count=200,
            primary_key=["id"],
            columns=[
                col("id", primary_key=True),
                col("name", "string"),
                col("price_cents"),
                col("order", "number"),
            ],
        ),
        TableProfile(
            name="payments",
            schema_name=default_schema,
            row_count=39000,
            columns=[col("order_id"), col("amount_usd"), col("paid_on", "date")],
            foreign_keys=[fk("order_id", "orders", inferred=True, overlap=0.98)],
        ),
        TableProfile(
            name="big_orders",
            schema_name=default_schema,
            kind="view",
            row_count=10,
            columns=[col("id"), col("total_cents")],
        ),
    ]
    return DatabaseProfile(
        dialect=dialect, database="shop", default_schema=default_schema, tables=tables
    )

"""A small shop schema, the same in PostgreSQL, MariaDB, SQLite and DuckDB, with its truth.

Declared keys: orders.customer_id. Inferable ones (no constraint, names and values agree):
order_items.order_id, supplier.s_nationkey (TPC-H style), Album.ArtistId (Chinook style),
widgets.color_id (colors has no primary key, only a unique column) and the views' customer_id.
shipments.warehouse_id names warehouses but its values are not there: never inferred.
``events`` is the big table (BIG_ROWS, above the bound the tests set).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from atlas_datasources.model import Dialect

BIG_ROWS = 20_000
Row = tuple[Any, ...]

_TYPES: dict[str, dict[str, str]] = {
    "int": {"mysql": "INT"},
    "bool": {"postgres": "boolean", "mysql": "BOOLEAN", "sqlite": "BOOLEAN", "duckdb": "BOOLEAN"},
    "timestamp": {"mysql": "DATETIME"},
    "blob": {"postgres": "bytea", "mysql": "BLOB", "sqlite": "BLOB", "duckdb": "BLOB"},
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, generic type); "!" suffix: NOT NULL
    primary_key: tuple[str, ...] = ("id",)
    references: tuple[tuple[str, str, str], ...] = ()  # (column, table, column), declared


def _rows() -> dict[str, list[Row]]:
    base = dt.datetime(2024, 3, 1)
    statuses = ["paid", "shipped", "cancelled", "paid"]
    tiers = ["gold", "silver", "bronze"]
    return {
        "customers": [
            (i, f"customer {i}", None if i % 5 == 0 else tiers[i % 3], i % 2 == 0,
             dt.date(2024, 1, i % 28 + 1), Decimal(i) * Decimal("1.50"), None)
            for i in range(1, 41)
        ],
        "orders": [
            (i, i % 40 + 1, statuses[i % 4], i * 100, base + dt.timedelta(hours=i))
            for i in range(1, 201)
        ],
        "order_items": [(i, i % 200 + 1, f"SKU-{i % 7}", i % 5 + 1) for i in range(1, 401)],
        "warehouses": [(i, f"city {i}") for i in range(1, 6)],
        "shipments": [(i, 100 + i) for i in range(1, 51)],
        "nation": [(i, f"nation {i}") for i in range(25)],
        "supplier": [(i, i % 25, f"supplier {i}") for i in range(1, 31)],
        "Artist": [(i, f"artist {i}") for i in range(1, 11)],
        "Album": [(i, i % 10 + 1, f"album {i}") for i in range(1, 31)],
        "colors": [(i, f"color {i}") for i in range(1, 7)],
        "widgets": [(i, i % 6 + 1) for i in range(1, 31)],
        "events": [
            (i, ["click", "view", "buy"][i % 3], i % 1000, base + dt.timedelta(minutes=i))
            for i in range(1, BIG_ROWS + 1)
        ],
    }  # fmt: skip


TABLES = (
    Table("customers", (("id", "int!"), ("name", "varchar(50)!"), ("tier", "varchar(10)"),
                        ("active", "bool"), ("signup_date", "date"),
                        ("balance", "decimal(10,2)"), ("photo", "blob"))),
    Table("orders", (("id", "int!"), ("customer_id", "int"), ("status", "varchar(12)"),
                     ("total_cents", "int"), ("placed_at", "timestamp")),
          references=(("customer_id", "customers", "id"),)),
    Table("order_items", (("id", "int!"), ("order_id", "int"), ("sku", "varchar(20)"),
                          ("quantity", "int"))),
    Table("warehouses", (("id", "int!"), ("city", "varchar(20)"))),
    Table("shipments", (("id", "int!"), ("warehouse_id", "int"))),
    Table("nation", (("n_nationkey", "int!"), ("n_name", "varchar(25)")), ("n_nationkey",)),
    Table("supplier", (("s_suppkey", "int!"), ("s_nationkey", "int"), ("s_name", "varchar(25)")),
          ("s_suppkey",)),
    Table("Artist", (("ArtistId", "int!"), ("Name", "varchar(50)")), ("ArtistId",)),
    Table("Album", (("AlbumId", "int!"), ("ArtistId", "int"), ("Title", "varchar(50)")),
          ("AlbumId",)),
    Table("colors", (("id", "int!"), ("name", "varchar(20)")), ()),
    Table("widgets", (("id", "int!"), ("color_id", "int"))),
    Table("events", (("id", "int!"), ("kind", "varchar(10)"), ("payload_size", "int"),
                     ("happened_at", "timestamp"))),
)  # fmt: skip
ROWS = _rows()
TABLE_NAMES = [t.name for t in TABLES]
VIEWS = ["paid_orders"]
COMMENT = "People who buy"
TIER_COMMENT = "Loyalty tier"

# (table, column) -> (referenced table, column): what inference must find, and nothing else.
INFERRED = {
    ("order_items", "order_id"): ("orders", "id"),
    ("supplier", "s_nationkey"): ("nation", "n_nationkey"),
    ("Album", "ArtistId"): ("Artist", "ArtistId"),
    ("widgets", "color_id"): ("colors", "id"),
    ("paid_orders", "customer_id"): ("customers", "id"),
}


def quote(name: str, dialect: Dialect) -> str:
    return f"`{name}`" if dialect == "mysql" else f'"{name}"'


def _type(generic: str, dialect: Dialect) -> str:
    base = generic.rstrip("!")
    spelled = _TYPES.get(base, {}).get(dialect, base.upper())
    return spelled + (" NOT NULL" if generic.endswith("!") else "")


def create_statements(dialect: Dialect) -> list[str]:
    def q(name: str) -> str:
        return quote(name, dialect)

    statements = []
    for table in TABLES:
        parts = [f"{q(c)} {_type(t, dialect)}" for c, t in table.columns]
        if table.primary_key:
            parts.append(f"PRIMARY KEY ({', '.join(map(q, table.primary_key))})")
        parts += [f"FOREIGN KEY ({q(c)}) REFERENCES {q(rt)} ({q(rc)})"
                  for c, rt, rc in table.references]  # fmt: skip
        statements.append(f"CREATE TABLE {q(table.name)} ({', '.join(parts)})")
    statements.append(
        f"CREATE VIEW {q('paid_orders')} AS SELECT {q('id')}, {q('customer_id')}, "
        f"{q('total_cents')} FROM {q('orders')} WHERE {q('status')} = 'paid'"
    )
    if dialect in ("postgres", "duckdb"):
        statements.append(f"COMMENT ON TABLE {q('customers')} IS '{COMMENT}'")
        statements.append(f"COMMENT ON COLUMN {q('customers')}.{q('tier')} IS '{TIER_COMMENT}'")
    if dialect == "mysql":
        statements.append(f"ALTER TABLE {q('customers')} COMMENT = '{COMMENT}'")
        statements.append(
            f"ALTER TABLE {q('customers')} MODIFY {q('tier')} VARCHAR(10) COMMENT '{TIER_COMMENT}'"
        )
    return statements


def literal(value: Any) -> str:
    """A SQL literal of a test value (DuckDB loads fastest from one multi-row INSERT)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def insert_literals(table: Table, dialect: Dialect) -> str:
    values = ", ".join("(" + ", ".join(map(literal, row)) + ")" for row in ROWS[table.name])
    return f"INSERT INTO {quote(table.name, dialect)} VALUES {values}"

"""The SQL of the statistics: one aggregate SELECT over every column of a table (or of a
bounded sample of it), and one small GROUP BY per low-cardinality column.

Sampling, per dialect (what it costs and how it is biased):
- PostgreSQL: ``TABLESAMPLE SYSTEM (p)`` reads a fraction p of the table's pages (cost bounded
  by the sample, not the table); rows of one page come together, so values clustered by
  insertion order are over-represented. Views: ``LIMIT n`` (the first rows the plan yields).
- DuckDB: ``USING SAMPLE p PERCENT (system, 42)``: whole vectors of 2048 rows, the same
  clustering bias; fast whatever the table size.
- MySQL / MariaDB and SQLite: ``LIMIT n``: the first n rows in storage order (primary-key
  order for InnoDB, rowid order for SQLite), so recent rows are under-represented.
Every sampled source ends in ``LIMIT n`` too, so a stale estimate cannot grow the sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from atlas_datasources.connections.base import Connection
from atlas_datasources.introspect.base import ColumnInfo, TableInfo
from atlas_datasources.values import to_scalar

_SEED = 42  # a repeatable sample: the same database profiles the same way twice
_OVERSAMPLE = 1.25  # page sampling returns a little less than asked; LIMIT trims the excess


@dataclass(frozen=True)
class ColumnStats:
    non_null: int
    distinct: int | None
    min_value: Any = None
    max_value: Any = None


@dataclass(frozen=True)
class Aggregate:
    rows: int  # rows read: the whole table or the sample
    columns: dict[str, ColumnStats]


def full_source(conn: Connection, table: TableInfo) -> str:
    return conn.qualified(table.schema, table.name)


def limit_source(conn: Connection, table: TableInfo, sample_rows: int) -> str:
    return f"(SELECT * FROM {full_source(conn, table)} LIMIT {int(sample_rows)}) AS atlas_sample"


def samples_pages(conn: Connection, table: TableInfo) -> bool:
    """Whether ``table`` is sampled by pages (PostgreSQL, DuckDB tables) rather than LIMIT."""
    return (conn.dialect == "postgres" and table.kind != "view") or (
        conn.dialect == "duckdb" and table.kind == "table"
    )


def sample_source(conn: Connection, table: TableInfo, sample_rows: int, estimate: int) -> str:
    """A bounded sample of ``table``, by the dialect's cheapest method (see the module doc)."""
    percent = min(100.0, 100.0 * sample_rows * _OVERSAMPLE / max(estimate, 1))
    name = full_source(conn, table)
    if not samples_pages(conn, table):
        return limit_source(conn, table, sample_rows)
    if conn.dialect == "postgres":
        inner = f"SELECT * FROM {name} TABLESAMPLE SYSTEM ({percent:.6f}) REPEATABLE ({_SEED})"
    else:
        inner = f"SELECT * FROM {name} USING SAMPLE {percent:.6f} PERCENT (system, {_SEED})"
    return f"({inner} LIMIT {int(sample_rows)}) AS atlas_sample"


def aggregate_sql(conn: Connection, table: TableInfo, source: str) -> str:
    parts = ["count(*)"]
    for column in table.columns:
        ident = conn.quote(column.name)
        parts.append(f"count({ident})")
        if column.comparable:
            parts.append(f"count(DISTINCT {ident})")
        if column.ordered:
            parts.extend((f"min({ident})", f"max({ident})"))
    return f"SELECT {', '.join(parts)} FROM {source}"


def parse_aggregate(table: TableInfo, row: tuple[Any, ...]) -> Aggregate:
    values = iter(row)
    total = int(next(values))
    columns = {}
    for column in table.columns:
        non_null = int(next(values))
        distinct = int(next(values)) if column.comparable else None
        low, high = (next(values), next(values)) if column.ordered else (None, None)
        columns[column.name] = ColumnStats(non_null, distinct, to_scalar(low), to_scalar(high))
    return Aggregate(total, columns)


def values_sql(conn: Connection, column: ColumnInfo, source: str, limit: int) -> str:
    """The column's values, most frequent first (ties by value, for a stable order)."""
    ident = conn.quote(column.name)
    return (
        f"SELECT {ident}, count(*) AS atlas_n FROM {source} WHERE {ident} IS NOT NULL "
        f"GROUP BY {ident} ORDER BY atlas_n DESC, {ident} LIMIT {int(limit)}"
    )


def estimate_distinct(stats: ColumnStats, sample_rows: int, row_count: int) -> int | None:
    """Distinct values of the whole table from a sample: a column (nearly) unique in the sample
    is taken as unique in the table (scaled up); otherwise the sample's count, a lower bound
    (frequent values saturate fast, rare ones may be missed)."""
    if stats.distinct is None or stats.non_null == 0:
        return stats.distinct
    if stats.distinct >= 0.95 * stats.non_null:
        non_null_rows = row_count * stats.non_null / max(sample_rows, 1)
        return max(stats.distinct, round(stats.distinct * non_null_rows / stats.non_null))
    return stats.distinct

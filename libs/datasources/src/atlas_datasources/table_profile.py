"""Profiling one table: row count, then per column null fraction, distinct count, min/max and
the values of low-cardinality columns; a few statements, each under the statement timeout.

A table estimated below ``exact_row_limit`` rows is read whole (exact counts); a bigger one is
read through a bounded sample (``stats`` says how, per dialect) and its row count is the
catalog's estimate, so a billion-row table costs what a million-row one does. A statement
that times out or is refused becomes a warning on the profile, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_datasources.connections.base import Connection
from atlas_datasources.errors import DatasourceError
from atlas_datasources.introspect.base import ColumnInfo, TableInfo
from atlas_datasources.model import ColumnProfile, Scalar, TableProfile
from atlas_datasources.stats import (
    Aggregate,
    ColumnStats,
    aggregate_sql,
    estimate_distinct,
    full_source,
    limit_source,
    parse_aggregate,
    sample_source,
    samples_pages,
    values_sql,
)
from atlas_datasources.values import to_scalar

# Failures that end one statement, not the run (a lost server or a refused login do).
RECOVERABLE = frozenset({"timeout", "query", "permission", "read_only"})


@dataclass(frozen=True)
class ProfileOptions:
    exact_row_limit: int = 100_000
    sample_rows: int = 50_000
    low_cardinality: int = 25


@dataclass
class _Read:
    aggregate: Aggregate | None
    source: str
    sampled: bool


async def profile_table(
    conn: Connection, table: TableInfo, options: ProfileOptions, layer_name: str
) -> tuple[TableProfile, list[str]]:
    """``table``'s profile and the warnings it produced (``layer_name`` names it in them).
    Schema and foreign keys are left to the caller, which knows how the layer names tables."""
    warnings: list[str] = []
    read = await _read(conn, table, options, layer_name, warnings)
    row_count, estimated = _row_count(table, read)
    columns = []
    for column in table.columns:
        stats = read.aggregate.columns.get(column.name) if read.aggregate else None
        values = await _values(conn, table, column, stats, read, options, layer_name, warnings)
        columns.append(_column(table, column, stats, read, row_count, values))
    profile = TableProfile(
        name=table.name,
        kind=table.kind,
        row_count=row_count,
        row_count_estimated=estimated,
        sampled=read.sampled and read.aggregate is not None,
        comment=table.comment or None,
        columns=columns,
        primary_key=list(table.primary_key),
        foreign_keys=[],
    )
    return profile, list(dict.fromkeys(warnings))  # a retry that failed alike says it once


async def _read(
    conn: Connection, table: TableInfo, options: ProfileOptions, name: str, warnings: list[str]
) -> _Read:
    estimate = table.row_estimate
    if estimate is not None and estimate >= options.exact_row_limit:
        source = sample_source(conn, table, options.sample_rows, estimate)
        aggregate = await _aggregate(conn, table, source, name, warnings)
        # No page sampling (a foreign table) or no page drawn (a stale estimate): first rows.
        if (aggregate is None or aggregate.rows == 0) and samples_pages(conn, table):
            return await _read_limited(conn, table, options, name, warnings)
        return _Read(aggregate, source, True)
    source = full_source(conn, table)
    aggregate = await _aggregate(conn, table, source, name, warnings)
    if aggregate is None:  # the whole table was too slow: a bounded sample instead
        return await _read_limited(conn, table, options, name, warnings)
    return _Read(aggregate, source, False)


async def _read_limited(
    conn: Connection, table: TableInfo, options: ProfileOptions, name: str, warnings: list[str]
) -> _Read:
    source = limit_source(conn, table, options.sample_rows)
    return _Read(await _aggregate(conn, table, source, name, warnings), source, True)


async def _aggregate(
    conn: Connection, table: TableInfo, source: str, name: str, warnings: list[str]
) -> Aggregate | None:
    try:
        rows = (await conn.fetch(aggregate_sql(conn, table, source))).rows
    except DatasourceError as exc:
        if exc.kind not in RECOVERABLE:
            raise
        warnings.append(f"{name}: statistics not read: {exc.message}")
        return None
    return parse_aggregate(table, rows[0])


def _row_count(table: TableInfo, read: _Read) -> tuple[int, bool]:
    if read.aggregate is not None and not read.sampled:
        return read.aggregate.rows, False
    if table.row_estimate is not None:
        return table.row_estimate, not table.row_estimate_exact
    return (read.aggregate.rows if read.aggregate else 0), True


async def _values(
    conn: Connection,
    table: TableInfo,
    column: ColumnInfo,
    stats: ColumnStats | None,
    read: _Read,
    options: ProfileOptions,
    name: str,
    warnings: list[str],
) -> list[Scalar]:
    """Every value of a low-cardinality column, most frequent first (a key column's values
    mean nothing to a reader, so its values are not listed)."""
    if stats is None or stats.distinct is None or not 0 < stats.distinct <= options.low_cardinality:
        return []
    if table.primary_key == [column.name]:
        return []
    sql = values_sql(conn, column, read.source, options.low_cardinality)
    try:
        rows = (await conn.fetch(sql)).rows
    except DatasourceError as exc:
        if exc.kind not in RECOVERABLE:
            raise
        warnings.append(f"{name}.{column.name}: values not read: {exc.message}")
        return []
    values = [to_scalar(row[0]) for row in rows]
    if column.dimension_type == "boolean":  # SQLite and MySQL store booleans as 0 / 1
        values = [bool(v) if isinstance(v, int) else v for v in values]
    return [value for value in values if value is not None]


def _column(
    table: TableInfo,
    column: ColumnInfo,
    stats: ColumnStats | None,
    read: _Read,
    row_count: int,
    values: list[Scalar],
) -> ColumnProfile:
    rows_read = read.aggregate.rows if read.aggregate else 0
    distinct = None
    if stats is not None:
        distinct = stats.distinct
        if read.sampled:
            distinct = estimate_distinct(stats, rows_read, row_count)
    return ColumnProfile(
        name=column.name,
        data_type=column.data_type,
        dimension_type=column.dimension_type,
        nullable=column.nullable and column.name not in table.primary_key,
        primary_key=column.name in table.primary_key,
        comment=column.comment,
        null_fraction=round(1 - stats.non_null / rows_read, 6) if stats and rows_read else None,
        distinct_count=distinct,
        distinct_estimated=read.sampled and distinct is not None,
        sample_values=values,
        min_value=stats.min_value if stats else None,
        max_value=stats.max_value if stats else None,
    )

"""DuckDB catalogs: duckdb_tables(), duckdb_views(), duckdb_columns(), duckdb_constraints();
estimates from ``estimated_size``."""

from __future__ import annotations

from collections.abc import Sequence

from atlas_datasources.connections.base import Connection
from atlas_datasources.introspect.base import (
    Catalog,
    ColumnInfo,
    ForeignKeyInfo,
    TableInfo,
    group_by_table,
    wanted,
)
from atlas_datasources.introspect.types import duckdb_type

_HERE = "database_name = current_database() AND schema_name = ?"
_RELATIONS = f"""
SELECT table_name, 'table', comment, estimated_size FROM duckdb_tables()
WHERE {_HERE} AND NOT internal AND NOT temporary
UNION ALL
SELECT view_name, 'view', comment, NULL FROM duckdb_views()
WHERE {_HERE} AND NOT internal AND NOT temporary
ORDER BY 1
"""
_COLUMNS = f"""
SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns()
WHERE {_HERE} ORDER BY table_name, column_index
"""
_CONSTRAINTS = f"""
SELECT table_name, constraint_type, constraint_column_names, referenced_table,
       referenced_column_names
FROM duckdb_constraints()
WHERE {_HERE} AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
ORDER BY table_name, constraint_index
"""


async def introspect_duckdb(
    conn: Connection, schema: str | None, tables: Sequence[str] | None
) -> Catalog:
    schema = schema or "main"
    columns = group_by_table(
        [(r[0], _column(r)) for r in (await conn.fetch(_COLUMNS, [schema])).rows]
    )
    constraints = (await conn.fetch(_CONSTRAINTS, [schema])).rows
    primary = {r[0]: list(r[2]) for r in constraints if r[1] == "PRIMARY KEY"}
    foreign = group_by_table(
        [
            (r[0], ForeignKeyInfo(list(r[2]), schema, r[3], list(r[4])))
            for r in constraints
            if r[1] == "FOREIGN KEY"
        ]
    )
    result = []
    for name, kind, comment, estimate in (await conn.fetch(_RELATIONS, [schema, schema])).rows:
        if wanted(name, tables):
            result.append(
                TableInfo(
                    schema=schema,
                    name=name,
                    kind=kind,
                    columns=columns.get(name, []),
                    primary_key=primary.get(name, []),
                    foreign_keys=foreign.get(name, []),
                    comment=comment,
                    row_estimate=None if estimate is None else int(estimate),
                )
            )
    return Catalog(schema, result)


def _column(row: tuple[object, ...]) -> ColumnInfo:
    _, name, data_type, nullable, comment = row
    dimension, comparable, ordered = duckdb_type(str(data_type))
    return ColumnInfo(
        str(name),
        str(data_type),
        dimension,
        bool(nullable),
        comparable,
        ordered,
        str(comment) if comment else None,
    )

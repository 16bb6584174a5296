"""MySQL / MariaDB catalogs: information_schema; estimates from TABLES.TABLE_ROWS (InnoDB's
own estimate, which can be off by tens of percent: small tables are counted exactly anyway)."""

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
from atlas_datasources.introspect.types import mysql_type

_TABLES = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS, TABLE_COMMENT FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME
"""
_COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_COMMENT
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_PRIMARY = """
SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = %s AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_FOREIGN = """
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,
       REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = %s AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION
"""


def _text(value: object) -> str:
    # Some servers hand information_schema text back as bytes.
    return value.decode() if isinstance(value, bytes) else str(value)


async def introspect_mysql(
    conn: Connection, schema: str | None, tables: Sequence[str] | None
) -> Catalog:
    schema = schema or conn.database
    columns = group_by_table(
        [(_text(r[0]), _column(r)) for r in (await conn.fetch(_COLUMNS, [schema])).rows]
    )
    primary = group_by_table(
        [(_text(r[0]), _text(r[1])) for r in (await conn.fetch(_PRIMARY, [schema])).rows]
    )
    foreign = _foreign_keys((await conn.fetch(_FOREIGN, [schema])).rows)
    result = []
    for name, table_type, rows, comment in (await conn.fetch(_TABLES, [schema])).rows:
        name = _text(name)
        if not wanted(name, tables):
            continue
        is_view = "VIEW" in _text(table_type)
        result.append(
            TableInfo(
                schema=schema,
                name=name,
                kind="view" if is_view else "table",
                columns=columns.get(name, []),
                primary_key=primary.get(name, []),
                foreign_keys=foreign.get(name, []),
                comment=None if is_view or not comment else _text(comment),
                row_estimate=None if rows is None or is_view else int(rows),
            )
        )
    return Catalog(schema, result)


def _column(row: tuple[object, ...]) -> ColumnInfo:
    _, name, data_type, column_type, nullable, comment = row
    dimension, comparable, ordered = mysql_type(_text(data_type), _text(column_type))
    return ColumnInfo(
        _text(name),
        _text(column_type),
        dimension,
        _text(nullable) == "YES",
        comparable,
        ordered,
        _text(comment) if comment else None,
    )


def _foreign_keys(rows: Sequence[tuple[object, ...]]) -> dict[str, list[ForeignKeyInfo]]:
    by_constraint = group_by_table([((_text(r[0]), _text(r[1])), r) for r in rows])
    keys: list[tuple[str, ForeignKeyInfo]] = []
    for (table, _), parts in by_constraint.items():
        ref_schema = _text(parts[0][3])
        keys.append(
            (
                table,
                ForeignKeyInfo(
                    columns=[_text(p[2]) for p in parts],
                    ref_schema=ref_schema,
                    ref_table=_text(parts[0][4]),
                    ref_columns=[_text(p[5]) for p in parts],
                ),
            )
        )
    return group_by_table(keys)

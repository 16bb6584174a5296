"""SQLite catalogs: sqlite_master and the table-valued pragmas. Rows are counted, not estimated
(the file is local); a count past the statement timeout falls back to ``max(rowid)``."""

from __future__ import annotations

from collections.abc import Sequence

from atlas_datasources.connections.base import Connection
from atlas_datasources.errors import DatasourceError
from atlas_datasources.introspect.base import Catalog, ColumnInfo, ForeignKeyInfo, TableInfo, wanted
from atlas_datasources.introspect.types import sqlite_type

_TABLES = """
SELECT name, type FROM sqlite_master
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
"""
_COLUMNS = 'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid'
_FOREIGN = 'SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq'


async def introspect_sqlite(
    conn: Connection, schema: str | None, tables: Sequence[str] | None
) -> Catalog:
    result = []
    for name, kind in (await conn.fetch(_TABLES)).rows:
        if wanted(name, tables):
            result.append(await _table(conn, name, kind))
    return Catalog(None, _resolve_implicit_keys(result))


async def _table(conn: Connection, name: str, kind: str) -> TableInfo:
    column_rows = (await conn.fetch(_COLUMNS, [name])).rows
    columns = []
    for column, declared, notnull, _ in column_rows:
        dimension, comparable, ordered = sqlite_type(declared or "")
        columns.append(
            ColumnInfo(column, declared or "", dimension, not notnull, comparable, ordered)
        )
    primary = [row[0] for row in sorted((r for r in column_rows if r[3]), key=lambda r: r[3])]
    count, exact = await _count(conn, name, kind)
    return TableInfo(
        schema=None,
        name=name,
        kind="view" if kind == "view" else "table",
        columns=columns,
        primary_key=primary,
        foreign_keys=await _foreign_keys(conn, name),
        row_estimate=count,
        row_estimate_exact=exact,
    )


async def _foreign_keys(conn: Connection, name: str) -> list[ForeignKeyInfo]:
    keys: dict[int, ForeignKeyInfo] = {}
    for key_id, ref_table, column, ref_column in (await conn.fetch(_FOREIGN, [name])).rows:
        key = keys.setdefault(key_id, ForeignKeyInfo([], None, ref_table, []))
        key.columns.append(column)
        if ref_column is not None:  # None: the referenced table's primary key, resolved later
            key.ref_columns.append(ref_column)
    return list(keys.values())


def _resolve_implicit_keys(tables: list[TableInfo]) -> list[TableInfo]:
    """``REFERENCES t`` without columns means t's primary key."""
    primary = {t.name.lower(): t.primary_key for t in tables}
    for table in tables:
        for key in table.foreign_keys:
            if not key.ref_columns:
                key.ref_columns.extend(primary.get(key.ref_table.lower(), []))
    return tables


async def _count(conn: Connection, name: str, kind: str) -> tuple[int | None, bool]:
    try:
        return int((await conn.fetch(f"SELECT count(*) FROM {conn.quote(name)}")).rows[0][0]), True
    except DatasourceError as exc:
        if exc.kind != "timeout" or kind == "view":
            return None, False
    try:  # the largest rowid: an upper bound found in the b-tree without a scan
        rows = (await conn.fetch(f"SELECT max(rowid) FROM {conn.quote(name)}")).rows
        return (int(rows[0][0]) if rows[0][0] is not None else None), False
    except DatasourceError:
        return None, False

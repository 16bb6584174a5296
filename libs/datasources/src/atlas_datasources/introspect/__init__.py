"""Catalog introspection, one module per dialect, behind one ``introspect``."""

from __future__ import annotations

from collections.abc import Sequence

from atlas_datasources.connections.base import Connection
from atlas_datasources.introspect.base import Catalog, ColumnInfo, ForeignKeyInfo, TableInfo
from atlas_datasources.introspect.duckdb import introspect_duckdb
from atlas_datasources.introspect.mysql import introspect_mysql
from atlas_datasources.introspect.postgres import introspect_postgres
from atlas_datasources.introspect.sqlite import introspect_sqlite

__all__ = ["Catalog", "ColumnInfo", "ForeignKeyInfo", "TableInfo", "introspect"]

_BY_DIALECT = {
    "postgres": introspect_postgres,
    "mysql": introspect_mysql,
    "sqlite": introspect_sqlite,
    "duckdb": introspect_duckdb,
}


async def introspect(
    conn: Connection, *, schema: str | None = None, tables: Sequence[str] | None = None
) -> Catalog:
    """Tables and views of ``schema`` (the connection's default when None), ``tables`` only
    when given: columns and types, keys, comments and a row estimate; no row is read (SQLite
    counts, its file being local)."""
    return await _BY_DIALECT[conn.dialect](conn, schema, tables)

"""Read-only connections, one module per dialect, behind one ``connect``."""

from __future__ import annotations

from atlas_datasources.connections.base import Connection, Result
from atlas_datasources.connections.duckdb import connect_duckdb
from atlas_datasources.connections.mysql import connect_mysql
from atlas_datasources.connections.postgres import connect_postgres
from atlas_datasources.connections.sqlite import connect_sqlite
from atlas_datasources.urls import DatasourceUrl, as_url

__all__ = ["Connection", "Result", "connect"]


async def connect(
    url: str | DatasourceUrl, *, statement_timeout_s: float = 10, connect_timeout_s: float = 10
) -> Connection:
    """A read-only connection to ``url``; ``DatasourceError`` (one line) when it cannot be had."""
    parsed = as_url(url)
    if parsed.dialect == "postgres":
        return await connect_postgres(
            parsed, statement_timeout_s=statement_timeout_s, connect_timeout_s=connect_timeout_s
        )
    if parsed.dialect == "mysql":
        return await connect_mysql(
            parsed, statement_timeout_s=statement_timeout_s, connect_timeout_s=connect_timeout_s
        )
    if parsed.dialect == "sqlite":
        return await connect_sqlite(parsed, statement_timeout_s=statement_timeout_s)
    return await connect_duckdb(parsed, statement_timeout_s=statement_timeout_s)

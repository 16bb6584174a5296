"""Executors: run guarded SQL on PostgreSQL (asyncpg), MySQL / MariaDB (aiomysql), SQLite
files or embedded DuckDB."""

from atlas_query.executors.base import Column, Dialect, Executor, QueryResult
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.executors.factory import create_executor
from atlas_query.executors.mysql import MySQLExecutor
from atlas_query.executors.postgres import PostgresExecutor
from atlas_query.executors.sqlite import SQLiteExecutor

__all__ = [
    "Column",
    "Dialect",
    "DuckDBExecutor",
    "Executor",
    "MySQLExecutor",
    "PostgresExecutor",
    "QueryResult",
    "SQLiteExecutor",
    "create_executor",
]

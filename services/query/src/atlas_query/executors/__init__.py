"""Executors: run guarded SQL on PostgreSQL (asyncpg) or embedded DuckDB."""

from atlas_query.executors.base import Column, Dialect, Executor, QueryResult
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.executors.factory import create_executor
from atlas_query.executors.postgres import PostgresExecutor

__all__ = [
    "Column",
    "Dialect",
    "DuckDBExecutor",
    "Executor",
    "PostgresExecutor",
    "QueryResult",
    "create_executor",
]

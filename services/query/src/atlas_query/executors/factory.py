"""Pick the executor ``ATLAS_DATASOURCE_URL`` names."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from atlas_datasources.errors import DatasourceError
from atlas_datasources.urls import parse_url

from atlas_query.errors import DatasourceUnavailable
from atlas_query.executors.base import Executor
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.executors.mysql import MySQLExecutor
from atlas_query.executors.postgres import PostgresExecutor
from atlas_query.executors.sqlite import SQLiteExecutor
from atlas_query.settings import QuerySettings

_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_SQLITE_SUFFIXES = (".sqlite", ".sqlite3")
SUPPORTED = (
    "postgresql://",
    "mysql://",
    "mariadb://",
    "sqlite:///path",
    "duckdb:///path",
    "a .duckdb / .sqlite file",
)


def create_executor(settings: QuerySettings) -> Executor:
    """Empty URL: the embedded demo DuckDB; ``postgres[ql]://``: PostgreSQL; ``mysql://`` or
    ``mariadb://``: MySQL / MariaDB; ``sqlite:///path`` or a ``.sqlite`` path: that SQLite
    file; ``duckdb:///path`` or a path ending in ``.duckdb``: that DuckDB file.
    Nothing connects until the first query or ping."""
    url = settings.datasource_url.strip()
    limits = {"row_limit": settings.row_limit, "timeout_ms": settings.query_timeout_ms}
    if not url:
        return DuckDBExecutor(settings.demo_db_path, timezone=settings.timezone, **limits)
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("postgres", "postgresql"):
        return PostgresExecutor(url, max_size=settings.pool_size(10), **limits)
    if scheme in ("mysql", "mariadb"):
        return MySQLExecutor(url, **limits)
    if scheme in ("sqlite", "sqlite3") or (not scheme and url.lower().endswith(_SQLITE_SUFFIXES)):
        return SQLiteExecutor(_file_path(url), **limits)
    if scheme == "duckdb":
        return DuckDBExecutor(_file_path(url), timezone=settings.timezone, **limits)
    if not scheme and url.lower().endswith(_DUCKDB_SUFFIXES):
        return DuckDBExecutor(Path(url), timezone=settings.timezone, **limits)
    raise DatasourceUnavailable(
        f"ATLAS_DATASOURCE_URL: unsupported scheme {scheme or '(none)'!r}; supported: "
        + ", ".join(SUPPORTED)
    )


def _file_path(url: str) -> Path:
    """The file as ``atlas init`` reads the same URL (one rule for SQLite and DuckDB, as
    SQLAlchemy spells them): ``sqlite:///relative/path``, ``duckdb:////absolute/path``, or a
    bare ``*.sqlite`` path."""
    try:
        path = parse_url(url).path
    except DatasourceError as exc:
        raise DatasourceUnavailable(f"ATLAS_DATASOURCE_URL: {exc.message}") from None
    assert path is not None
    return path

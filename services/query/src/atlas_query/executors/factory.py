"""Pick the executor ``ATLAS_DATASOURCE_URL`` names."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from atlas_query.errors import DatasourceUnavailable
from atlas_query.executors.base import Executor
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.executors.postgres import PostgresExecutor
from atlas_query.settings import QuerySettings

_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")


def create_executor(settings: QuerySettings) -> Executor:
    """Empty URL: the embedded demo DuckDB; ``postgres[ql]://``: PostgreSQL;
    ``duckdb:///path`` or a path ending in ``.duckdb``: that DuckDB file.
    Nothing connects until the first query or ping."""
    url = settings.datasource_url.strip()
    limits = {"row_limit": settings.row_limit, "timeout_ms": settings.query_timeout_ms}
    if not url:
        return DuckDBExecutor(settings.demo_db_path, timezone=settings.timezone, **limits)
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("postgres", "postgresql"):
        return PostgresExecutor(url, **limits)
    if scheme == "duckdb":
        path = Path(url[len("duckdb://"):])
        return DuckDBExecutor(path, timezone=settings.timezone, **limits)
    if not scheme and url.lower().endswith(_DUCKDB_SUFFIXES):
        return DuckDBExecutor(Path(url), timezone=settings.timezone, **limits)
    raise DatasourceUnavailable(
        f"ATLAS_DATASOURCE_URL: unsupported scheme {scheme or '(none)'!r}; use postgresql://... "
        "or a .duckdb file"
    )

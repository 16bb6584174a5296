"""DuckDB files, read-only, in worker threads.

The file is opened ``read_only=True`` with external access off (no files, no network, no
extension installs) and the configuration locked; a timer on the event loop interrupts a
statement past the timeout. Statements run in ``asyncio.to_thread`` on their own cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from atlas_datasources.connections.base import Connection, Result
from atlas_datasources.errors import DatasourceError
from atlas_datasources.urls import DatasourceUrl

_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


class DuckDBConnection(Connection):
    dialect = "duckdb"

    def __init__(self, conn: duckdb.DuckDBPyConnection, url: DatasourceUrl, timeout_s: float):
        self._conn = conn
        self.database = url.database
        self.default_schema = "main"
        self.statement_timeout_s = timeout_s

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> Result:
        cursor = self._conn.cursor()
        loop = asyncio.get_running_loop()
        timer = loop.call_later(self.statement_timeout_s, cursor.interrupt)
        try:
            return await asyncio.to_thread(_run, cursor, sql, params)
        except asyncio.CancelledError:
            cursor.interrupt()
            raise
        except duckdb.InterruptException:
            raise DatasourceError(
                f"DuckDB {self.database}: statement timed out after {self.statement_timeout_s:g} s",
                kind="timeout",
            ) from None
        except duckdb.Error as exc:
            raise map_error(exc, self.database) from None
        finally:
            timer.cancel()

    async def close(self) -> None:
        await asyncio.to_thread(self._conn.close)


def _run(cursor: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> Result:
    try:
        cursor.execute(sql, list(params) if params else None)
        columns = [d[0] for d in cursor.description or ()]
        return Result(columns, [tuple(row) for row in cursor.fetchall()])
    finally:
        cursor.close()


def map_error(exc: duckdb.Error, name: str) -> DatasourceError:
    text = str(exc)
    if "read-only" in text or "read only" in text:
        return DatasourceError(
            f"DuckDB {name}: refused, the file is open read-only", kind="read_only"
        )
    if "not a valid DuckDB database" in text or "database file" in text.lower():
        return DatasourceError(f"{name} is not a DuckDB database", kind="not_a_database")
    if "lock" in text.lower():
        return DatasourceError(
            f"DuckDB {name} is locked by another process that writes to it", kind="unreachable"
        )
    if isinstance(exc, duckdb.PermissionException):
        return DatasourceError(f"DuckDB {name}: permission denied", kind="permission")
    return DatasourceError(f"DuckDB {name}: {text}", kind="query")


def _open(path: Path, name: str) -> duckdb.DuckDBPyConnection:
    if not path.is_file():
        raise DatasourceError(f"DuckDB file {str(path)!r} does not exist", kind="unknown_database")
    try:
        conn = duckdb.connect(str(path), read_only=True, config=_CONFIG)
    except duckdb.Error as exc:
        raise map_error(exc, name) from None
    # Already locked by another opener of the same file in this process: the wanted state.
    with contextlib.suppress(duckdb.Error):
        conn.execute("SET enable_progress_bar = false")  # a library never draws on a terminal
        conn.execute("SET lock_configuration = true")
    return conn


async def connect_duckdb(url: DatasourceUrl, *, statement_timeout_s: float) -> DuckDBConnection:
    assert url.path is not None
    conn = await asyncio.to_thread(_open, url.path, url.database)
    return DuckDBConnection(conn, url, statement_timeout_s)

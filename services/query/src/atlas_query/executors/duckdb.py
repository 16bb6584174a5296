"""Embedded DuckDB: the demo database, or any ``.duckdb`` file.

The file is opened read-only with external access disabled (no files, no network, no
extension installs) and the configuration locked, so no query can turn those back on. Calls
run in worker threads so the event loop never blocks; a timer on the loop interrupts a query
that runs past ``ATLAS_QUERY_TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from typing import Any

import duckdb

from atlas_query.errors import DatasourceUnavailable, QueryFailed, QueryTimeout
from atlas_query.executors.base import Dialect, QueryResult, build_result

Rows = tuple[list[str], list[str], list[tuple[Any, ...]]]


CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
_TIMEZONE = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")


def open_locked(path: Path, timezone: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection without external access, its configuration locked.

    ``TimeZone`` (read by TIMESTAMPTZ results) is not accepted at connect time, so it is set
    first and the configuration locked right after, before any query can run. DuckDB shares
    one database instance per file within a process: a second executor on the same file
    finds it already locked, which is the state it wants.
    """
    if not _TIMEZONE.fullmatch(timezone):
        raise DatasourceUnavailable(f"ATLAS_TIMEZONE {timezone!r} is not a time zone name")
    conn = duckdb.connect(str(path), read_only=True, config=CONFIG)
    try:
        if not _setting(conn, "lock_configuration"):
            conn.execute(f"SET TimeZone = '{timezone}'")
            conn.execute("SET lock_configuration = true")
        if _setting(conn, "enable_external_access") or not _setting(conn, "lock_configuration"):
            raise DatasourceUnavailable("The DuckDB database is open without its protections")
    except Exception:
        conn.close()
        raise
    return conn


def _setting(conn: duckdb.DuckDBPyConnection, name: str) -> Any:
    row = conn.execute("SELECT current_setting(?)", [name]).fetchone()
    return row[0] if row else None


class DuckDBExecutor:
    dialect: Dialect = "duckdb"
    default_schema = "main"

    def __init__(self, path: Path, *, row_limit: int, timeout_ms: int,
                 timezone: str = "UTC") -> None:
        self.path = path
        self.row_limit = row_limit
        self.timeout_ms = timeout_ms
        self._timezone = timezone
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    async def execute(self, sql: str) -> QueryResult:
        # Once open, a cursor (~10 us) is made on the loop: one thread hand-off per query, not
        # two (issue 23). Opening the file may block, so it goes to a thread.
        cursor = self._open_cursor()
        if cursor is None:
            cursor = await asyncio.to_thread(self._cursor)
        timer = asyncio.get_running_loop().call_later(self.timeout_ms / 1000, cursor.interrupt)
        try:
            names, types, records = await asyncio.to_thread(self._run, cursor, sql)
        except asyncio.CancelledError:
            cursor.interrupt()  # the caller gave up: stop the work in the thread as well
            raise
        except duckdb.InterruptException as exc:
            raise QueryTimeout(self.timeout_ms) from exc
        except duckdb.Error as exc:
            raise QueryFailed(f"The database refused the query: {exc}") from exc
        finally:
            timer.cancel()
        return build_result(names, types, records, self.row_limit)

    def _run(self, cursor: duckdb.DuckDBPyConnection, sql: str) -> Rows:
        try:
            cursor.execute(sql)
            description = cursor.description or []
            records = cursor.fetchmany(self.row_limit + 1)
        finally:
            cursor.close()
        return [d[0] for d in description], [str(d[1]) for d in description], records

    async def ping(self) -> None:
        await self.execute("SELECT 1")

    async def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open_cursor(self) -> duckdb.DuckDBPyConnection | None:
        with self._lock:
            return self._conn.cursor() if self._conn is not None else None

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._conn is None:
                self._conn = self._open()
            return self._conn.cursor()

    def _open(self) -> duckdb.DuckDBPyConnection:
        if not self.path.is_file():
            raise DatasourceUnavailable(f"The DuckDB database {self.path.name} does not exist")
        try:
            return open_locked(self.path, self._timezone)
        except duckdb.Error as exc:
            raise DatasourceUnavailable(f"Cannot open the DuckDB database: {exc}") from exc

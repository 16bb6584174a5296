"""SQLite files through the standard library, read-only, one worker thread per statement.

The file is opened with ``mode=ro`` (the engine refuses every write) and ``query_only`` on;
a progress handler aborts a statement past the timeout (SQLite has no server to do it).
Statements run one at a time (a lock) in ``asyncio.to_thread`` so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from atlas_datasources.connections.base import Connection, Result
from atlas_datasources.errors import DatasourceError
from atlas_datasources.urls import DatasourceUrl

_PROGRESS_STEPS = 10_000  # virtual machine instructions between two deadline checks


class SQLiteConnection(Connection):
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, url: DatasourceUrl, timeout_s: float) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._deadline = float("inf")
        self.database = url.database
        self.default_schema = None
        self.statement_timeout_s = timeout_s
        conn.set_progress_handler(self._past_deadline, _PROGRESS_STEPS)

    def _past_deadline(self) -> int:
        return 1 if time.monotonic() > self._deadline else 0

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> Result:
        return await asyncio.to_thread(self._fetch, sql, params)

    def _fetch(self, sql: str, params: Sequence[Any]) -> Result:
        with self._lock:
            self._deadline = time.monotonic() + self.statement_timeout_s
            try:
                cursor = self._conn.execute(sql, tuple(params))
                rows = cursor.fetchall()
            except sqlite3.Error as exc:
                raise map_error(exc, self.database, self.statement_timeout_s) from None
            finally:
                self._deadline = float("inf")
        columns = [d[0] for d in cursor.description or ()]
        return Result(columns, [tuple(row) for row in rows])

    async def close(self) -> None:
        await asyncio.to_thread(self._conn.close)


def map_error(exc: sqlite3.Error, name: str, timeout_s: float) -> DatasourceError:
    text = str(exc)
    if "interrupted" in text:
        return DatasourceError(
            f"SQLite {name}: statement timed out after {timeout_s:g} s", kind="timeout"
        )
    if "readonly" in text or "read-only" in text or "query_only" in text:
        return DatasourceError(
            f"SQLite {name}: refused, the file is open read-only", kind="read_only"
        )
    if "not a database" in text or "malformed" in text:
        return DatasourceError(f"{name} is not a SQLite database", kind="not_a_database")
    return DatasourceError(f"SQLite {name}: {text}", kind="query")


def open_read_only(path: Path, name: str) -> sqlite3.Connection:
    """The file opened ``mode=ro`` with ``query_only`` on (the query service's executor too)."""
    if not path.is_file():
        raise DatasourceError(f"SQLite file {str(path)!r} does not exist", kind="unknown_database")
    if not os.access(path, os.R_OK):
        raise DatasourceError(f"SQLite file {str(path)!r} is not readable", kind="permission")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise map_error(exc, name, 0) from None
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a non-database fails here
    except sqlite3.Error as exc:
        conn.close()
        raise map_error(exc, name, 0) from None
    return conn


async def connect_sqlite(url: DatasourceUrl, *, statement_timeout_s: float) -> SQLiteConnection:
    assert url.path is not None
    conn = await asyncio.to_thread(open_read_only, url.path, url.database)
    return SQLiteConnection(conn, url, statement_timeout_s)

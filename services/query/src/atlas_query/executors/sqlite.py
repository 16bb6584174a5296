"""SQLite files, read-only, in worker threads.

Connections come from atlas_datasources (``mode=ro``: the engine refuses every write, and
``PRAGMA query_only``); then no database may be attached (``ATTACH`` would create a writable
file even beside a read-only one) and an authorizer lets a statement only read, select,
recurse and call functions: a ``PRAGMA query_only = 0`` that got past the guard is refused
by the engine too. A progress handler aborts a statement past ``ATLAS_QUERY_TIMEOUT``
(SQLite has no server to do it), and a cancelled query is interrupted. Connections are kept
in a small free list so queries run side by side, each on its own connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from atlas_datasources.connections.sqlite import open_read_only
from atlas_datasources.errors import DatasourceError

from atlas_query.errors import DatasourceUnavailable, QueryFailed, QueryTimeout
from atlas_query.executors.base import Dialect, QueryResult, build_result

Rows = tuple[list[str], list[str], list[tuple[Any, ...]]]
_PROGRESS_STEPS = 1_000  # virtual machine instructions between two deadline checks
_KEEP = 4  # idle connections kept open
_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
# SQLite has no column types in a result: each column is named by its first value's kind.
_KINDS = {int: "integer", float: "real", str: "text", bytes: "blob"}


class _Session:
    """One connection and the deadline its progress handler checks."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.deadline = float("inf")
        self.timed_out = False
        conn.set_progress_handler(self._past_deadline, _PROGRESS_STEPS)
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.set_authorizer(_authorize)

    def _past_deadline(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0


class SQLiteExecutor:
    dialect: Dialect = "sqlite"
    default_schema = "main"

    def __init__(self, path: Path, *, row_limit: int, timeout_ms: int) -> None:
        self.path = path
        self.row_limit = row_limit
        self.timeout_ms = timeout_ms
        self._idle: list[_Session] = []
        self._lock = threading.Lock()

    async def execute(self, sql: str) -> QueryResult:
        session = await asyncio.to_thread(self._take)
        work = asyncio.ensure_future(asyncio.to_thread(self._run, session, sql))
        try:
            names, types, records = await asyncio.shield(work)
        except asyncio.CancelledError:
            session.conn.interrupt()  # the caller gave up: stop the work in the thread too
            work.add_done_callback(lambda done: self._finished(done, session))
            raise
        except sqlite3.Error as exc:
            self._give_back(session)
            if session.timed_out:
                raise QueryTimeout(self.timeout_ms) from exc
            raise QueryFailed(f"The database refused the query: {exc}") from exc
        self._give_back(session)
        return build_result(names, types, records, self.row_limit)

    def _finished(self, done: asyncio.Future[Rows], session: _Session) -> None:
        """A cancelled query's thread ended: its connection may serve again."""
        if not done.cancelled():
            done.exception()  # retrieved: an interrupted query is expected, not an error
        self._give_back(session)

    def _run(self, session: _Session, sql: str) -> Rows:
        session.timed_out = False
        session.deadline = time.monotonic() + self.timeout_ms / 1000
        cursor = session.conn.cursor()
        try:
            cursor.execute(sql)
            records = cursor.fetchmany(self.row_limit + 1)
            names = [d[0] for d in cursor.description or ()]
        finally:
            session.deadline = float("inf")
            cursor.close()
        return names, _types(len(names), records), records

    async def ping(self) -> None:
        await self.execute("SELECT 1")

    async def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for session in idle:
            session.conn.close()

    def _take(self) -> _Session:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return _Session(open_read_only(self.path, self.path.name))
        except DatasourceError as exc:
            raise DatasourceUnavailable(f"Cannot open the SQLite database: {exc}") from None

    def _give_back(self, session: _Session) -> None:
        with self._lock:
            if len(self._idle) < _KEEP:
                self._idle.append(session)
                return
        session.conn.close()


def _authorize(action: int, *_: str | None) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


def _types(width: int, records: list[tuple[Any, ...]]) -> list[str]:
    types = []
    for index in range(width):
        value = next((r[index] for r in records if r[index] is not None), None)
        types.append(_KINDS.get(type(value), "null" if value is None else "text"))
    return types

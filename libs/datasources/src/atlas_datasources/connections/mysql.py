"""MySQL and MariaDB through aiomysql, in a read-only session.

Why aiomysql: it is aio-libs' driver, maintained, pure Python on top of PyMySQL (installs on
any platform without a compiler, and PyMySQL's error numbers are the server's own), and it
speaks to MySQL and MariaDB alike. asyncmy is faster, but it is a compiled extension and
profiling sends few, aggregate queries, where driver speed does not show.

``SET SESSION TRANSACTION READ ONLY`` makes every (autocommit) statement read-only (a write
fails with error 1792). The statement timeout is ``max_statement_time`` (seconds) on MariaDB
and ``max_execution_time`` (milliseconds, SELECT only) on MySQL: the server is detected from
``VERSION()``. A client-side timeout a little longer drops a connection that stopped
answering; the next statement opens a new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aiomysql
import pymysql

from atlas_datasources.connections.base import Connection, Result
from atlas_datasources.errors import DatasourceError, scrub
from atlas_datasources.urls import DatasourceUrl

_CLIENT_GRACE_S = 5.0
_UNREACHABLE = {2002, 2003, 2005, 2006, 2013, 2055}
_TIMEOUT = {1317, 1969, 3024}  # interrupted; MariaDB max_statement_time; MySQL max_execution_time


class MySQLConnection(Connection):
    dialect = "mysql"

    def __init__(self, url: DatasourceUrl, timeout_s: float, connect_timeout_s: float) -> None:
        self._url = url
        self._connect_timeout_s = connect_timeout_s
        self._conn: aiomysql.Connection | None = None
        self.database = url.database
        self.default_schema = None
        self.statement_timeout_s = timeout_s
        self.is_mariadb = False
        self.server_version = ""

    def placeholder(self, index: int) -> str:
        return "%s"

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    async def open(self) -> None:
        try:
            conn = await aiomysql.connect(
                host=self._url.host or "localhost",
                port=self._url.port or 3306,
                user=self._url.user or "root",
                password=self._url.password or "",
                db=self._url.database,
                charset=self._url.options.get("charset", "utf8mb4"),
                connect_timeout=self._connect_timeout_s,
                autocommit=True,
            )
        except (pymysql.MySQLError, OSError, TimeoutError) as exc:
            raise self._map(exc) from None
        self._conn = conn
        try:
            await self._session()
        except BaseException:
            conn.close()
            self._conn = None
            raise

    async def _session(self) -> None:
        version = await self.fetch("SELECT VERSION()")
        self.server_version = str(version.rows[0][0])
        self.is_mariadb = "mariadb" in self.server_version.lower()
        for statement in session_statements(self.is_mariadb, self.statement_timeout_s):
            await self.fetch(statement)
        if not self.is_mariadb:
            # MySQL 8 caches TABLE_ROWS for a day by default; profiling wants today's estimate.
            await self.fetch("SET SESSION information_schema_stats_expiry = 0")

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> Result:
        if self._conn is None:
            await self.open()
        assert self._conn is not None
        try:
            async with self._conn.cursor() as cursor:
                await asyncio.wait_for(
                    cursor.execute(sql, tuple(params) if params else None),
                    self.statement_timeout_s + _CLIENT_GRACE_S,
                )
                rows = await cursor.fetchall()
                columns = [d[0] for d in cursor.description or ()]
        except (pymysql.MySQLError, OSError, TimeoutError) as exc:
            error = self._map(exc)
            if isinstance(exc, TimeoutError | OSError) or error.kind == "unreachable":
                self._drop()  # the protocol state is unknown: start afresh next time
            raise error from None
        return Result(columns, [tuple(row) for row in rows])

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await asyncio.wait_for(conn.ensure_closed(), 5)
            except (pymysql.MySQLError, OSError, TimeoutError):
                conn.close()

    def _map(self, exc: BaseException) -> DatasourceError:
        return map_error(exc, self._url, self.statement_timeout_s)


def session_statements(is_mariadb: bool, timeout_s: float) -> list[str]:
    """A read-only session and the server's statement timeout (the query service's executor
    opens its pooled connections with these too)."""
    if is_mariadb:
        timeout = f"SET SESSION max_statement_time = {timeout_s:.3f}"
    else:
        timeout = f"SET SESSION max_execution_time = {max(1, int(timeout_s * 1000))}"
    return ["SET SESSION TRANSACTION READ ONLY", timeout]


def map_error(exc: BaseException, url: DatasourceUrl, timeout_s: float) -> DatasourceError:
    where = f"MySQL at {url.host}:{url.port}"
    if isinstance(exc, TimeoutError):
        return DatasourceError(
            f"{where}: statement timed out after {timeout_s:g} s", kind="timeout"
        )
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    text = scrub(str(exc.args[1] if len(exc.args) > 1 else exc), url.password)
    if code in _UNREACHABLE or (code is None and isinstance(exc, OSError)):
        return DatasourceError(f"cannot reach {where}: {text}", kind="unreachable")
    if code in (1045, 1698):
        return DatasourceError(
            f"{where} refused the login of user {url.user!r} (wrong password or no access)",
            kind="auth",
        )
    if code == 1049:
        return DatasourceError(f"{where} has no database {url.database!r}", kind="unknown_database")
    if code in (1044, 1142, 1143, 1227):
        return DatasourceError(f"{where}: permission denied: {text}", kind="permission")
    if code in _TIMEOUT:
        return DatasourceError(
            f"{where}: statement timed out after {timeout_s:g} s", kind="timeout"
        )
    if code in (1792, 1290):
        return DatasourceError(f"{where}: refused, the session is read-only", kind="read_only")
    return DatasourceError(f"{where}: {text}", kind="query")


async def connect_mysql(
    url: DatasourceUrl, *, statement_timeout_s: float, connect_timeout_s: float
) -> MySQLConnection:
    conn = MySQLConnection(url, statement_timeout_s, connect_timeout_s)
    await conn.open()
    return conn

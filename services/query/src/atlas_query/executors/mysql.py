"""MySQL and MariaDB through a pool of aiomysql connections (the driver atlas_datasources uses).

Every pooled connection is opened with atlas_datasources's session: ``SET SESSION TRANSACTION
READ ONLY`` (a write fails with error 1792) and the server's statement timeout,
``max_statement_time`` (seconds) on MariaDB or ``max_execution_time`` (milliseconds) on MySQL,
so the database, not the client, stops a slow query. Each query also runs in an explicit
``START TRANSACTION READ ONLY``: a statement that got past the guard and reset the session
(``SET SESSION TRANSACTION READ WRITE``) leaves the next query read-only all the same.
Results are read unbuffered and at most ``row_limit + 1`` rows are fetched; a connection whose
result was cut is closed rather than drained.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiomysql
import pymysql
from atlas_datasources.connections.mysql import map_error, session_statements
from atlas_datasources.errors import DatasourceError
from atlas_datasources.urls import DatasourceUrl, parse_url
from pymysql.constants import FIELD_TYPE

from atlas_query.errors import DatasourceUnavailable, QueryFailed, QueryTimeout
from atlas_query.executors.base import Dialect, QueryResult, build_result

# Past the server's own timeout, the client gives up too (a server that stopped answering).
_CLIENT_GRACE_S = 5.0
_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(FIELD_TYPE).items()
    if isinstance(value, int) and not name.startswith("_")
}
Rows = tuple[list[str], list[str], list[tuple[Any, ...]]]


def parse_mysql_url(url: str) -> DatasourceUrl:
    try:
        parsed = parse_url(url)
    except DatasourceError as exc:
        raise DatasourceUnavailable(f"ATLAS_DATASOURCE_URL: {exc.message}") from None
    if parsed.dialect != "mysql":
        raise DatasourceUnavailable("ATLAS_DATASOURCE_URL is not a mysql:// URL")
    return parsed


def _server_error(exc: BaseException) -> bool:
    """An error the server sent (codes 1000-1999 and 3000+), after which the connection is
    still in step; client errors (2000-2999: lost connection...) are not."""
    code = exc.args[0] if isinstance(exc, pymysql.MySQLError) and exc.args else None
    return isinstance(code, int) and not 2000 <= code < 3000


class MySQLExecutor:
    dialect: Dialect = "mysql"

    def __init__(self, url: str, *, row_limit: int, timeout_ms: int, max_size: int = 10) -> None:
        self._url = parse_mysql_url(url)
        self.default_schema = self._url.database  # a bare name resolves in the URL's database
        self.row_limit = row_limit
        self.timeout_ms = timeout_ms
        self._max_size = max_size
        self._pool: aiomysql.Pool | None = None
        self._lock = asyncio.Lock()
        self._ready: weakref.WeakSet[aiomysql.Connection] = weakref.WeakSet()

    async def execute(self, sql: str) -> QueryResult:
        pool = await self._get_pool()
        try:
            async with asyncio.timeout(self.timeout_ms / 1000 + _CLIENT_GRACE_S):
                names, types, records = await self._fetch(pool, sql)
        except TimeoutError as exc:
            raise QueryTimeout(self.timeout_ms) from exc
        except (pymysql.MySQLError, OSError) as exc:
            raise self._error(exc) from None
        return build_result(names, types, records, self.row_limit)

    async def _fetch(self, pool: aiomysql.Pool, sql: str) -> Rows:
        conn = await pool.acquire()
        try:
            await self._prepare(conn)
            await conn.query("START TRANSACTION READ ONLY")
            cursor = await conn.cursor(aiomysql.SSCursor)
            await cursor.execute(sql)
            description = cursor.description or ()
            records = list(await cursor.fetchmany(self.row_limit + 1))
            if len(records) > self.row_limit:
                conn.close()  # more rows may follow: dropped with the connection, not read
            else:
                await cursor.close()
                await conn.query("ROLLBACK")
        except BaseException as exc:
            if not _server_error(exc):
                conn.close()  # its protocol state is unknown (a timeout, a cancel, a lost link)
            raise
        finally:
            await pool.release(conn)
        names = [d[0] for d in description]
        return names, [_TYPE_NAMES.get(d[1], str(d[1])) for d in description], records

    async def _prepare(self, conn: aiomysql.Connection) -> None:
        """The read-only session and the timeout, once per pooled connection."""
        if conn in self._ready:
            return
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT VERSION()")
            version = str((await cursor.fetchone())[0])
            timeout_s = self.timeout_ms / 1000
            for statement in session_statements("mariadb" in version.lower(), timeout_s):
                await cursor.execute(statement)
        self._ready.add(conn)

    def _error(self, exc: BaseException) -> Exception:
        mapped = map_error(exc, self._url, self.timeout_ms / 1000)
        if mapped.kind == "timeout":
            return QueryTimeout(self.timeout_ms)
        if mapped.kind in ("unreachable", "auth", "unknown_database"):
            return DatasourceUnavailable("The MySQL datasource is unreachable")
        return QueryFailed(f"The database refused the query: {mapped.message}")

    async def ping(self) -> None:
        try:
            await self.execute("SELECT 1")
        except (QueryFailed, QueryTimeout) as exc:
            raise DatasourceUnavailable("The MySQL datasource does not answer") from exc

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.close()
            await pool.wait_closed()

    async def _get_pool(self) -> aiomysql.Pool:
        async with self._lock:
            if self._pool is None:
                self._pool = await self._create_pool()
        return self._pool

    async def _create_pool(self) -> aiomysql.Pool:
        url = self._url
        try:
            return await aiomysql.create_pool(
                minsize=0,
                maxsize=self._max_size,
                host=url.host or "localhost",
                port=url.port or 3306,
                user=url.user or "root",
                password=url.password or "",
                db=url.database,
                charset=url.options.get("charset", "utf8mb4"),
                connect_timeout=10,
                autocommit=True,
                pool_recycle=3600,
            )
        except (pymysql.MySQLError, OSError, TimeoutError) as exc:
            # The URL may hold a password: the message never repeats it.
            raise DatasourceUnavailable("Cannot connect to the MySQL datasource") from exc

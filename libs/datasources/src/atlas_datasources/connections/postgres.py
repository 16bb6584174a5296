"""PostgreSQL through asyncpg, in a read-only session.

``default_transaction_read_only=on`` makes every transaction of the session read-only (a write
fails with SQLSTATE 25006) and ``statement_timeout`` bounds each statement on the server; a
client-side timeout a little longer covers a server that does not answer at all.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

import asyncpg

from atlas_datasources.connections.base import Connection, Result
from atlas_datasources.errors import DatasourceError, scrub
from atlas_datasources.urls import DatasourceUrl

_CLIENT_GRACE_S = 5.0


class PostgresConnection(Connection):
    dialect = "postgres"

    def __init__(self, conn: asyncpg.Connection, url: DatasourceUrl, timeout_s: float) -> None:
        self._conn = conn
        self._url = url
        self.database = url.database
        self.default_schema = "public"
        self.statement_timeout_s = timeout_s

    def placeholder(self, index: int) -> str:
        return f"${index}"

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> Result:
        try:
            stmt = await self._conn.prepare(sql, timeout=self.statement_timeout_s + _CLIENT_GRACE_S)
            records = await stmt.fetch(*params, timeout=self.statement_timeout_s + _CLIENT_GRACE_S)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            raise map_error(exc, self._url, self.statement_timeout_s) from None
        columns = [attr.name for attr in stmt.get_attributes()]
        return Result(columns, [tuple(record) for record in records])

    async def close(self) -> None:
        await self._conn.close(timeout=5)


async def connect_postgres(
    url: DatasourceUrl, *, statement_timeout_s: float, connect_timeout_s: float
) -> PostgresConnection:
    settings = {
        "default_transaction_read_only": "on",
        "statement_timeout": str(max(1, int(statement_timeout_s * 1000))),
        "application_name": "atlas-datasources",
    }
    try:
        conn = await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.user,
            password=url.password,
            database=url.database,
            ssl=url.options.get("sslmode"),
            timeout=connect_timeout_s,
            server_settings=settings,
            statement_cache_size=0,
        )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
        raise map_error(exc, url, statement_timeout_s) from None
    # A fresh connection on a read-only session cannot be anything but read-only; checked.
    return PostgresConnection(conn, url, statement_timeout_s)


def map_error(exc: BaseException, url: DatasourceUrl, timeout_s: float) -> DatasourceError:
    where = f"PostgreSQL at {url.host}:{url.port}"
    if isinstance(exc, TimeoutError | asyncpg.QueryCanceledError):
        return DatasourceError(
            f"{where}: statement timed out after {timeout_s:g} s", kind="timeout"
        )
    if isinstance(exc, socket.gaierror):
        return DatasourceError(f"cannot reach {where}: unknown host", kind="unreachable")
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return DatasourceError(f"cannot reach {where}: {reason}", kind="unreachable")
    if isinstance(
        exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        return DatasourceError(
            f"{where} refused the login of user {url.user!r} (wrong password or no access)",
            kind="auth",
        )
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return DatasourceError(f"{where} has no database {url.database!r}", kind="unknown_database")
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        return DatasourceError(f"{where}: refused, the session is read-only", kind="read_only")
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        message = scrub(str(exc), url.password)
        return DatasourceError(f"{where}: permission denied: {message}", kind="permission")
    return DatasourceError(f"{where}: {scrub(str(exc), url.password)}", kind="query")

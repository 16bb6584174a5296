"""PostgreSQL through a pool of asyncpg connections.

Every connection is opened with ``default_transaction_read_only`` and ``statement_timeout``
set by the server (so the database, not the client, stops a slow query), and every query runs
in an explicit ``READ ONLY`` transaction through a cursor that fetches at most
``row_limit + 1`` rows.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg

from atlas_query.errors import DatasourceUnavailable, QueryFailed, QueryTimeout
from atlas_query.executors.base import Dialect, QueryResult, build_result

# Past the server's own timeout, the client gives up too: a server that no longer answers
# must not hold a request forever.
_CLIENT_GRACE_S = 5.0
_CONNECT_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.InterfaceError,
                   asyncpg.CannotConnectNowError, asyncpg.InvalidCatalogNameError,
                   asyncpg.InvalidAuthorizationSpecificationError)


def default_schema(url: str) -> str:
    """The first schema of the URL's ``search_path`` (how a datasource URL points at its
    tables), else ``public``. A ``$user`` entry is skipped: it depends on the login."""
    query = parse_qs(urlsplit(url).query)
    paths = query.get("search_path", [])
    for option in query.get("options", []):
        found = re.search(r"search_path\s*=\s*([^ ]+)", option)
        if found:
            paths.append(found.group(1))
    for path in paths:
        for entry in path.split(","):
            name = entry.strip().strip('"')
            if name and name != "$user":
                return name
    return "public"


class PostgresExecutor:
    dialect: Dialect = "postgres"

    def __init__(self, url: str, *, row_limit: int, timeout_ms: int, max_size: int = 10) -> None:
        self._url = url
        self.default_schema = default_schema(url)
        self.row_limit = row_limit
        self.timeout_ms = timeout_ms
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None
        self._lock = asyncio.Lock()

    async def execute(self, sql: str) -> QueryResult:
        pool = await self._get_pool()
        try:
            async with asyncio.timeout(self.timeout_ms / 1000 + _CLIENT_GRACE_S):
                names, types, records = await self._fetch(pool, sql)
        except (asyncpg.QueryCanceledError, TimeoutError) as exc:
            raise QueryTimeout(self.timeout_ms) from exc
        except asyncpg.PostgresError as exc:
            raise QueryFailed(f"The database refused the query: {exc}") from exc
        except _CONNECT_ERRORS as exc:
            raise DatasourceUnavailable("The PostgreSQL datasource is unreachable") from exc
        return build_result(names, types, records, self.row_limit)

    async def _fetch(self, pool: asyncpg.Pool,
                     sql: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
        async with pool.acquire() as conn, conn.transaction(readonly=True):
            statement = await conn.prepare(sql)
            attributes = statement.get_attributes()
            cursor = await statement.cursor()
            records = await cursor.fetch(self.row_limit + 1)
        names = [attribute.name for attribute in attributes]
        types = [attribute.type.name for attribute in attributes]
        return names, types, [tuple(record) for record in records]

    async def ping(self) -> None:
        pool = await self._get_pool()
        try:
            async with asyncio.timeout(5):
                await pool.fetchval("SELECT 1")
        except (*_CONNECT_ERRORS, asyncpg.PostgresError, TimeoutError) as exc:
            raise DatasourceUnavailable("The PostgreSQL datasource does not answer") from exc

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _get_pool(self) -> asyncpg.Pool:
        async with self._lock:
            if self._pool is None:
                self._pool = await self._create_pool()
        return self._pool

    async def _create_pool(self) -> asyncpg.Pool:
        settings = {
            "default_transaction_read_only": "on",
            "statement_timeout": str(self.timeout_ms),
            "idle_in_transaction_session_timeout": str(self.timeout_ms + 5_000),
            "application_name": "atlas-query",
        }
        try:
            return await asyncpg.create_pool(self._url, min_size=0, max_size=self._max_size,
                                             server_settings=settings, timeout=10)
        except (*_CONNECT_ERRORS, asyncpg.PostgresError) as exc:
            # The URL may hold a password: the message never repeats it.
            raise DatasourceUnavailable("Cannot connect to the PostgreSQL datasource") from exc

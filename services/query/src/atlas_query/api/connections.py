"""The datasource as the admin API shows it: ``default``, the one ``ATLAS_DATASOURCE_URL`` names
(or the embedded demo DuckDB), and its test: does it answer, how fast, and would the database
itself refuse a write from Atlas's sessions.

The read-only check asks the database, inside the executor's own read-only session or
transaction, rather than trusting the executor's configuration. Messages are Atlas's own and
scrubbed of the URL's password all the same: they are shown in the console.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from atlas_common.errors import AtlasError, NotFound
from atlas_common.wire.admin import (
    ConnectionInfo,
    ConnectionsResponse,
    ConnectionTestResult,
)
from atlas_query.errors import QueryFailed
from atlas_query.executors.base import Executor

DEFAULT_ID = "default"
#: A datasource slower than this to answer a ping is degraded.
SLOW_MS = 2_000.0
# What each dialect answers about the session a query of Atlas runs in; first that works wins.
_READ_ONLY_PROBES: dict[str, tuple[str, ...]] = {
    "postgres": ("SHOW transaction_read_only",),
    "mysql": ("SELECT @@session.transaction_read_only", "SELECT @@session.tx_read_only"),
    "duckdb": ("SELECT current_setting('access_mode')",),
}
# SQLite's authorizer refuses every pragma: a refused write is the answer there.
_SQLITE_WRITE = "CREATE TEMP TABLE atlas_read_only_probe (x INTEGER)"
_READ_ONLY_VALUES = frozenset({"on", "1", "true", "read_only"})


class ConnectionsService:
    def __init__(self, executor: Executor, datasource_url: str, demo_path: str) -> None:
        self.executor = executor
        self._url = datasource_url.strip()
        self._demo_path = demo_path

    def list(self) -> ConnectionsResponse:
        return ConnectionsResponse(connections=[self.info()])

    def info(self) -> ConnectionInfo:
        demo = not self._url
        return ConnectionInfo(
            id=DEFAULT_ID,
            db_type=self.executor.dialect,
            description="The embedded demo database" if demo else "ATLAS_DATASOURCE_URL",
            host=_file_name(self._demo_path) if demo else _host(self._url),
        )

    async def test(self, connection_id: str) -> ConnectionTestResult:
        if connection_id != DEFAULT_ID:
            raise NotFound(f"No connection {connection_id!r}")
        started = time.perf_counter()
        try:
            await self.executor.ping()
            latency = _ms_since(started)
            read_only = await self._read_only()
        except AtlasError as exc:
            return self._result("unhealthy", _ms_since(started), exc.message, None)
        except Exception:  # a driver error no executor mapped: still an answer, not a 500
            return self._result("unhealthy", _ms_since(started), "The datasource did not "
                                "answer", None)
        if not read_only:
            return self._result("degraded", latency, "The database accepts writes from "
                                "Atlas's sessions: give Atlas a read-only login", False)
        if latency > SLOW_MS:
            return self._result("degraded", latency, f"Slow to answer ({latency:.0f} ms)", True)
        return self._result("healthy", latency, None, True)

    async def _read_only(self) -> bool:
        if self.executor.dialect == "sqlite":
            try:
                await self.executor.execute(_SQLITE_WRITE)
            except QueryFailed:
                return True
            return False
        refused: QueryFailed | None = None
        for probe in _READ_ONLY_PROBES[self.executor.dialect]:
            try:
                result = await self.executor.execute(probe)
            except QueryFailed as exc:  # a variable this server version does not have
                refused = exc
                continue
            value = next(iter(result.rows[0].values())) if result.rows else None
            return str(value).strip().lower() in _READ_ONLY_VALUES
        assert refused is not None
        raise refused

    def _result(self, status: str, latency: float, message: str | None,
                read_only: bool | None) -> ConnectionTestResult:
        return ConnectionTestResult.model_validate({
            "status": status,
            "latency_ms": round(latency, 1),
            "message": self._scrub(message),
            "checked_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "read_only": read_only,
        })

    def _scrub(self, message: str | None) -> str | None:
        password = _password(self._url)
        if message is None or not password:
            return message
        return message.replace(password, "***").replace(unquote(password), "***")


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _host(url: str) -> str | None:
    """host[:port] of a server URL, the file name of a file one; never the credentials."""
    parts = urlsplit(url)
    if parts.hostname:
        return f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname
    return _file_name(parts.path or url)


def _file_name(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None

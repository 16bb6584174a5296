"""``client.admin`` (upstream's ``admin.*``, admin role only), sync and async.

The clients are reached through small protocols (their ``_json`` / ``_send``), as in
:mod:`atlas_sdk._scheduled_tasks`; the calls are the ones :mod:`atlas_sdk._admin` builds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import IO, Unpack

import httpx

from atlas_sdk import _admin as a
from atlas_sdk import _base as b
from atlas_sdk._admin import (
    AdminOverview,
    AuditExport,
    AuditFilters,
    AuditPage,
    AuditStats,
    ConnectionHealth,
    ConnectionInfo,
    PlanSnapshot,
    When,
)

__all__ = ["Admin", "AsyncAdmin"]


class Admin:
    """``client.admin``: the workspace's audit trail, overview, datasources and plan.

    The audit filters (``user``, ``surface``, ``outcome``, ``success``, ``kind``, ``action``,
    ``table``, ``since``, ``until``, ``q``) are keyword arguments of ``audit``, ``audit_pages``
    and ``audit_export``; a bad value is :class:`UnprocessableEntityError` (or
    :class:`BadRequestError`) ``validation_error``. A non-admin gets
    :class:`PermissionDeniedError`.
    """

    def __init__(self, client: b.SyncCaller) -> None:
        self._client = client

    def audit(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        cursor: str | None = None,
        **filters: Unpack[AuditFilters],
    ) -> AuditPage:
        """One page of the trail, newest first (``cursor``: the previous ``next_cursor``)."""
        call = a.audit_call(a.filter_params(**filters), limit, offset, cursor)
        return AuditPage.from_json(self._client._json(call))

    def audit_pages(
        self, *, limit: int | None = None, **filters: Unpack[AuditFilters]
    ) -> Iterator[AuditPage]:
        """Every page of the filtered trail, following ``next_cursor``."""
        page = self.audit(limit=limit, **filters)
        yield page
        while page.next_cursor:
            page = self.audit(limit=limit, cursor=page.next_cursor, **filters)
            yield page

    def audit_stats(self, *, since: When | None = None, until: When | None = None) -> AuditStats:
        """Figures over ``since``..``until`` (default: the last 30 days)."""
        return AuditStats.from_json(self._client._json(a.stats_call(since, until)))

    def audit_export(
        self, *, output: IO[bytes] | None = None, **filters: Unpack[AuditFilters]
    ) -> AuditExport:
        """The filtered trail as CSV (at most 100,000 rows; ``truncated`` past that): its text,
        or streamed into ``output`` (a binary file) without holding it in memory."""
        response = self._client._send(a.export_call(a.filter_params(**filters)), stream=True)
        try:
            sink = _Sink(output)
            for chunk in response.iter_bytes():
                sink.write(chunk)
        finally:
            response.close()
        return sink.result(response)

    def overview(self) -> AdminOverview:
        return AdminOverview.from_json(self._client._json(a.get_call("overview")))

    def connections(self) -> list[ConnectionInfo]:
        return a.connections_from_json(self._client._json(a.get_call("connections")))

    def test_connection(self, connection_id: str) -> ConnectionHealth:
        """Check a datasource now; :class:`NotFoundError` for an unknown id."""
        return ConnectionHealth.from_json(self._client._json(a.connection_test_call(connection_id)))

    def plan(self) -> PlanSnapshot:
        return PlanSnapshot.from_json(self._client._json(a.get_call("plan")))


class AsyncAdmin:
    """``client.admin`` of :class:`AsyncAtlas`: the same methods, awaited."""

    def __init__(self, client: b.AsyncCaller) -> None:
        self._client = client

    async def audit(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        cursor: str | None = None,
        **filters: Unpack[AuditFilters],
    ) -> AuditPage:
        call = a.audit_call(a.filter_params(**filters), limit, offset, cursor)
        return AuditPage.from_json(await self._client._json(call))

    async def audit_pages(
        self, *, limit: int | None = None, **filters: Unpack[AuditFilters]
    ) -> AsyncIterator[AuditPage]:
        page = await self.audit(limit=limit, **filters)
        yield page
        while page.next_cursor:
            page = await self.audit(limit=limit, cursor=page.next_cursor, **filters)
            yield page

    async def audit_stats(
        self, *, since: When | None = None, until: When | None = None
    ) -> AuditStats:
        return AuditStats.from_json(await self._client._json(a.stats_call(since, until)))

    async def audit_export(
        self, *, output: IO[bytes] | None = None, **filters: Unpack[AuditFilters]
    ) -> AuditExport:
        response = await self._client._send(a.export_call(a.filter_params(**filters)), stream=True)
        try:
            sink = _Sink(output)
            async for chunk in response.aiter_bytes():
                sink.write(chunk)
        finally:
            await response.aclose()
        return sink.result(response)

    async def overview(self) -> AdminOverview:
        return AdminOverview.from_json(await self._client._json(a.get_call("overview")))

    async def connections(self) -> list[ConnectionInfo]:
        return a.connections_from_json(await self._client._json(a.get_call("connections")))

    async def test_connection(self, connection_id: str) -> ConnectionHealth:
        body = await self._client._json(a.connection_test_call(connection_id))
        return ConnectionHealth.from_json(body)

    async def plan(self) -> PlanSnapshot:
        return PlanSnapshot.from_json(await self._client._json(a.get_call("plan")))


class _Sink:
    """Where the export's bytes go: the caller's file, else memory (for ``csv``)."""

    def __init__(self, output: IO[bytes] | None) -> None:
        self.output = output
        self.chunks: list[bytes] = []
        self.written = 0

    def write(self, chunk: bytes) -> None:
        self.written += len(chunk)
        if self.output is None:
            self.chunks.append(chunk)
        else:
            self.output.write(chunk)

    def result(self, response: httpx.Response) -> AuditExport:
        text = None if self.output is not None else b"".join(self.chunks).decode("utf-8-sig")
        return AuditExport(
            csv=text,
            truncated=response.headers.get("x-atlas-truncated") == "true",
            filename=a.export_filename(response.headers.get("content-disposition")),
            bytes_written=self.written,
        )

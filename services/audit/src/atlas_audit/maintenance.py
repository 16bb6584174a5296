"""Partition upkeep and retention: at start, then daily, under an advisory lock so replicas
take turns. Months are made ahead (current + next two); partitions wholly older than
``ATLAS_AUDIT_RETENTION_DAYS`` are dropped (0: never)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

import asyncpg

from atlas_audit import repository

log = logging.getLogger("atlas_audit")
MONTHS_AHEAD = 3  # the current month and the next two
DAY_S = 86_400.0
RETRY_S = 60.0


async def maintain(pool: asyncpg.Pool, retention_days: int,
                   now: datetime | None = None) -> tuple[list[str], list[str]]:
    """One pass: the partitions made and the partitions dropped."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", repository.MAINTENANCE_LOCK)
        try:
            made = await repository.ensure_partitions(conn, now.date(), MONTHS_AHEAD)
            dropped: list[str] = []
            if retention_days > 0:
                cutoff = now - timedelta(days=retention_days)
                dropped = await repository.drop_partitions_before(conn, cutoff)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", repository.MAINTENANCE_LOCK)
    if dropped:
        log.info("audit partitions dropped by retention",
                 extra={"partitions": dropped, "retention_days": retention_days})
    return made, dropped


class Maintenance:
    """The daily pass in the background (the first one runs in ``start``)."""

    def __init__(self, pool: asyncpg.Pool, retention_days: int) -> None:
        self._pool = pool
        self._retention_days = retention_days
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await maintain(self._pool, self._retention_days)
        self._task = asyncio.create_task(self._loop(), name="audit-maintenance")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(DAY_S)
            while True:
                try:
                    await maintain(self._pool, self._retention_days)
                    break
                except (asyncpg.PostgresError, OSError):
                    log.exception("audit maintenance failed; retrying")
                    await asyncio.sleep(RETRY_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

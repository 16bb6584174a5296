"""Last-used times, coalesced: no database write per request.

A verification only notes the time in memory. Every ``interval`` seconds one UPDATE writes the
newest time of every key used since the last write, so a key is written at most once per
interval (default 60 s) however busy it is. The gateway's principal cache already spares most
verifications, so ``lastRequest`` is precise to about a minute, which is what a "last used"
column is for. The pending times are written once more at shutdown; a crash loses at most one
interval of them, never a key.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

import asyncpg

from atlas_keys import repository

log = logging.getLogger(__name__)


class LastUsedRecorder:
    def __init__(self, pool: Any, interval_s: float) -> None:
        self._pool = pool
        self.interval_s = interval_s
        self._pending: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        #: Writes per key id since start (for tests and metrics): proves the coalescing.
        self.writes: dict[str, int] = {}
        self.flushes = 0

    def touch(self, key_id: str, at: datetime) -> None:
        previous = self._pending.get(key_id)
        if previous is None or at > previous:
            self._pending[key_id] = at

    async def flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        try:
            await repository.record_last_used(self._pool, batch)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            log.warning("could not record last-used times; keeping them for the next flush")
            for key_id, at in batch.items():
                self.touch(key_id, at)
            return
        self.flushes += 1
        for key_id in batch:
            self.writes[key_id] = self.writes.get(key_id, 0) + 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="keys-last-used")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.flush()

"""Counting usage events in batches: one statement and one commit for many deliveries.

Every event of one customer moves the same counter row; committed one by one, they queue on
that row's lock for a commit (an fsync) each. Deliveries arriving together (the consumer has
``prefetch`` of them in flight) are counted by one statement instead: the ledger insert skips
keys counted before and the counter moves by the sum of the rest. One batch is in flight at a
time; what arrives meanwhile is the next batch, so batches grow with the database's latency
instead of queueing on the row lock. Each delivery's handler waits for its batch's commit, so
it is acked only once counted. When a batch fails for a
reason other than an unreachable database, its events are counted one by one, so one poison
event cannot take the others down with it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from atlas_entitlements import repository
from atlas_entitlements.repository import Spend

log = logging.getLogger(__name__)
_Pending = tuple[str, Spend, "asyncio.Future[bool]"]


class UsageBatcher:
    def __init__(self, pool: Any, retryable: tuple[type[BaseException], ...],
                 max_batch: int = 200, max_wait_s: float = 0.002) -> None:
        self.pool = pool
        self.retryable = retryable
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task[None] | None = None

    async def count(self, key: str, spend: Spend) -> bool:
        """True when counted now, False when the key was counted before."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((key, spend, future))
        if self._running is None:  # else the running flush takes it next
            if len(self._pending) >= self.max_batch:
                self._start()
            elif self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(self.max_wait_s, self._start)
        return await future

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running is None and self._pending:
            self._running = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                await self._flush(batch)
        finally:
            self._running = None

    async def _flush(self, batch: list[_Pending]) -> None:
        try:
            counted = await repository.count_events(self.pool, [(k, s) for k, s, _ in batch])
        except self.retryable as exc:
            for _, _, future in batch:
                _settle(future, exc=exc)
            return
        except Exception:
            log.exception("usage batch failed: counting its %d events one by one", len(batch))
            await self._one_by_one(batch)
            return
        for key, _, future in batch:  # a key twice in one batch: counted once, the first
            _settle(future, key in counted)
            counted.discard(key)

    async def _one_by_one(self, batch: list[_Pending]) -> None:
        for key, spend, future in batch:
            try:
                _settle(future, await repository.count_event(self.pool, key, spend))
            except Exception as exc:
                _settle(future, exc=exc)


def _settle(future: asyncio.Future[bool], result: bool = False,
            exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)

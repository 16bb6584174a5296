"""A value read in the background and served from memory: single flight, stale while revalidate.

A request must never wait on the I/O behind a value it only needs to read (issue 27: a passive
declare per question, hundreds queued on one channel under a burst, timed out and reported as
an outage). One loop per value refreshes it every ``interval_s``; a request reads the last
value and its age. A refresh that fails keeps the last value (its age grows) and records why
(``error``); concurrent refreshes share one read, so a caller that must have a newer value (a
refusal to confirm) adds at most one read in flight, however many callers ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reading(Generic[T]):
    value: T
    at: float  # time.monotonic() when the read ended
    latency_ms: float


class Refreshed(Generic[T]):
    def __init__(self, name: str, read: Callable[[], Awaitable[T]], *, interval_s: float) -> None:
        self.name = name
        self.interval_s = interval_s
        self.reading: Reading[T] | None = None
        #: Why the last refresh failed; None when it succeeded.
        self.error: Exception | None = None
        #: Reads made so far (one per flight, whatever the number of callers).
        self.reads = 0
        self._read = read
        self._flight: asyncio.Task[None] | None = None

    def age(self) -> float | None:
        """Seconds since the last successful read (None: never read)."""
        return None if self.reading is None else time.monotonic() - self.reading.at

    async def refresh(self) -> Reading[T] | None:
        """Join the read under way or start one; the newest reading after it (maybe older)."""
        if self._flight is None:
            self._flight = asyncio.create_task(self._read_once())
            self._flight.add_done_callback(self._landed)
        # Shielded: a caller that gives up (a client leaving) does not cancel everyone's read.
        await asyncio.shield(self._flight)
        return self.reading

    def _landed(self, _: asyncio.Task[None]) -> None:
        self._flight = None

    async def _read_once(self) -> None:
        self.reads += 1
        started = time.monotonic()
        try:
            value = await self._read()
        except Exception as exc:  # kept, not raised: the last value stays and says its age
            self.error = exc
            log.debug("%s refresh failed", self.name, extra={"error": repr(exc)})
            return
        now = time.monotonic()
        self.reading = Reading(value, now, round((now - started) * 1000, 1))
        self.error = None

    async def run(self) -> None:
        """Refresh every ``interval_s`` until cancelled (a task of the app's state); the first
        read is the owner's (before serving)."""
        try:
            while True:
                await asyncio.sleep(self.interval_s)
                await self.refresh()
        finally:
            flight = self._flight
            if flight is not None:
                flight.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await flight

"""Riding out a short Redis outage: retry a stream write with backoff, up to a bound.

A Redis restart (or a failover) drops every connection for a second or a few; a worker whose
writes failed at once used to requeue its job on each failure and spend the job's delivery
limit within a second. Within the bound (ATLAS_STREAM_WRITE_RETRY_S) the write is tried again,
50 ms then doubling up to 1 s apart; past it the last error is raised and the caller fails or
requeues the job as before. Only connection-level errors are retried: a command Redis refused
(a script error, a wrong type) would fail the same way again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
T = TypeVar("T")
#: BusyLoadingError (Redis still loading its data set after a restart) is a ConnectionError.
TRANSIENT = (RedisConnectionError, RedisTimeoutError, OSError)
FIRST_DELAY_S = 0.05
MAX_DELAY_S = 1.0


async def ride_out(call: Callable[[], Awaitable[T]], bound_s: float, what: str) -> T:
    """``call()`` until it succeeds or ``bound_s`` seconds of failures have passed."""
    deadline = time.monotonic() + bound_s
    delay = FIRST_DELAY_S
    failures = 0
    while True:
        try:
            result = await call()
        except TRANSIENT as exc:
            failures += 1
            if time.monotonic() + delay > deadline:
                if failures > 1:
                    log.warning("Redis still unreachable, giving up: %s", what,
                                extra={"failures": failures, "bound_s": bound_s})
                raise
            if failures == 1:  # once per outage, not once per try
                log.warning("Redis unreachable, retrying: %s: %s", what, type(exc).__name__,
                            extra={"bound_s": bound_s})
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)
            continue
        if failures:
            log.info("Redis reachable again: %s", what, extra={"failures": failures})
        return result

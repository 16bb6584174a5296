"""Retries with exponential backoff and jitter, and the permanent-failure state.

An attempt either returns (delivered), raises :class:`Permanent` (no retry can help: a 4xx, a
refused address, a bad recipient) or raises :class:`Retryable` (a 5xx, 408/429, a timeout, a
connection error). Retries stop at ``policy.attempts``; the last error is what is recorded.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("atlas.scheduler.delivery")


class DeliveryError(Exception):
    """A failed attempt; ``str(exc)`` is stored on the run: the host, never a secret."""


class Permanent(DeliveryError):
    """Retrying cannot succeed."""


class Retryable(DeliveryError):
    """Another attempt may succeed; ``retry_after`` is the receiver's own hint, in seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base_s: float = 2.0
    cap_s: float = 60.0

    def delay(self, failed: int, hint: float | None = None) -> float:
        """The wait after the ``failed``-th failure: base * 2^(n-1), capped, with "equal
        jitter" (half fixed, half random) so that many runs failing together spread out."""
        if hint is not None:
            return min(max(hint, 0.0), self.cap_s)
        ceiling = min(self.cap_s, self.base_s * 2 ** (failed - 1))
        return float(ceiling / 2 + random.uniform(0, ceiling / 2))


@dataclass(frozen=True, slots=True)
class Attempted:
    """The result of :func:`with_retries`: ``error`` is None when delivered."""

    attempts: int
    error: str | None = None
    permanent: bool = False


async def with_retries(policy: RetryPolicy, attempt: Callable[[], Awaitable[None]]) -> Attempted:
    for n in range(1, policy.attempts + 1):
        try:
            await attempt()
            return Attempted(attempts=n)
        except Permanent as exc:
            return Attempted(attempts=n, error=str(exc), permanent=True)
        except Retryable as exc:
            if n == policy.attempts:
                return Attempted(attempts=n, error=f"{exc} (after {n} attempts)")
            wait = policy.delay(n, exc.retry_after)
            log.warning(
                "delivery attempt failed, retrying",
                extra={"attempt": n, "error": str(exc), "retry_in_s": round(wait, 3)},
            )
            await asyncio.sleep(wait)
    raise AssertionError("unreachable: attempts >= 1")

"""Waiting for something to propagate: poll with a bound, never a bare sleep.

``eventually`` (async tests) and ``wait_for`` (sync tests, processes) are the only two ways
tests wait; both return the first truthy value and fail with what was awaited.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(probe: Callable[[], T | Awaitable[T]], *, timeout: float = 10,
                     interval: float = 0.05, what: str = "condition") -> T:
    """Poll ``probe`` (a plain or an async callable) until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout}s")
        await asyncio.sleep(interval)


def wait_for(predicate: Callable[[], T], timeout: float = 30, interval: float = 0.1,
             what: str = "condition") -> T:
    """Poll ``predicate`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout}s")

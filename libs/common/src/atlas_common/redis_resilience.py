"""Redis restarting under a process: reconnect on the next command, and 503 when it is down.

redis-py retries nothing by default, so after a Redis restart every pooled connection is
stale and the first command on each fails ("Connection closed by server") although Redis is
back. :func:`reconnecting_retry` makes a client drop such a connection and try again on a new
one, a few times, within about half a second. When Redis really is down, a request that
needs it answers 503 ``unavailable`` with Retry-After (:func:`install_redis_down_handler`),
never a 500 (docs/reliability.md).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from atlas_common.errors import Unavailable, error_response

log = logging.getLogger(__name__)
RETRY_AFTER_S = 2


def reconnecting_retry() -> Retry:
    """3 more tries on a connection or timeout error (only those: a command Redis refused is
    not retried), 50 ms then doubling, at most 200 ms apart."""
    return Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=3)


def resilient_redis(url: str) -> Redis:
    """The Redis client of a service: stale pooled connections retried on a fresh one, and
    idle ones checked before use (every 10 s), so a Redis restart costs no failed command."""
    return Redis.from_url(url, health_check_interval=10, retry=reconnecting_retry())


async def _redis_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("redis unreachable: %s: %s", type(exc).__name__, exc,
                extra={"path": request.url.path})
    return error_response(request, Unavailable("Redis is unreachable", retry_after=RETRY_AFTER_S))


def install_redis_down_handler(app: FastAPI) -> None:
    for kind in (RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(kind, _redis_down)

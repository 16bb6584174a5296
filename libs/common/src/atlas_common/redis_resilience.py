"""Redis restarting under a process: reconnect on the next command, and 503 when it is down.

redis-py retries nothing by default, so after a Redis restart every pooled connection is
stale and the first command on each fails ("Connection closed by server") although Redis is
back. :func:`reconnecting_retry` makes a client drop such a connection and try again on a new
one, a few times, within about half a second. When Redis really is down, a request that
needs it answers 503 ``unavailable`` with Retry-After (:func:`install_redis_down_handler`),
never a 500 (docs/reliability.md); when it is up but every pooled connection stayed busy (a
burst), 503 ``overloaded``: Atlas is at capacity, not broken.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError
from redis.exceptions import TimeoutError as RedisTimeoutError

from atlas_common.errors import Overloaded, error_response, unavailable_handler

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2
#: Connections per client (redis-py's default bound); a command past it waits for one.
POOL_SIZE = 100
POOL_WAIT_S = 10.0


def reconnecting_retry() -> Retry:
    """3 more tries on a connection or timeout error (only those: a command Redis refused is
    not retried), 50 ms then doubling, at most 200 ms apart."""
    return Retry(ExponentialBackoff(cap=0.2, base=0.05), retries=3)


def resilient_redis(url: str) -> Redis:
    """The Redis client of a service: stale pooled connections retried on a fresh one, and
    idle ones checked before use (every 10 s), so a Redis restart costs no failed command.
    With every pooled connection busy (a burst), a command waits for one (up to
    ``POOL_WAIT_S``) instead of failing at once: redis-py 8's pool raised MaxConnectionsError
    at its 100th, which refused 900 of 1,000 chats opened at once (issue 27)."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=POOL_SIZE, timeout=POOL_WAIT_S, health_check_interval=10,
        retry=reconnecting_retry())
    return Redis.from_pool(pool)


def install_redis_down_handler(app: FastAPI) -> None:
    """Redis down: 503 ``unavailable``; its pool exhausted (Redis fine, a burst): 503
    ``overloaded``. Both with Retry-After, never a 500."""
    unavailable = unavailable_handler("Redis", RETRY_AFTER_S)

    async def redis_failed(request: Request, exc: Exception) -> JSONResponse:
        if not pool_exhausted(exc):
            return await unavailable(request, exc)
        log.warning("Redis pool exhausted: %s", exc, extra={"path": request.url.path})
        return error_response(
            request, Overloaded("Too many requests at once; retry shortly",
                                retry_after=RETRY_AFTER_S))

    for kind in (RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(kind, redis_failed)


def pool_exhausted(exc: BaseException) -> bool:
    """Every pooled connection busy (a burst): at once (``MaxConnectionsError``), or once a
    blocking pool's wait ran out, which redis-py says as ``ConnectionError("No connection
    available.")``, as for Redis down: the cause tells."""
    return isinstance(exc, MaxConnectionsError) or (
        isinstance(exc, RedisConnectionError) and isinstance(exc.__cause__, TimeoutError))

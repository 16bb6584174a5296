"""Redis restarting: a client with reconnecting_retry() survives stale pooled connections, and
an app with the handler answers 503 unavailable (+ Retry-After) when Redis is down, not 500."""

from __future__ import annotations

import httpx
import pytest
import redis.exceptions
from fastapi import FastAPI
from redis.asyncio import BlockingConnectionPool, Redis

from atlas_common.errors import install_error_handlers
from atlas_common.redis_resilience import (
    install_redis_down_handler,
    pool_exhausted,
    reconnecting_retry,
)
from tests.support.isolation import BASE_REDIS_URL
from tests.support.stack import free_port


async def test_redis_down_is_unavailable() -> None:
    app = FastAPI()
    install_error_handlers(app)
    install_redis_down_handler(app)

    @app.get("/down")
    async def down() -> None:
        raise redis.exceptions.ConnectionError("Connection closed by server.")

    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
        r = await http.get("/down")
    assert r.status_code == 503 and r.json()["error"] == "unavailable"
    assert int(r.headers["retry-after"]) >= 1


async def test_a_killed_connection_is_replaced_not_reported() -> None:
    client = Redis.from_url(BASE_REDIS_URL, retry=reconnecting_retry())
    killer = Redis.from_url(BASE_REDIS_URL)
    try:
        await client.client_setname("atlas-retry-test")
        own_id = await client.client_id()
        await killer.client_kill_filter(_id=own_id)  # what a Redis restart does to the pool
        assert await client.ping()
    finally:
        await client.aclose()
        await killer.aclose()


async def test_a_pool_that_ran_out_of_connections_is_told_from_redis_down() -> None:
    pool = BlockingConnectionPool.from_url(BASE_REDIS_URL, max_connections=1, timeout=0.2)
    client = Redis.from_pool(pool)
    held = await pool.get_connection()  # the only connection, busy
    try:
        with pytest.raises(redis.exceptions.ConnectionError) as waited:
            await client.ping()
        assert pool_exhausted(waited.value)
        assert pool_exhausted(redis.exceptions.MaxConnectionsError("Too many connections"))
    finally:
        await pool.release(held)
        await client.aclose()
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    with pytest.raises(redis.exceptions.ConnectionError) as refused:
        await down.ping()
    assert not pool_exhausted(refused.value)
    await down.aclose()


async def test_an_app_tells_a_busy_pool_from_redis_down() -> None:
    """A burst past the pool is load shed (503 overloaded), not reported as Redis down."""
    pool = BlockingConnectionPool.from_url(BASE_REDIS_URL, max_connections=1, timeout=0.2)
    client = Redis.from_pool(pool)
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")  # nobody listens there
    app = FastAPI()
    install_error_handlers(app)
    install_redis_down_handler(app)

    @app.get("/busy")
    async def busy() -> None:
        await client.ping()

    @app.get("/down")
    async def redis_down() -> None:
        await down.ping()

    held = await pool.get_connection()  # the only connection, busy
    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://s") as http:
            busy_r, down_r = await http.get("/busy"), await http.get("/down")
    finally:
        await pool.release(held)
        await client.aclose()
        await down.aclose()
    assert busy_r.status_code == 503 and busy_r.json()["error"] == "overloaded"
    assert down_r.status_code == 503 and down_r.json()["error"] == "unavailable"
    assert all(int(r.headers["retry-after"]) >= 1 for r in (busy_r, down_r))

"""``GET /api/health``: every dependency checked concurrently, each with a short bound.

``error`` (503) when RabbitMQ, Redis or the internal database is down; ``degraded`` (200) when
no worker can take a job, a worker's heartbeat is stale (``checks.workers.stale`` names it and
its silence), or an optional check (query-api) fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from atlas_common.internal import internal_headers
from atlas_common.workers import WorkerCensus
from atlas_gateway.service.workers import WorkerStatus, read_census
from atlas_gateway.state import GatewayState

REQUIRED = ("rabbitmq", "redis", "internalDb")
CHECK_TIMEOUT_S = 2.0


async def _timed(check: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = await asyncio.wait_for(check, CHECK_TIMEOUT_S)
    except Exception as exc:
        result = {"status": "down", "message": type(exc).__name__}
    result.setdefault("status", "ok")
    result["latencyMs"] = round((time.perf_counter() - started) * 1000, 1)
    return result


async def _redis(state: GatewayState) -> dict[str, Any]:
    await state.redis.ping()
    return {}


async def _internal_db(state: GatewayState) -> dict[str, Any]:
    async with state.db.acquire() as conn:
        await conn.fetchval("SELECT 1")
    return {}


async def _rabbitmq(state: GatewayState) -> dict[str, Any]:
    consumers = await state.bus.consumer_count()
    return {"consumers": consumers}


async def _query_api(state: GatewayState) -> dict[str, Any]:
    response = await state.http.get(
        f"{state.settings.query_api_url}/internal/v1/health",
        headers=internal_headers(state.settings.internal_token),
        timeout=CHECK_TIMEOUT_S,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def _census(state: GatewayState) -> WorkerCensus | None:
    """The worker registry; None when Redis cannot say (its own check reports why)."""
    try:
        return await asyncio.wait_for(read_census(state), CHECK_TIMEOUT_S)
    except TimeoutError:
        return None


async def _auth(state: GatewayState) -> dict[str, Any]:
    return {"mode": await state.auth.mode()}


async def health_report(state: GatewayState) -> tuple[dict[str, Any], int]:
    rabbit, redis, db, query_api, auth, census = await asyncio.gather(
        _timed(_rabbitmq(state)),
        _timed(_redis(state)),
        _timed(_internal_db(state)),
        _timed(_query_api(state)),
        _timed(_auth(state)),
        _census(state),
    )
    workers = WorkerStatus(rabbit.pop("consumers", 0), census).report()
    checks: dict[str, Any] = {
        "auth": auth,
        "rabbitmq": rabbit,
        "redis": redis,
        "internalDb": db,
        "workers": workers,
        "datasource": query_api.get("datasource", {"status": query_api["status"]}),
        "semanticLayer": query_api.get("semanticLayer", {"status": query_api["status"]}),
    }
    if any(checks[name]["status"] != "ok" for name in REQUIRED):
        return {"status": "error", "checks": checks}, 503
    optional_down = any(c["status"] != "ok" for c in (workers, query_api, auth))
    return {"status": "degraded" if optional_down else "ok", "checks": checks}, 200

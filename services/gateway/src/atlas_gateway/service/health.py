"""``GET /api/health``: every dependency, as the background checks last saw it.

A call does no I/O (issue 27: a broker, a Redis and a database round trip per call saturated
the gateway at 238 calls/s): Redis, the internal database, query-api and auth are checked
together every ``ATLAS_GATEWAY_HEALTH_INTERVAL_S`` by one task, each with a short bound; the
broker and the workers come from the worker-presence reader (presence.py). Each check carries
``ageS``, the seconds since it was read.

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
from atlas_gateway.presence import UNREACHABLE, WorkerStatus
from atlas_gateway.state import GatewayState

REQUIRED = ("rabbitmq", "redis", "internalDb")
CHECK_TIMEOUT_S = 2.0
NOT_READ = {"status": "down", "message": "not checked yet"}


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


async def _query_api(state: GatewayState) -> dict[str, Any]:
    response = await state.http.get(
        f"{state.settings.query_api_url}/internal/v1/health",
        headers=internal_headers(state.settings.internal_token),
        timeout=CHECK_TIMEOUT_S,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


async def _auth(state: GatewayState) -> dict[str, Any]:
    return {"mode": await state.auth.mode()}


async def read_checks(state: GatewayState) -> dict[str, dict[str, Any]]:
    """The checks besides the broker's, concurrently (the background task's read)."""
    redis, db, query_api, auth = await asyncio.gather(
        _timed(_redis(state)),
        _timed(_internal_db(state)),
        _timed(_query_api(state)),
        _timed(_auth(state)),
    )
    return {"redis": redis, "internalDb": db, "queryApi": query_api, "auth": auth}


def _rabbitmq(state: GatewayState) -> dict[str, Any]:
    presence = state.presence
    reading, age = presence.workers.reading, presence.workers.age()
    body: dict[str, Any] = {"status": "ok"}
    if presence.broker_down():
        body = {"status": "down", "message": UNREACHABLE}
    elif reading is None or age is None or age > presence.stale_s:
        body = {"status": "down", "message": "the broker has not answered lately"}
    if reading is not None and age is not None:
        body |= {"latencyMs": reading.latency_ms, "ageS": round(age, 2)}
    return body


def _workers(state: GatewayState) -> dict[str, Any]:
    workers = state.presence.workers
    reading, age = workers.reading, workers.age()
    status = reading.value if reading is not None else WorkerStatus(0)
    body = status.report()
    if age is not None:
        body["ageS"] = round(age, 2)
    return body


def _others(state: GatewayState) -> dict[str, dict[str, Any]]:
    """The background reading of the other checks, each with its age."""
    reading = state.health.reading
    if reading is None:
        return {name: dict(NOT_READ) for name in ("redis", "internalDb", "queryApi", "auth")}
    age = round(time.monotonic() - reading.at, 2)
    return {name: check | {"ageS": age} for name, check in reading.value.items()}


def health_report(state: GatewayState) -> tuple[dict[str, Any], int]:
    """The body and status of /api/health, from memory."""
    others = _others(state)
    query_api, auth, workers = others["queryApi"], others["auth"], _workers(state)
    checks: dict[str, Any] = {
        "auth": auth,
        "rabbitmq": _rabbitmq(state),
        "redis": others["redis"],
        "internalDb": others["internalDb"],
        "workers": workers,
        "datasource": query_api.get("datasource", {"status": query_api["status"]}),
        "semanticLayer": query_api.get("semanticLayer", {"status": query_api["status"]}),
    }
    if any(checks[name]["status"] != "ok" for name in REQUIRED):
        return {"status": "error", "checks": checks}, 503
    optional_down = any(c["status"] != "ok" for c in (workers, query_api, auth))
    return {"status": "degraded" if optional_down else "ok", "checks": checks}, 200

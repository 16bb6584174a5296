"""Managed mode under attack: brute force, user enumeration, the first-admin race, and a
deactivated user's sessions."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest_asyncio

from atlas_auth.main import create_app
from tests.auth.conftest import EventLog, FreshDatabases, managed_env
from tests.auth.managed_helpers import (
    PASSWORD,
    add_user,
    bearer,
    sign_in,
    sign_up,
    unique_email,
    verify,
)
from tests.auth.support import client, make_settings, new_ip, serve
from tests.support.isolation import Isolation


@pytest_asyncio.fixture(scope="module")
async def c(managed_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(managed_url) as http:
        yield http


async def test_brute_force_on_one_account_is_throttled(c: httpx.AsyncClient,
                                                       admin_token: str) -> None:
    user = await add_user(c, admin_token)
    for _ in range(5):  # each from a new address: only the account counter can stop them
        assert (await sign_in(c, user.email, "wrong password")).status_code == 401
    response = await sign_in(c, user.email, PASSWORD)  # even the right password now
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "rate_limited" and body["retryAfterSeconds"] > 0
    assert int(response.headers["retry-after"]) == body["retryAfterSeconds"]


async def test_one_address_spraying_many_accounts_is_throttled(c: httpx.AsyncClient) -> None:
    ip = new_ip()
    statuses = [(await sign_in(c, unique_email(), "guess-guess", ip=ip)).status_code
                for _ in range(10)]
    assert statuses[:8] == [401] * 8 and statuses[8:] == [429, 429]


async def test_success_clears_the_account_counter(c: httpx.AsyncClient, admin_token: str) -> None:
    user = await add_user(c, admin_token)  # its sign-in cleared the counter
    for _ in range(4):
        await sign_in(c, user.email, "wrong password")
    assert (await sign_in(c, user.email)).status_code == 200
    for _ in range(4):
        assert (await sign_in(c, user.email, "wrong password")).status_code == 401


def _comparable(response: httpx.Response) -> tuple[int, dict[str, str]]:
    body = response.json()
    body.pop("requestId")
    return response.status_code, body


async def test_no_user_enumeration_through_messages(c: httpx.AsyncClient,
                                                    admin_token: str) -> None:
    known = await add_user(c, admin_token)
    gone = await add_user(c, admin_token)
    await c.post(f"/api/admin/users/{gone.id}/deactivate", headers=bearer(admin_token))
    unknown = await sign_in(c, unique_email(), PASSWORD)
    wrong = await sign_in(c, known.email, "wrong password")
    deactivated = await sign_in(c, gone.email, PASSWORD)
    assert _comparable(unknown) == _comparable(wrong) == _comparable(deactivated)
    assert unknown.json()["message"] == "Invalid email or password"


async def _timed_sign_in(c: httpx.AsyncClient, email: str) -> float:
    start = time.perf_counter()
    response = await sign_in(c, email, "wrong password")
    assert response.status_code == 401
    return time.perf_counter() - start


async def test_no_user_enumeration_through_timing(c: httpx.AsyncClient, admin_token: str) -> None:
    known = [await add_user(c, admin_token) for _ in range(4)]
    unknown_times, known_times = [], []
    for i in range(16):  # interleaved; 4 failures per account stay under the limit
        unknown_times.append(await _timed_sign_in(c, unique_email()))
        known_times.append(await _timed_sign_in(c, known[i % 4].email))
    ratio = statistics.median(unknown_times) / statistics.median(known_times)
    assert 0.6 < ratio < 1.6, (unknown_times, known_times)


async def _waiting_backends(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())")
    return count


async def test_first_admin_race_makes_one_admin(auth_isolation: Isolation,
                                                fresh_databases: FreshDatabases) -> None:
    """Six sign-ups on an empty install, held at the users table until all are in flight."""
    database_url = await fresh_databases("race")
    # the service's own pool size (10): a connection for each racer, all six held at once
    env = managed_env(auth_isolation, DATABASE_URL=database_url, ATLAS_SIGNUP="open",
                      ATLAS_DATABASE_POOL_MAX=10)
    async with serve(create_app(make_settings(**env))) as url, client(url) as c:
        gate = await asyncpg.connect(database_url)
        try:
            gate_tx = gate.transaction()
            await gate_tx.start()
            await gate.execute("LOCK TABLE auth.users IN EXCLUSIVE MODE")  # reads pass, writes wait
            racers = [asyncio.create_task(sign_up(c, unique_email("racer"))) for _ in range(6)]
            while await _waiting_backends(gate) < 6:
                await asyncio.sleep(0.02)
            await gate_tx.commit()
            responses = await asyncio.gather(*racers)
        finally:
            await gate.close()
    assert [r.status_code for r in responses] == [200] * 6
    roles = sorted(r.json()["user"]["role"] for r in responses)
    assert roles == ["admin"] + ["analyst"] * 5


async def test_deactivated_user_sessions_stop_at_once(c: httpx.AsyncClient, admin_token: str,
                                                      events: EventLog) -> None:
    user = await add_user(c, admin_token)
    second = (await sign_in(c, user.email)).json()["token"]
    assert (await verify(c, sessionCookie=user.token)).status_code == 200
    response = await c.post(f"/api/admin/users/{user.id}/deactivate",
                            headers=bearer(admin_token))
    assert response.status_code == 200
    for token in (user.token, second):
        assert (await verify(c, sessionCookie=token)).status_code == 401
        assert (await verify(c, authorization=f"Bearer {token}")).status_code == 401
    assert (await sign_in(c, user.email)).status_code == 401
    await events.wait_for("user.deactivated", user_id=user.id)

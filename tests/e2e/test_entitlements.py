"""Plans on a real stack: managed auth, the entitlements service with a plans file, one
worker, three gateways. The free plan allows 3 questions a month, shared by the workspace's
members; a plan change reaches every replica through subscription.changed (not the 120 s
TTL); an Atlas-side failure refunds the question; entitlements down -> last-known-good, then
the per-feature fallback; CORS wraps it all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from atlas_common.internal import internal_headers
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.support.polling import eventually
from tests.support.stack import Proc, Stack, free_port, wait_for, wait_for_workers, wait_http
from tests.support.stacks import isolated_stack

ORIGIN = "https://widget.example"
SECRET = "e" * 40
PLANS = """
features:
  query:      {type: boolean}
  queries:    {type: metered, unit: question, reset: month}
  llm-tokens: {type: metered, unit: token, reset: month}
plans:
  free:
    default: true
    features: {query: true, queries: {limit: 3}, llm-tokens: {limit: 1000}}
  readonly:
    features: {query: false, queries: {unlimited: true}}
  unlimited:
    features: {query: true, queries: {unlimited: true}}
"""
SHORT = "hi"  # three tokens of the echo answerer: well inside every deadline
SLOW = "please " * 30  # thirty tokens: longer than gateway c's 0.6 s deadline
#: How soon a plan change must be seen everywhere (the TTL is 120 s: only the event can).
PLAN_CHANGE_BOUND_S = 5.0


@dataclass
class Ent:
    stack: Stack
    a: str
    b: str
    c: str
    entitlements: str
    database_url: str
    admin: dict[str, str]
    member: dict[str, str]


def _start_parallel(stack: Stack) -> dict[str, str]:
    """Everything at once (start-up is most of this module's time), then wait for each."""
    urls = {"ATLAS_AUTH_URL": free_port(), "ATLAS_ENTITLEMENTS_URL": free_port()}
    for name, port in urls.items():
        stack.env[name] = f"http://127.0.0.1:{port}"
    auth = stack.start("atlas-auth", "auth", {
        "ATLAS_AUTH_PORT": str(urls["ATLAS_AUTH_URL"]), "ATLAS_AUTH_MODE": "managed",
        "BETTER_AUTH_SECRET": SECRET, "ATLAS_AUTH_ARGON2_TIME_COST": "1",
        "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"})
    ent = stack.start("atlas-entitlements", "entitlements",
                      {"ATLAS_ENTITLEMENTS_PORT": str(urls["ATLAS_ENTITLEMENTS_URL"])})
    stack.start("atlas-query-worker", "worker-1")
    gateways: dict[str, tuple[str, Proc]] = {}
    for name, extra in {
        "a": {}, "b": {},
        # c: a short TTL and stale bound, queries allowed when entitlements is down, and a
        # deadline shorter than a SLOW answer (an Atlas-side timeout)
        "c": {"ATLAS_ENTITLEMENTS_CACHE_TTL_S": "0.5", "ATLAS_ENTITLEMENTS_STALE_S": "3",
              "ATLAS_ENTITLEMENTS_FALLBACK": "queries=allow", "ATLAS_QUERY_DEADLINE_S": "0.6"},
    }.items():
        port = free_port()
        proc = stack.start("atlas-gateway", f"gateway-{name}",
                           {"ATLAS_GATEWAY_PORT": str(port), **extra})
        gateways[name] = (f"http://127.0.0.1:{port}", proc)
    wait_http(stack.env["ATLAS_AUTH_URL"] + "/healthz", auth)
    wait_http(stack.env["ATLAS_ENTITLEMENTS_URL"] + "/healthz", ent)
    for url, proc in gateways.values():
        wait_http(url + "/healthz", proc)
    a = gateways["a"][0]
    wait_for_workers(a)
    return {name: url for name, (url, _) in gateways.items()}



def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _users(a: str) -> tuple[dict[str, str], dict[str, str]]:
    admin = {"email": "owner@example.com", "password": "correct horse battery", "name": "O"}
    r = httpx.post(a + "/api/auth/sign-up/email", json=admin, timeout=10)
    assert r.status_code == 200, r.text
    owner = _bearer(r.json()["token"])
    member = {"email": "member@example.com", "name": "M", "password": "another long password",
              "role": "analyst"}
    r = httpx.post(a + "/api/admin/users", json=member, headers=owner, timeout=10)
    assert r.status_code == 201, r.text
    r = httpx.post(a + "/api/auth/sign-in/email", timeout=10,
                   json={"email": member["email"], "password": member["password"]})
    assert r.status_code == 200, r.text
    return owner, _bearer(r.json()["token"])


@pytest.fixture(scope="module")
def ent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ent]:
    directory = tmp_path_factory.mktemp("entitlements")
    plans = directory / "plans.yaml"
    plans.write_text(PLANS)
    # its own stack: a plans file (limits every other test would hit) and an echo answerer.
    env = {
        "ATLAS_PLANS_FILE": str(plans),
        "ATLAS_CORS_ORIGIN": ORIGIN,
        "ATLAS_ENTITLEMENTS_CACHE_TTL_S": "120",
        "ATLAS_WORKER_ANSWERER": "echo",
        "ATLAS_WORKER_TOKEN_DELAY_MS": "40",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_AUTH_CACHE_TTL_S": "60",
    }
    with isolated_stack(directory, env) as (stack, iso):
        urls = _start_parallel(stack)
        admin, member = _users(urls["a"])
        yield Ent(stack, urls["a"], urls["b"], urls["c"], stack.env["ATLAS_ENTITLEMENTS_URL"],
                  iso.database_url, admin, member)


def ask(url: str, who: dict[str, str], question: str = SHORT, **headers: str) -> httpx.Response:
    return httpx.post(url + "/api/v1/query", json={"question": question},
                      headers={**who, **headers}, timeout=30)


def operator(ent: Ent, method: str, path: str, **kw: Any) -> httpx.Response:
    r = httpx.request(method, ent.entitlements + "/internal/v1" + path, timeout=10,
                      headers=internal_headers(DEV_INTERNAL_TOKEN), **kw)
    assert r.status_code < 300, r.text
    return r


def used(ent: Ent) -> int:
    snapshot = operator(ent, "GET", "/customers/default/entitlements").json()
    return int(snapshot["features"]["queries"]["used"])


def test_cors_preflight_401_and_413_carry_cors_headers(ent: Ent) -> None:
    pre = httpx.options(ent.a + "/api/v1/query", timeout=10, headers={
        "origin": ORIGIN, "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == ORIGIN
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    foreign = httpx.options(ent.a + "/api/v1/query", timeout=10, headers={
        "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in foreign.headers
    refused = ask(ent.a, {}, origin=ORIGIN)  # no credential: authentication fails first
    assert refused.status_code == 401 and refused.json()["error"] == "auth_error"
    assert refused.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in refused.headers["access-control-expose-headers"].lower()
    big = httpx.post(ent.a + "/api/v1/query", content=b"x" * 2_000_000, timeout=10,
                     headers={"origin": ORIGIN, "content-type": "application/json"})
    assert big.status_code == 413 and big.headers["access-control-allow-origin"] == ORIGIN


def test_members_share_the_limit_and_the_fourth_question_is_429(ent: Ent) -> None:
    for url, who in ((ent.a, ent.admin), (ent.b, ent.member), (ent.a, ent.member)):
        r = ask(url, who)
        assert r.status_code == 200, r.text
    assert used(ent) == 3  # one workspace, one count
    r = ask(ent.b, ent.admin, origin=ORIGIN)
    assert r.status_code == 429, r.text
    body = r.json()
    assert (body["error"], body["feature"], body["limit"], body["used"]) == (
        "plan_limit_exceeded", "queries", 3, 3)
    assert body["retryAfterSeconds"] >= 1
    assert r.headers["retry-after"] == str(body["retryAfterSeconds"])
    assert r.headers["access-control-allow-origin"] == ORIGIN  # CORS wraps the gate
    assert used(ent) == 3  # a denied spend costs nothing


def test_an_atlas_side_failure_refunds_the_question(ent: Ent) -> None:
    operator(ent, "PUT", "/customers/default/subscription", json={"plan": "unlimited"})
    before = used(ent)
    r = ask(ent.c, ent.admin, SLOW)  # longer than c's deadline: the worker times out
    assert r.status_code == 504 and r.json()["error"] == "timeout", r.text
    request_id = r.headers["x-request-id"]
    refunded = asyncio.run(_refunded_at(ent.database_url, request_id))
    assert refunded is not None  # spent at accept, then given back
    assert used(ent) == before


async def _refunded_at(database_url: str, key: str) -> Any:
    conn = await asyncpg.connect(database_url)

    async def refunded() -> Any:
        return await conn.fetchval("SELECT refunded_at FROM entitlements.usage_ledger "
                                   "WHERE idempotency_key = $1", key)

    try:
        return await eventually(refunded, timeout=10, what="the refund")
    except TimeoutError:
        return None
    finally:
        await conn.close()


def test_a_plan_change_reaches_both_replicas_within_the_bound(ent: Ent) -> None:
    operator(ent, "PUT", "/customers/default/subscription", json={"plan": "unlimited"})
    for url, who in ((ent.a, ent.admin), (ent.b, ent.member)):  # both now hold "query: true"
        r = ask(url, who)
        assert r.status_code == 200, r.text
    changed = time.monotonic()
    operator(ent, "PUT", "/customers/default/subscription", json={"plan": "readonly"})

    def refuses(url: str) -> bool:
        r = ask(url, ent.admin)
        return r.status_code == 403 and r.json()["feature"] == "query" and (
            r.json()["reason"] == "not_in_plan")

    for url in (ent.a, ent.b):
        wait_for(lambda u=url: refuses(u), timeout=PLAN_CHANGE_BOUND_S, interval=0.02,
                 what="the plan change on " + url)
    elapsed = time.monotonic() - changed
    assert elapsed < PLAN_CHANGE_BOUND_S
    operator(ent, "PUT", "/customers/default/subscription", json={"plan": "unlimited"})
    wait_for(lambda: ask(ent.a, ent.admin).status_code == 200, timeout=PLAN_CHANGE_BOUND_S,
             what="the plan back on a")


def test_entitlements_down_last_known_good_then_fallback(ent: Ent) -> None:
    operator(ent, "PUT", "/customers/default/subscription", json={"plan": "unlimited"})
    wait_for(lambda: ask(ent.c, ent.admin).status_code == 200, timeout=10, what="c warm")
    service = next(p for p in ent.stack.procs if p.name == "entitlements")
    ent.stack.stop(service)
    # a: `query` from its fresh cache, but a hard consumable is never decided from a cache;
    # its fallback (default) denies: 503 unavailable, marked fallback
    down = ask(ent.a, ent.admin)
    assert down.status_code == 503, down.text
    assert (down.json()["error"], down.json()["reason"]) == ("unavailable", "fallback")
    assert down.headers["retry-after"]
    # c: `query` from its last-known-good snapshot, `queries` allowed by its fallback
    assert ask(ent.c, ent.admin).status_code == 200
    # ...until the stale bound (3 s past the 0.5 s TTL): then `query`'s fallback denies
    wait_for(lambda: ask(ent.c, ent.admin).status_code == 503, timeout=15, interval=0.2,
             what="the last-known-good bound on c")
    assert ask(ent.c, ent.admin).json()["reason"] == "fallback"

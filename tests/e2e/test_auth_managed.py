"""managed mode through two gateway replicas: sessions, cookies, revocation everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.isolation import BASE_RABBITMQ_URL
from tests.support.stack import wait_for
from tests.support.stacks import isolated_stack
from tests.support.tcp_proxy import TcpProxy, url_via

SECRET = "s" * 40
ADMIN = {
    "email": "admin@example.com",
    "password": "correct horse battery staple",
    "name": "Ada Admin",
}
#: Row-level security on one demo table: validate-sql shows the claim a principal carries.
RLS = [{"tables": ["categories"], "column": "name", "claim": "division"}]


@dataclass
class Managed:
    a: str
    b: str
    b_broker: TcpProxy
    admin_token: str



@pytest.fixture(scope="module")
def managed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Managed]:
    directory = tmp_path_factory.mktemp("managed")
    # its own stack: first user admin needs an empty install; b reaches the broker via a cut proxy.
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_AUTH_CACHE_TTL_S": "60",
        "ATLAS_RLS_POLICIES": json.dumps(RLS),
    }
    proxy = TcpProxy("127.0.0.1", urlsplit(BASE_RABBITMQ_URL).port or 5672).start()
    try:
        with isolated_stack(directory, env) as (stack, iso):
            with stack.together():
                stack.start_auth(
                    {
                        "ATLAS_AUTH_MODE": "managed",
                        "BETTER_AUTH_SECRET": SECRET,
                        "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                        "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192",
                    }
                )
                stack.start_query_api()
                a = stack.start_gateway("gateway-a")
                b = stack.start_gateway(
                    "gateway-b", {"ATLAS_RABBITMQ_URL": url_via(iso.rabbitmq_url, proxy.port)}
                )
            r = httpx.post(a + "/api/auth/sign-up/email", json=ADMIN, timeout=10)
            assert r.status_code == 200, r.text
            yield Managed(a, b, proxy, r.json()["token"])
    finally:
        proxy.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def tables(url: str, token: str) -> int:
    return httpx.get(url + "/api/v1/tables", headers=bearer(token), timeout=10).status_code


def sign_in(url: str, email: str, password: str) -> httpx.Response:
    r = httpx.post(
        url + "/api/auth/sign-in/email", json={"email": email, "password": password}, timeout=10
    )
    assert r.status_code == 200, r.text
    return r


def add_user(m: Managed, email: str, role: str) -> str:
    r = httpx.post(
        m.a + "/api/admin/users",
        headers=bearer(m.admin_token),
        timeout=10,
        json={
            "email": email,
            "name": email.split("@")[0],
            "password": "a long enough password",
            "role": role,
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["user"]["id"])


def test_first_user_is_admin_and_reaches_user_management(managed: Managed) -> None:
    r = httpx.get(managed.b + "/api/admin/users", headers=bearer(managed.admin_token), timeout=10)
    assert r.status_code == 200 and r.json()["total"] >= 1
    assert httpx.get(managed.a + "/api/admin/users", timeout=10).status_code == 401


def test_sign_out_on_one_replica_is_401_on_both(managed: Managed) -> None:
    token = sign_in(managed.a, ADMIN["email"], ADMIN["password"]).json()["token"]
    assert tables(managed.a, token) == 200 and tables(managed.b, token) == 200  # both cache it
    out = httpx.post(managed.a + "/api/auth/sign-out", headers=bearer(token), timeout=10)
    assert out.status_code == 200
    assert tables(managed.a, token) == 401  # the serving replica: at once
    wait_for(
        lambda: tables(managed.b, token) == 401,
        timeout=5,
        interval=0.05,
        what="the other replica to refuse the signed-out session",
    )


def test_deactivated_user_stops_at_once_everywhere(managed: Managed) -> None:
    user_id = add_user(managed, "ana@example.com", "analyst")
    token = sign_in(managed.a, "ana@example.com", "a long enough password").json()["token"]
    assert tables(managed.a, token) == 200 and tables(managed.b, token) == 200
    r = httpx.post(
        f"{managed.a}/api/admin/users/{user_id}/deactivate",
        headers=bearer(managed.admin_token),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert tables(managed.a, token) == 401
    wait_for(
        lambda: tables(managed.b, token) == 401,
        timeout=5,
        interval=0.05,
        what="the other replica to refuse the deactivated user",
    )


def test_role_change_applies_on_every_replica(managed: Managed) -> None:
    user_id = add_user(managed, "rob@example.com", "analyst")
    token = sign_in(managed.a, "rob@example.com", "a long enough password").json()["token"]

    def validate(url: str) -> int:
        return httpx.post(
            url + "/api/v1/validate-sql",
            json={"sql": "SELECT 1"},
            headers=bearer(token),
            timeout=10,
        ).status_code

    assert validate(managed.b) == 200
    r = httpx.patch(
        f"{managed.a}/api/admin/users/{user_id}/role",
        json={"role": "viewer"},
        headers=bearer(managed.admin_token),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    wait_for(
        lambda: validate(managed.b) == 403,
        timeout=5,
        interval=0.05,
        what="the role change to reach the other replica",
    )


def test_claims_change_applies_on_every_replica(managed: Managed) -> None:
    user_id = add_user(managed, "cleo@example.com", "analyst")
    token = sign_in(managed.a, "cleo@example.com", "a long enough password").json()["token"]

    def filtered_by(url: str) -> str:
        r = httpx.post(
            url + "/api/v1/validate-sql",
            json={"sql": "SELECT name FROM categories"},
            headers=bearer(token),
            timeout=10,
        )
        assert r.status_code == 200, r.text
        return str(r.json().get("rewrittenSql") or "")

    assert "Beverages" not in filtered_by(managed.b)  # cached on b without the claim
    r = httpx.put(
        f"{managed.a}/api/admin/users/{user_id}/claims",
        json={"claims": {"division": "Beverages"}},
        headers=bearer(managed.admin_token),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    wait_for(
        lambda: "'Beverages'" in filtered_by(managed.b),
        timeout=5,
        interval=0.05,
        what="the claims change (user.claims_changed) to reach the other replica",
    )


def test_session_cookie_flags_and_origin_check(managed: Managed) -> None:
    r = sign_in(managed.a, ADMIN["email"], ADMIN["password"])
    cookie = r.headers["set-cookie"]
    assert "atlas.session_token=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()
    jar = {"atlas.session_token": r.cookies["atlas.session_token"]}
    ok = httpx.get(managed.a + "/api/v1/tables", cookies=jar, timeout=10)
    assert ok.status_code == 200
    body = {"sql": "SELECT 1"}
    foreign = httpx.post(
        managed.a + "/api/v1/validate-sql",
        json=body,
        cookies=jar,
        timeout=10,
        headers={"origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and foreign.json()["error"] == "forbidden"
    same = httpx.post(
        managed.a + "/api/v1/validate-sql",
        json=body,
        cookies=jar,
        timeout=10,
        headers={"origin": managed.a},
    )
    assert same.status_code == 200, same.text


def test_broker_reconnect_flushes_the_cache(managed: Managed) -> None:
    token = sign_in(managed.a, ADMIN["email"], ADMIN["password"]).json()["token"]
    assert tables(managed.b, token) == 200  # cached on b
    managed.b_broker.cut()
    try:
        out = httpx.post(managed.a + "/api/auth/sign-out", headers=bearer(token), timeout=10)
        assert out.status_code == 200  # b's queue is gone: it misses session.revoked
    finally:
        managed.b_broker.restore()
    wait_for(
        lambda: tables(managed.b, token) == 401,
        timeout=20,
        interval=0.2,
        what="b to flush its cache once reconnected (well inside the 60 s TTL)",
    )

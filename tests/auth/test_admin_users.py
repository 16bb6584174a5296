"""User management under /api/admin/users, and workspaces with ATLAS_MULTI_WORKSPACE."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
from tests.auth.support import client, make_settings, serve
from tests.support.isolation import Isolation


@pytest_asyncio.fixture(scope="module")
async def c(managed_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(managed_url) as http:
        yield http


async def admin_id(c: httpx.AsyncClient, admin_token: str) -> str:
    response = await verify(c, authorization=f"Bearer {admin_token}")
    return str(response.json()["principal"]["user_id"])


async def test_admin_routes_need_an_admin(c: httpx.AsyncClient, admin_token: str) -> None:
    analyst = await add_user(c, admin_token, role="analyst")
    denied = await c.get("/api/admin/users", headers=bearer(analyst.token))
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden_role"
    anonymous = await c.get("/api/admin/users")
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "auth_error"
    forged = await c.get("/api/admin/users", headers={
        "x-atlas-principal": "eyJ1c2VyX2lkIjoieCIsInJvbGUiOiJhZG1pbiJ9"})
    assert forged.status_code == 401  # the principal header alone is never trusted here


async def test_add_list_and_get(c: httpx.AsyncClient, admin_token: str) -> None:
    user = await add_user(c, admin_token, role="viewer", claims={"tenant_id": "t1"})
    listing = await c.get("/api/admin/users", params={"limit": 200},
                          headers=bearer(admin_token))
    body = listing.json()
    assert listing.status_code == 200 and body["total"] >= 2
    assert user.id in {u["id"] for u in body["users"]}
    one = await c.get(f"/api/admin/users/{user.id}", headers=bearer(admin_token))
    assert one.json()["user"]["claims"] == {"tenant_id": "t1"}
    duplicate = await c.post("/api/admin/users", headers=bearer(admin_token), json={
        "email": user.email.upper(), "name": "Dup", "password": PASSWORD})
    assert duplicate.status_code == 400
    assert (await c.get("/api/admin/users/nope", headers=bearer(admin_token))).status_code == 404


async def test_change_role_publishes_and_applies(c: httpx.AsyncClient, admin_token: str,
                                                 events: EventLog) -> None:
    user = await add_user(c, admin_token, role="viewer")
    response = await c.patch(f"/api/admin/users/{user.id}/role", json={"role": "analyst"},
                             headers=bearer(admin_token))
    assert response.status_code == 200 and response.json()["user"]["role"] == "analyst"
    assert (await verify(c, sessionCookie=user.token)).json()["principal"]["role"] == "analyst"
    await events.wait_for("user.role_changed", user_id=user.id, role="analyst")
    bad = await c.patch(f"/api/admin/users/{user.id}/role", json={"role": "owner"},
                        headers=bearer(admin_token))
    assert bad.status_code == 422


async def test_admins_cannot_demote_or_deactivate_themselves(c: httpx.AsyncClient,
                                                             admin_token: str) -> None:
    me = await admin_id(c, admin_token)
    demote = await c.patch(f"/api/admin/users/{me}/role", json={"role": "viewer"},
                           headers=bearer(admin_token))
    leave = await c.post(f"/api/admin/users/{me}/deactivate", headers=bearer(admin_token))
    assert demote.status_code == 400 and leave.status_code == 400


async def test_set_rls_claims(c: httpx.AsyncClient, admin_token: str, events: EventLog) -> None:
    user = await add_user(c, admin_token)
    response = await c.put(f"/api/admin/users/{user.id}/claims",
                           json={"claims": {"tenant_id": "acme"}}, headers=bearer(admin_token))
    assert response.status_code == 200
    principal = (await verify(c, sessionCookie=user.token)).json()["principal"]
    assert principal["claims"] == {"tenant_id": "acme"}
    await events.wait_for("user.claims_changed", user_id=user.id, claims={"tenant_id": "acme"})


async def test_reset_password_ends_every_session(c: httpx.AsyncClient, admin_token: str,
                                                 events: EventLog) -> None:
    user = await add_user(c, admin_token)
    session_id = (await verify(c, sessionCookie=user.token)).json()["principal"]["credential_id"]
    response = await c.post(f"/api/admin/users/{user.id}/password",
                            json={"password": "brand new password"}, headers=bearer(admin_token))
    assert response.status_code == 200
    assert (await verify(c, sessionCookie=user.token)).status_code == 401
    assert (await sign_in(c, user.email, "brand new password")).status_code == 200
    await events.wait_for("session.revoked", session_id=session_id)


@pytest_asyncio.fixture(scope="module")
async def multi_url(auth_isolation: Isolation,
                    fresh_databases: FreshDatabases) -> AsyncIterator[str]:
    env = managed_env(auth_isolation, DATABASE_URL=await fresh_databases("multi"),
                      ATLAS_MULTI_WORKSPACE="true", ATLAS_SIGNUP="open")
    async with serve(create_app(make_settings(**env))) as url:
        yield url


async def test_multi_workspace_sign_ups_create_workspaces(multi_url: str) -> None:
    async with client(multi_url) as c:
        a = (await sign_up(c, unique_email("a"))).json()
        b = (await sign_up(c, unique_email("b"))).json()
        assert a["user"]["role"] == b["user"]["role"] == "admin"
        assert a["user"]["workspaceId"] != b["user"]["workspaceId"] != "default"
        member = await add_user(c, a["token"], role="analyst")
        principal = (await verify(c, sessionCookie=member.token)).json()["principal"]
        assert principal["workspace_id"] == a["user"]["workspaceId"]
        listing = (await c.get("/api/admin/users", headers=bearer(b["token"]))).json()
        assert [u["id"] for u in listing["users"]] == [b["user"]["id"]]
        other = await c.patch(f"/api/admin/users/{member.id}/role", json={"role": "admin"},
                              headers=bearer(b["token"]))
        assert other.status_code == 404

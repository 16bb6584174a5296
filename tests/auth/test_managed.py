"""Managed mode: sign-up, sign-in, sessions, cookies, CSRF, sign-out, change-password."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest_asyncio

from tests.auth.conftest import EventLog
from tests.auth.managed_helpers import (
    PASSWORD,
    add_user,
    bearer,
    sign_in,
    sign_up,
    unique_email,
    verify,
)
from tests.auth.support import client
from tests.support.isolation import Isolation


@pytest_asyncio.fixture(scope="module")
async def c(managed_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(managed_url) as http:
        yield http


@pytest_asyncio.fixture(scope="module")
async def db(auth_isolation: Isolation) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(auth_isolation.database_url)
    yield conn
    await conn.close()


async def test_mode_is_managed(c: httpx.AsyncClient) -> None:
    assert (await c.get("/internal/v1/mode")).json() == {"mode": "managed"}


async def test_sign_up_is_by_invitation_by_default(c: httpx.AsyncClient, admin_token: str) -> None:
    response = await sign_up(c, unique_email())
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


async def test_sign_in_returns_token_user_and_an_http_only_lax_cookie(
        c: httpx.AsyncClient, admin_token: str) -> None:
    user = await add_user(c, admin_token)
    response = await sign_in(c, user.email)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "user"}
    assert body["user"]["email"] == user.email and body["user"]["workspaceId"] == "default"
    assert "passwordHash" not in body["user"] and "password_hash" not in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"atlas.session_token={body['token']};")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # plain http on 127.0.0.1 must work
    https = await sign_in(c, user.email, **{"x-forwarded-proto": "https"})
    assert "secure" in https.headers["set-cookie"].lower()


async def test_session_token_as_bearer_or_cookie(c: httpx.AsyncClient, admin_token: str) -> None:
    user = await add_user(c, admin_token, role="viewer")
    for body in ({"authorization": f"Bearer {user.token}"}, {"sessionCookie": user.token}):
        response = await verify(c, **body)
        assert response.status_code == 200, response.text
        principal = response.json()["principal"]
        assert principal["user_id"] == user.id and principal["role"] == "viewer"
        assert principal["auth_mode"] == "managed" and principal["workspace_id"] == "default"
        expires = datetime.fromisoformat(principal["expires_at"])
        assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)
        assert principal["credential_id"] and principal["credential_id"] != user.token
    assert (await verify(c, apiKey=user.token)).status_code == 401
    assert (await verify(c, authorization="Bearer not-a-session")).status_code == 401


async def test_cookie_with_unsafe_method_needs_a_matching_origin(c: httpx.AsyncClient,
                                                                 admin_token: str) -> None:
    user = await add_user(c, admin_token)
    cookie = {"sessionCookie": user.token, "method": "POST", "host": "atlas.example.test"}
    for origin in ("https://evil.example.test", None, "null", "https://atlas.example.test.evil"):
        response = await verify(c, **cookie, origin=origin)
        assert response.status_code == 403, origin
        assert response.json()["error"] == "forbidden"
    for origin in ("https://atlas.example.test", "https://app.example.test"):  # host, trusted
        assert (await verify(c, **cookie, origin=origin)).status_code == 200
    assert (await verify(c, sessionCookie=user.token, method="GET")).status_code == 200
    assert (await verify(c, authorization=f"Bearer {user.token}", method="DELETE",
                         origin="https://evil.example.test")).status_code == 200


async def test_sign_in_from_a_foreign_origin_is_refused(c: httpx.AsyncClient,
                                                        admin_token: str) -> None:
    user = await add_user(c, admin_token)
    response = await sign_in(c, user.email, origin="https://evil.example.test")
    assert response.status_code == 403


async def test_get_session(c: httpx.AsyncClient, admin_token: str) -> None:
    user = await add_user(c, admin_token)
    response = await c.get("/api/auth/get-session",
                           headers={"cookie": f"atlas.session_token={user.token}"})
    body = response.json()
    assert response.status_code == 200 and set(body) == {"session", "user"}
    assert body["session"]["userId"] == user.id and "token" not in body["session"]
    assert body["user"]["email"] == user.email
    assert (await c.get("/api/auth/get-session")).json() is None


async def test_sign_out_revokes_the_session_at_once(c: httpx.AsyncClient, admin_token: str,
                                                    events: EventLog) -> None:
    user = await add_user(c, admin_token)
    session_id = (await verify(c, sessionCookie=user.token)).json()["principal"]["credential_id"]
    response = await c.post("/api/auth/sign-out", headers=bearer(user.token))
    assert response.status_code == 200 and response.json() == {"success": True}
    assert 'atlas.session_token=""' in response.headers["set-cookie"]
    assert (await verify(c, sessionCookie=user.token)).status_code == 401
    await events.wait_for("session.revoked", session_id=session_id, user_id=user.id)


async def test_expired_session_is_session_expired(c: httpx.AsyncClient, admin_token: str,
                                                  db: asyncpg.Connection) -> None:
    user = await add_user(c, admin_token)
    await db.execute("UPDATE auth.sessions SET expires_at = now() - interval '1 second' "
                     "WHERE user_id = $1", user.id)
    response = await verify(c, authorization=f"Bearer {user.token}")
    assert response.status_code == 401 and response.json()["error"] == "session_expired"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_session_is_renewed_at_most_once_a_day(c: httpx.AsyncClient, admin_token: str,
                                                     db: asyncpg.Connection) -> None:
    user = await add_user(c, admin_token)
    await db.execute("UPDATE auth.sessions SET renewed_at = now() - interval '2 days', "
                     "expires_at = now() + interval '1 hour' WHERE user_id = $1", user.id)
    first = (await verify(c, sessionCookie=user.token)).json()["principal"]["expires_at"]
    assert datetime.fromisoformat(first) - datetime.now(UTC) > timedelta(days=6)
    await db.execute("UPDATE auth.sessions SET expires_at = now() + interval '2 hours' "
                     "WHERE user_id = $1", user.id)
    second = (await verify(c, sessionCookie=user.token)).json()["principal"]["expires_at"]
    assert datetime.fromisoformat(second) - datetime.now(UTC) < timedelta(hours=3)


async def test_change_password(c: httpx.AsyncClient, admin_token: str, events: EventLog) -> None:
    user = await add_user(c, admin_token)
    other = (await sign_in(c, user.email)).json()["token"]
    other_id = (await verify(c, sessionCookie=other)).json()["principal"]["credential_id"]
    wrong = await c.post("/api/auth/change-password", headers=bearer(user.token),
                         json={"currentPassword": "nope-nope", "newPassword": "new password 1"})
    assert wrong.status_code == 400
    ok = await c.post("/api/auth/change-password", headers=bearer(user.token),
                      json={"currentPassword": PASSWORD, "newPassword": "new password 1"})
    assert ok.status_code == 200
    assert (await verify(c, sessionCookie=user.token)).status_code == 200
    assert (await verify(c, sessionCookie=other)).status_code == 401
    assert (await sign_in(c, user.email)).status_code == 401
    assert (await sign_in(c, user.email, "new password 1")).status_code == 200
    await events.wait_for("session.revoked", session_id=other_id)


async def test_bad_input_is_4xx_with_the_envelope(c: httpx.AsyncClient) -> None:
    for body in ({"email": "not-an-email", "password": PASSWORD, "name": "x"},
                 {"email": unique_email(), "password": "short", "name": "x"},
                 {"email": unique_email(), "password": "p" * 500, "name": "x"},
                 {"email": unique_email(), "password": PASSWORD}):
        response = await c.post("/api/auth/sign-up/email", json=body)
        assert response.status_code == 422 and response.json()["error"] == "validation_error"
    assert (await c.post("/api/auth/change-password", json={})).status_code == 401

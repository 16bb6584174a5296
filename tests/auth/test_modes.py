"""The service's contract in modes none and simple-key: health, internal token, mode, verify."""

from __future__ import annotations

import hashlib

import httpx

from tests.auth.conftest import API_KEY
from tests.auth.support import client


async def test_healthz_needs_no_token(none_url: str) -> None:
    async with httpx.AsyncClient(base_url=none_url) as c:
        response = await c.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_internal_routes_refuse_calls_without_the_internal_token(none_url: str) -> None:
    async with httpx.AsyncClient(base_url=none_url) as c:
        for call in (c.get("/internal/v1/mode"), c.post("/internal/v1/verify", json={}),
                     c.post("/api/auth/sign-in/email", json={}),
                     c.get("/api/admin/users", headers={"x-atlas-internal-token": "wrong"})):
            response = await call
            assert response.status_code == 401
            assert response.json()["error"] == "auth_error"


async def test_mode_none_is_the_anonymous_admin_without_looking(none_url: str) -> None:
    async with client(none_url) as c:
        assert (await c.get("/internal/v1/mode")).json() == {"mode": "none"}
        response = await c.post("/internal/v1/verify",
                                json={"authorization": "Bearer junk", "method": "POST"})
    body = response.json()
    assert response.status_code == 200
    assert body["principal"]["user_id"] == "anonymous"
    assert body["principal"]["workspace_id"] == "default"
    assert body["principal"]["role"] == "admin"
    assert body["principal"]["auth_mode"] == "none"
    assert body["cacheTtlSeconds"] > 0


async def test_managed_routes_are_not_found_in_other_modes(none_url: str) -> None:
    async with client(none_url) as c:
        response = await c.post("/api/auth/sign-in/email",
                                json={"email": "a@b.test", "password": "x" * 10})
        admin = await c.get("/api/admin/users")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert admin.status_code == 404


async def test_unknown_route_and_bad_json_use_the_envelope(none_url: str) -> None:
    async with client(none_url) as c:
        missing = await c.get("/nowhere")
        bad = await c.post("/internal/v1/verify", content=b"{not json",
                           headers={"content-type": "application/json"})
        wrong_type = await c.post("/internal/v1/verify", json={"authorization": 5})
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    assert wrong_type.status_code == 422 and wrong_type.json()["error"] == "validation_error"


async def test_simple_key_mode_reports_simple_key(simple_url: str) -> None:
    async with client(simple_url) as c:
        assert (await c.get("/internal/v1/mode")).json() == {"mode": "simple-key"}


async def test_simple_key_as_bearer_and_as_x_api_key(simple_url: str) -> None:
    expected_id = "api-key-" + hashlib.sha256(API_KEY.encode()).hexdigest()[:8]
    async with client(simple_url) as c:
        for body in ({"authorization": f"Bearer {API_KEY}"}, {"apiKey": API_KEY},
                     {"authorization": f"bearer {API_KEY}"}):
            response = await c.post("/internal/v1/verify", json=body)
            assert response.status_code == 200, body
            principal = response.json()["principal"]
            assert principal["user_id"] == expected_id
            assert principal["role"] == "viewer"
            assert principal["claims"] == {"tenant_id": "acme"}
            assert principal["auth_mode"] == "simple-key"
            assert principal["expires_at"] is None
            assert principal["credential_id"] and API_KEY not in principal["credential_id"]


async def test_simple_key_refuses_wrong_missing_and_cookie_credentials(simple_url: str) -> None:
    async with client(simple_url) as c:
        for body in ({"authorization": f"Bearer {API_KEY}x"}, {"apiKey": API_KEY[:-1]},
                     {}, {"sessionCookie": API_KEY}, {"authorization": f"Basic {API_KEY}"},
                     {"authorization": "Bearer"}, {"authorization": "Bearer " + "k" * 9000}):
            response = await c.post("/internal/v1/verify", json=body)
            assert response.status_code == 401, body
            assert response.json()["error"] == "auth_error"
            assert response.headers["www-authenticate"] == "Bearer"
            assert API_KEY not in response.text

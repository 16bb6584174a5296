"""Bad input: each a clear 4xx in the common envelope, never a 500, and nothing half-written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.keys.support import KeysApi, principal

CREATE_CASES: list[tuple[str, Any, int, str]] = [
    ("no name", {}, 422, "validation_error"),
    ("empty name", {"name": ""}, 422, "validation_error"),
    ("whitespace name", {"name": "   \t "}, 422, "validation_error"),
    ("over-long name", {"name": "x" * 101}, 422, "validation_error"),
    ("control character", {"name": "bad\nname"}, 422, "validation_error"),
    ("name not a string", {"name": 42}, 422, "validation_error"),
    ("expiry too short", {"name": "k", "expiresIn": 3599}, 422, "validation_error"),
    ("expiry zero", {"name": "k", "expiresIn": 0}, 422, "validation_error"),
    ("expiry negative", {"name": "k", "expiresIn": -3600}, 422, "validation_error"),
    ("expiry over a year", {"name": "k", "expiresIn": 31536001}, 422, "validation_error"),
    ("expiry as text", {"name": "k", "expiresIn": "3600"}, 422, "validation_error"),
    ("expiry fractional", {"name": "k", "expiresIn": 3600.5}, 422, "validation_error"),
    ("expiry boolean", {"name": "k", "expiresIn": True}, 422, "validation_error"),
    ("unknown role", {"name": "k", "role": "owner"}, 422, "validation_error"),
    ("role not a string", {"name": "k", "role": 2}, 422, "validation_error"),
    ("claims not an object", {"name": "k", "claims": ["tenant"]}, 422, "validation_error"),
    ("claims not held", {"name": "k", "claims": {"tenant_id": "x"}}, 403, "forbidden"),
    ("body an array", ["k"], 422, "validation_error"),
    ("body null", None, 422, "validation_error"),
]

DELETE_CASES: list[tuple[str, Any, int, str]] = [
    ("no key id", {}, 422, "validation_error"),
    ("empty key id", {"keyId": ""}, 422, "validation_error"),
    ("short key id", {"keyId": "abc123"}, 422, "validation_error"),
    ("long key id", {"keyId": "0123456789abcdef0"}, 422, "validation_error"),
    ("upper-case key id", {"keyId": "0123456789ABCDEF"}, 422, "validation_error"),
    ("key id with a path", {"keyId": "../../etc/passwd"}, 422, "validation_error"),
    ("whole key as id", {"keyId": "atlas_sk_0123456789abcdef"}, 422, "validation_error"),
    ("key id a number", {"keyId": 1234567890123456}, 422, "validation_error"),
    ("unknown key id", {"keyId": "ffffffffffffffff"}, 404, "not_found"),
]


@pytest.mark.parametrize(("case", "body", "status", "code"), CREATE_CASES,
                         ids=[c[0] for c in CREATE_CASES])
async def test_bad_creates_are_refused_and_write_nothing(
        client: httpx.AsyncClient, case: str, body: Any, status: int, code: str) -> None:
    api = KeysApi(client, principal(claims={"tenant_id": "acme"}))
    response = await client.post("/api/auth/api-key/create", json=body, headers=api.headers)
    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["error"] == code and envelope["message"] and envelope["requestId"]
    assert (await api.list())["total"] == 0


@pytest.mark.parametrize(("case", "body", "status", "code"), DELETE_CASES,
                         ids=[c[0] for c in DELETE_CASES])
async def test_bad_deletes_are_refused_and_revoke_nothing(
        client: httpx.AsyncClient, case: str, body: Any, status: int, code: str) -> None:
    api = KeysApi(client, principal())
    created = await api.created()
    response = await client.post("/api/auth/api-key/delete", json=body, headers=api.headers)
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert (await api.list())["apiKeys"][0]["status"] == "active"
    assert (await api.verify(created["key"])).status_code == 200


async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    api = KeysApi(client, principal())
    for path in ("/api/auth/api-key/create", "/api/auth/api-key/delete"):
        response = await client.post(path, content=b"{not json",
                                      headers={**api.headers, "content-type": "application/json"})
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x", "offset=-1"])
async def test_bad_list_pages_are_422(client: httpx.AsyncClient, query: str) -> None:
    api = KeysApi(client, principal())
    response = await client.get(f"/api/auth/api-key/list?{query}", headers=api.headers)
    assert response.status_code == 422 and response.json()["error"] == "validation_error"


async def test_a_verify_body_that_is_too_long_is_a_4xx(client: httpx.AsyncClient) -> None:
    response = await KeysApi(client, principal()).verify("atlas_sk_" + "a" * 5000)
    assert 400 <= response.status_code < 500


async def test_wrong_methods_and_paths_are_clear(client: httpx.AsyncClient) -> None:
    api = KeysApi(client, principal())
    response = await client.get("/api/auth/api-key/create", headers=api.headers)
    assert response.status_code == 405 and response.json()["error"] == "method_not_allowed"
    response = await client.post("/api/auth/api-key/update", json={}, headers=api.headers)
    assert response.status_code == 404 and response.json()["error"] == "not_found"

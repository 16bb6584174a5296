"""The keys service through its routes: create once, list masked, revoke, verify; workspaces
are separate; events are published; every route needs the internal token."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from atlas_common.principal import Role
from atlas_keys import keyformat
from tests.keys.conftest import Heard
from tests.keys.support import INTERNAL, KeysApi, as_caller, principal
from tests.support.polling import eventually

RECORD_FIELDS = {"id", "name", "start", "prefix", "createdAt", "expiresAt", "lastRequest", "role",
                 "status"}


async def test_create_returns_the_key_once_and_the_list_masks_it(
        client: httpx.AsyncClient) -> None:
    api = KeysApi(client, principal())
    created = await api.created(name="  Reporting SDK  ")
    assert set(created) == RECORD_FIELDS | {"key"}
    assert created["name"] == "Reporting SDK"
    assert created["prefix"] == "atlas_sk_" and created["start"] == created["id"][:6]
    assert created["key"].startswith(f"atlas_sk_{created['id']}_")
    assert created["status"] == "active" and created["role"] == "analyst"
    assert created["expiresAt"] is None and created["lastRequest"] is None

    listed = await api.list()
    assert listed["total"] == 1
    assert listed["apiKeys"] == [{k: v for k, v in created.items() if k != "key"}]
    secret = created["key"].split("_")[-1]
    raw = (await client.get("/api/auth/api-key/list", headers=api.headers)).text
    assert secret not in raw and created["key"] not in raw


async def test_only_the_hash_is_stored(client: httpx.AsyncClient, db: asyncpg.Pool) -> None:
    created = await KeysApi(client, principal()).created()
    row = await db.fetchrow("SELECT * FROM keys.api_keys WHERE id = $1", created["id"])
    assert bytes(row["key_hash"]) == hashlib.sha256(created["key"].encode()).digest()
    secret = created["key"].split("_")[-1]
    assert not any(secret in str(value) for value in dict(row).values())


async def test_a_valid_key_verifies_to_its_facts(client: httpx.AsyncClient) -> None:
    caller = principal(claims={"tenant_id": "acme"})
    api = KeysApi(client, caller)
    created = await api.created(role="viewer")
    response = await api.verify(created["key"])
    assert response.status_code == 200, response.text
    assert response.json() == {
        "keyId": created["id"], "workspaceId": caller.workspace_id, "role": "viewer",
        "claims": {"tenant_id": "acme"}, "createdBy": caller.user_id, "expiresAt": None,
    }


async def test_wrong_unknown_or_malformed_keys_are_refused_alike(
        client: httpx.AsyncClient) -> None:
    api = KeysApi(client, principal())
    created = await api.created()
    other = keyformat.new_key()  # well formed, checksum fine, never stored
    body = f"atlas_sk_{created['id']}_{other.key.split('_')[-1][:43]}"
    same_id_wrong_secret = body + keyformat._checksum(body)
    for key in (same_id_wrong_secret, other.key, "atlas_sk_nope", created["key"] + "x", ""):
        response = await api.verify(key)
        assert response.status_code == 401, key
        assert response.json()["error"] == "auth_error"
        assert response.json()["message"] == "Missing or invalid credential"


async def test_revoke_refuses_the_key_and_is_idempotent(
        client: httpx.AsyncClient, events: Heard) -> None:
    api = KeysApi(client, principal())
    created = await api.created()
    assert (await api.verify(created["key"])).status_code == 200
    first = await api.delete(created["id"])
    assert first.status_code == 200 and first.json() == {"success": True}
    assert (await api.verify(created["key"])).status_code == 401
    again = await api.delete(created["id"])
    assert again.status_code == 200 and again.json() == {"success": True}
    [record] = (await api.list())["apiKeys"]
    assert record["status"] == "revoked"

    async def both_published() -> bool:
        return events.revoked(created["id"]) >= 2  # a repeated revoke publishes again

    await eventually(both_published, what="key.revoked for each revoke")


async def test_an_expired_key_is_refused_and_listed_as_expired(
        client: httpx.AsyncClient, db: asyncpg.Pool) -> None:
    api = KeysApi(client, principal())
    created = await api.created(expiresIn=3600)
    expires = datetime.fromisoformat(created["expiresAt"])
    assert abs((expires - datetime.now(UTC)) - timedelta(hours=1)) < timedelta(seconds=30)
    assert (await api.verify(created["key"])).status_code == 200
    await db.execute("UPDATE keys.api_keys SET expires_at = now() - interval '1 second' "
                     "WHERE id = $1", created["id"])
    assert (await api.verify(created["key"])).status_code == 401
    assert (await api.list())["apiKeys"][0]["status"] == "expired"


async def test_workspaces_never_see_each_others_keys(client: httpx.AsyncClient) -> None:
    mine, theirs = KeysApi(client, principal()), KeysApi(client, principal())
    created = await mine.created()
    assert (await theirs.list()) == {"apiKeys": [], "total": 0}
    response = await theirs.delete(created["id"])
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert (await mine.verify(created["key"])).status_code == 200
    assert (await mine.list())["apiKeys"][0]["status"] == "active"


async def test_unknown_key_id_is_404(client: httpx.AsyncClient) -> None:
    response = await KeysApi(client, principal()).delete("0123456789abcdef")
    assert response.status_code == 404
    assert response.json()["message"] == "No such API key in this workspace"


async def test_every_route_needs_the_internal_token(client: httpx.AsyncClient) -> None:
    caller = as_caller(principal())
    del caller["x-atlas-internal-token"]
    calls = [("GET", "/api/auth/api-key/list", None),
             ("POST", "/api/auth/api-key/create", {"name": "x"}),
             ("POST", "/api/auth/api-key/delete", {"keyId": "0123456789abcdef"}),
             ("POST", "/internal/v1/verify-key", {"key": keyformat.new_key().key})]
    for method, path, body in calls:
        for headers in (caller, {**caller, "x-atlas-internal-token": "wrong"}):
            response = await client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (path, response.text)
    assert (await client.get("/healthz")).status_code == 200


@pytest.mark.parametrize("role", ["viewer", "analyst"])
async def test_non_admins_cannot_manage_keys(client: httpx.AsyncClient, role: Role) -> None:
    api = KeysApi(client, principal(role))
    for response in (await api.create(),
                     await client.get("/api/auth/api-key/list", headers=api.headers),
                     await api.delete("0123456789abcdef")):
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden_role"


async def test_a_principal_is_required(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/api-key/list", headers=INTERNAL)
    assert response.status_code == 401
    bad = {**INTERNAL, "x-atlas-principal": "not-base64-json"}
    assert (await client.get("/api/auth/api-key/list", headers=bad)).status_code == 401


async def test_claims_default_to_the_creators_and_must_be_held(
        client: httpx.AsyncClient) -> None:
    caller = principal(claims={"tenant_id": "acme", "region": "eu", "iat": 1, "sub": "x"})
    api = KeysApi(client, caller)
    inherited = await api.verify((await api.created())["key"])
    assert inherited.json()["claims"] == {"tenant_id": "acme", "region": "eu"}
    narrowed = await api.verify((await api.created(claims={"tenant_id": "acme"}))["key"])
    assert narrowed.json()["claims"] == {"tenant_id": "acme"}
    for claims in ({"tenant_id": "globex"}, {"admin": True}, {"tenant_id": "acme", "x": 1}):
        response = await api.create(claims=claims)
        assert response.status_code == 403, claims
        assert response.json()["error"] == "forbidden"


async def test_parallel_creates_are_all_distinct_and_usable(client: httpx.AsyncClient) -> None:
    api = KeysApi(client, principal())
    created = await asyncio.gather(*(api.created(name=f"key {i}") for i in range(25)))
    assert len({c["id"] for c in created}) == 25 and len({c["key"] for c in created}) == 25
    verified = await asyncio.gather(*(api.verify(c["key"]) for c in created))
    assert all(v.status_code == 200 for v in verified)
    listed = await api.list(limit=10, offset=20)
    assert listed["total"] == 25 and len(listed["apiKeys"]) == 5


async def test_parallel_revokes_of_one_key_all_succeed(client: httpx.AsyncClient) -> None:
    api = KeysApi(client, principal())
    created = await api.created()
    results = await asyncio.gather(*(api.delete(created["id"]) for _ in range(10)))
    assert [r.status_code for r in results] == [200] * 10
